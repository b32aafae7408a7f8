"""Bad inputs, each with the message and exit status it must give.

Every case corrupts a copy of the mini package (tests/conftest.py) and runs the real command.
Each must end in a message naming the file (and the line where there is one), exit 1 or 2 (0
only where the input is valid and the case says why), no traceback, and nothing written:
every file under the test's folder, inside and outside the package, is byte-for-byte and
mtime-for-mtime what it was.

Line ends and byte-order marks: RFC 4180 CSV ends lines with CRLF and frictionless and pandas
skip a BOM, so validation accepts both (a BOM is a warning, since some readers take it for
part of the first column name); canonical form is LF without BOM, so `fmt --check` fails on
either and `fmt` rewrites it without changing a value.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import edit_json, edit_rows, set_cell
from country_profiles import tables
from country_profiles.cli import main
from country_profiles.validation.structure import show

DESCRIPTOR = "datapackage.json"
LANDS = "data/lands.csv"


# --- Running a command and checking that it wrote nothing ---


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every entry under `folder` (symlinks as links, not followed): mode, mtime, content hash."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if stat.S_ISREG(info.st_mode):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISLNK(info.st_mode):
            digest = os.readlink(path)
        else:
            digest = ""
        entries[str(path.relative_to(folder))] = (info.st_mode, info.st_mtime_ns, digest)
    return entries


@dataclass
class Outcome:
    status: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def run_cli(capsys, *argv: str) -> Outcome:
    status = main(list(argv))
    out, err = capsys.readouterr()
    outcome = Outcome(status, out, err)
    assert "Traceback" not in outcome.both and "internal error" not in outcome.both, outcome.both
    return outcome


def run_unchanged(capsys, folder: Path, *argv: str) -> Outcome:
    """Run a command that must write nothing under `folder`."""
    before = snapshot(folder)
    outcome = run_cli(capsys, *argv)
    assert snapshot(folder) == before, "the command wrote into the folder"
    return outcome


# --- Descriptors naming files outside the package: every command refuses them ---


def set_lands(key: str, value: object) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        edit_json(root / DESCRIPTOR, lambda document: document["resources"][1].__setitem__(key, value))

    return corrupt


def outside_file(root: Path) -> Path:
    """A CSV beside the package, shaped like lands, with CRLF line ends fmt would rewrite."""
    outside = root.parent / "outside.csv"
    outside.write_bytes((root / LANDS).read_bytes().replace(b"\n", b"\r\n"))
    return outside


def absolute_path(root: Path) -> None:
    set_lands("path", str(outside_file(root)))(root)


def dotdot_path(root: Path) -> None:
    outside_file(root)
    set_lands("path", "../outside.csv")(root)


def symlink_out(root: Path) -> None:
    outside = outside_file(root)
    (root / LANDS).unlink()
    (root / LANDS).symlink_to(outside)


def symlinked_folder_out(root: Path) -> None:
    shutil.move(root / "schemas", root.parent / "elsewhere")
    (root / "schemas").symlink_to(root.parent / "elsewhere")


def absolute_schema(root: Path) -> None:
    shutil.copy(root / "schemas/lands.schema.json", root.parent / "lands.schema.json")
    set_lands("schema", str(root.parent / "lands.schema.json"))(root)


LEAVING = [
    pytest.param(absolute_path, "resource path '{outside}' is an absolute path", id="absolute-path"),
    pytest.param(dotdot_path, "resource path '../outside.csv' contains '..'", id="dotdot-path"),
    pytest.param(set_lands("path", "http://127.0.0.1:9/lands.csv"),
                 "resource path 'http://127.0.0.1:9/lands.csv' is a URL", id="url-path"),
    pytest.param(set_lands("path", "file:///etc/passwd"), "resource path 'file:///etc/passwd' is a URL", id="file-url"),
    pytest.param(symlink_out, "resource path 'data/lands.csv' leads outside the package (through a symlink",
                 id="symlink-out"),
    pytest.param(symlinked_folder_out, "schema path 'schemas/refs.schema.json' leads outside the package",
                 id="symlinked-folder-out"),
    pytest.param(absolute_schema, "schema path '{schema}' is an absolute path", id="absolute-schema"),
]


def leaving_message(template: str, root: Path) -> str:
    return template.format(outside=root.parent / "outside.csv", schema=root.parent / "lands.schema.json")


@pytest.mark.parametrize(("corrupt", "message"), LEAVING)
def test_validate_reports_paths_leaving_the_package_at_their_descriptor_line(mini, tmp_path, capsys, corrupt, message):
    corrupt(mini)
    outcome = run_unchanged(capsys, tmp_path, "validate", str(mini))
    assert outcome.status == 1
    line = next(
        line for line in outcome.out.splitlines() if "[resource_path_inside_package]" in line
    )
    assert line.startswith("datapackage.json:") and leaving_message(message, mini) in line


@pytest.mark.parametrize(("corrupt", "message"), LEAVING)
@pytest.mark.parametrize("check", [True, False], ids=["fmt-check", "fmt"])
def test_fmt_refuses_a_package_whose_paths_leave_it_and_writes_nothing(mini, tmp_path, capsys, corrupt, message,
                                                                        check):
    corrupt(mini)
    outcome = run_unchanged(capsys, tmp_path, "fmt", *(["--check"] if check else []), str(mini))
    assert outcome.status == 2
    assert outcome.err.startswith(f"country-profiles fmt: {mini / DESCRIPTOR}: ")
    assert leaving_message(message, mini).replace("resource path", "path") in outcome.err


@pytest.mark.parametrize(("corrupt", "message"), LEAVING)
@pytest.mark.parametrize("form", ["json", "sqlite", "parquet"])
def test_export_refuses_a_package_whose_paths_leave_it_and_writes_nothing(mini, tmp_path, capsys, corrupt, message,
                                                                           form):
    corrupt(mini)
    outcome = run_unchanged(capsys, tmp_path, "export", "--format", form, str(tmp_path / "out"), "--package",
                            str(mini))
    assert outcome.status == 1
    assert leaving_message(message, mini).replace("resource path", "path") in outcome.err
    assert "nothing was exported" in outcome.err


@pytest.mark.parametrize(("corrupt", "message"), LEAVING)
def test_every_reader_of_the_descriptor_refuses_what_validation_refuses(mini, corrupt, message):
    """fmt, export, the API, diff and coverage all find the tables through tables.schemas_by_resource."""
    corrupt(mini)
    with pytest.raises(tables.PackagePathError, match="outside|absolute|'..'|URL"):
        tables.schemas_by_resource(mini)
