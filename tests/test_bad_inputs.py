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
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import edit_json, set_cell
from country_profiles import tables
from country_profiles.cli import main

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


OPEN_RECORDER = """
import json, os, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(os.path.realpath(args[0]))
                 if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) else None)
from country_profiles.cli import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "opened": sorted(set(map(str, opened)))}))
"""


def leading_everywhere(root: Path) -> None:
    """Resources named like the real tables (so every reader looks for them) whose paths and
    schemas lead out of the package every way there is."""
    secret = root.parent / "secret"
    secret.mkdir()
    (secret / "table.csv").write_text("iso3\nKGZ\n", encoding="utf-8")
    (secret / "table.schema.json").write_text('{"fields": [{"name": "iso3"}]}', encoding="utf-8")
    (root / "data/linked.csv").symlink_to(secret / "table.csv")

    def change(document: dict) -> None:
        document["resources"] += [
            {"name": "countries", "path": "../secret/table.csv", "schema": "../secret/table.schema.json"},
            {"name": "borders", "path": str(secret / "table.csv"), "schema": str(secret / "table.schema.json")},
            {"name": "sources", "path": "data/linked.csv", "schema": "data/../../secret/table.schema.json"},
        ]

    edit_json(root / DESCRIPTOR, change)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["validate", "{mini}"], id="validate"),
        pytest.param(["fmt", "{mini}"], id="fmt"),
        pytest.param(["export", "--format", "sqlite", "{out}", "--package", "{mini}"], id="export"),
    ],
)
def test_no_command_opens_a_file_outside_the_package(mini, tmp_path, argv):
    """An audit hook in a child process records every file opened; none may be beside the package."""
    leading_everywhere(mini)
    argv = [arg.format(mini=mini, out=tmp_path / "out") for arg in argv]
    done = subprocess.run([sys.executable, "-c", OPEN_RECORDER, *argv], capture_output=True, text=True, timeout=120)
    result = json.loads(done.stdout.splitlines()[-1])
    outside = [path for path in result["opened"] if Path(path).is_relative_to(tmp_path.resolve())
               and not Path(path).is_relative_to(mini.resolve()) and not Path(path).is_relative_to(tmp_path / "out")]
    assert outside == [], f"{argv[0]} opened {outside}"
    assert result["status"] in (1, 2) and "Traceback" not in done.stderr


# --- The corpus: one bad input per case, run through `country-profiles validate` ---


def write(relpath: str, data: bytes) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        (root / relpath).write_bytes(data)

    return corrupt


def replace(relpath: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        data = (root / relpath).read_bytes()
        assert old in data, f"{old!r} is not in {relpath}"
        (root / relpath).write_bytes(data.replace(old, new, 1))

    return corrupt


def transform(relpath: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        (root / relpath).write_bytes(change((root / relpath).read_bytes()))

    return corrupt


def cell(relpath: str, record: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda root: set_cell(root / relpath, record, column, value)


def header_only(data: bytes) -> bytes:
    return data.split(b"\n", 1)[0] + b"\n"


def schema_change(relpath: str, change: Callable[[dict], object]) -> Callable[[Path], None]:
    return lambda root: edit_json(root / relpath, change)


def line_of(path: Path, needle: str) -> int:
    """The line of `path` holding `needle` (for messages about JSON files edit_json rewrote)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


LANDS_ROW_KEN = b"KEN,Kenya,Africa,true,580367,atlas-1998"
LANDS_HEADER = b"iso3,name,region,independent,area_km2,source_id"

# (corrupt, exit status, fragments the report must hold; a fragment may depend on the package root)
CORPUS = [
    # -- files that are not CSV text
    pytest.param(write(LANDS, b""), 1,
                 ["data/lands.csv:1: error [csv_is_not_empty] the file is empty; it needs at least the header line"],
                 id="empty-file"),
    pytest.param(write(LANDS, b"\n\r\n\n"), 1, ["data/lands.csv:1: error [csv_is_not_empty]"], id="only-line-ends"),
    pytest.param(write(LANDS, bytes(range(256)) * 64), 1,
                 ["data/lands.csv:1: error [csv_is_utf8] byte 0x00 (NUL) on line 1: a CSV file is text",
                  "data/cities.csv: error [foreign_key_resolves] column country: foreign key (country) -> lands.(iso3) "
                  "was not checked: lands was not read"],
                 id="binary-file-named-csv"),
    pytest.param(write(LANDS, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml\x00\x00"), 1,
                 ["data/lands.csv:1: error [csv_is_utf8] byte 0x00 (NUL) on line 1"], id="spreadsheet-named-csv"),
    pytest.param(transform(LANDS, lambda data: data.decode("utf-8").encode("utf-16")), 1,
                 ["data/lands.csv:1: error [csv_is_utf8] byte 0x00 (NUL) on line 1", "UTF-16"], id="utf16-text"),
    pytest.param(replace(LANDS, b"Kenya", "Kényà".encode("latin-1")), 1,
                 ["data/lands.csv:3: error [csv_is_utf8] byte 0xe9 on line 3 is not UTF-8"], id="latin1-bytes"),
    # -- line ends and byte-order mark: layout, which fmt fixes; not errors
    pytest.param(transform(LANDS, lambda data: b"\xef\xbb\xbf" + data), 0,
                 ["data/lands.csv:1: warning [csv_has_no_bom] the file starts with a UTF-8 byte order mark (BOM)",
                  "0 errors, 1 warning"], id="utf8-bom-is-a-warning"),
    pytest.param(transform(LANDS, lambda data: data.replace(b"\n", b"\r\n")), 0, ["0 errors, 0 warnings"],
                 id="crlf-line-ends-are-valid-csv"),
    # -- header and rows
    pytest.param(transform(LANDS, header_only), 1,
                 ["data/cities.csv:2: error [foreign_key_resolves] column country: country 'KGZ' is not in lands.iso3"],
                 id="header-only-table-others-refer-to"),
    pytest.param(transform("data/city_facts.csv", header_only), 0, ["0 errors, 0 warnings"],
                 id="header-only-table-is-a-valid-empty-table"),
    pytest.param(replace(LANDS, LANDS_ROW_KEN, b"KEN,Kenya,Africa,true"), 1,
                 ["data/lands.csv:3: error [row_has_all_cells] column area_km2: the row has 4 cells, the header 6: "
                  "no cell for column 'area_km2'"], id="ragged-row-short"),
    pytest.param(replace(LANDS, LANDS_ROW_KEN, LANDS_ROW_KEN + b",spare"), 1,
                 ["data/lands.csv:3: error [row_has_no_extra_cells] the row has 7 cells, the header 6: extra 'spare'"],
                 id="ragged-row-long"),
    pytest.param(replace(LANDS, b"iso3,name,", b"iso3,iso3,"), 1,
                 ["data/lands.csv:1: error [header_matches_schema] column name: column 2 repeats the header 'iso3'; "
                  "the schema expects 'name' there"], id="duplicate-header"),
    pytest.param(replace(LANDS, b",source_id\n", b"\n"), 1,
                 ["data/lands.csv:1: error [header_matches_schema] column source_id: column 'source_id' is missing "
                  "(the schema has 6 fields, the header 5)"], id="missing-header"),
    pytest.param(replace(LANDS, b"area_km2", b"area_sq_km"), 1,
                 ["data/lands.csv:1: error [header_matches_schema] column area_km2: column 5 is 'area_sq_km', "
                  "unknown to the schema, which expects 'area_km2' there"], id="unknown-header"),
    pytest.param(replace(LANDS, LANDS_HEADER, LANDS_HEADER + b",comment"), 1,
                 ["data/lands.csv:1: error [header_matches_schema] column comment: column 7 'comment' is not in the schema"],
                 id="extra-header"),
    pytest.param(replace(LANDS, b"KEN,Kenya,", b'KEN,"Kenya,'), 1,
                 ["data/lands.csv:3: error [csv_is_well_formed] a quoted cell in the row on line 3 is never closed"],
                 id="unclosed-quote"),
    # -- numbers that are not numbers
    pytest.param(cell(LANDS, 2, "area_km2", "NaN"), 1,
                 ["data/lands.csv:2: error [number_is_finite] column area_km2: 'NaN' is a valid Table Schema number but not a figure"],
                 id="nan"),
    pytest.param(cell(LANDS, 3, "area_km2", "inf"), 1,
                 ["data/lands.csv:3: error [cell_has_field_type] column area_km2: 'inf' is not a number"], id="inf"),
    pytest.param(cell(LANDS, 4, "area_km2", "-Infinity"), 1,
                 ["data/lands.csv:4: error [cell_has_field_type] column area_km2: '-Infinity' is not a number"],
                 id="minus-infinity"),
    pytest.param(cell(LANDS, 5, "area_km2", "1e309"), 1,
                 ["data/lands.csv:5: error [cell_has_field_type] column area_km2: '1e309' is too large to be a number"],
                 id="1e309-overflows-a-double"),
    pytest.param(cell(LANDS, 5, "area_km2", "1e-400"), 1,
                 ["data/lands.csv:5: error [cell_has_field_type] column area_km2: '1e-400' is too close to zero to be a "
                  "number: it would be read as 0"], id="1e-400-underflows-a-double"),
    pytest.param(cell("data/cities.csv", 2, "population", "NaN"), 1,
                 ["data/cities.csv:2: error [cell_has_field_type] column population: 'NaN' is not an integer"],
                 id="nan-in-an-integer-column"),
    pytest.param(cell("data/cities.csv", 3, "population", "9" * 40), 1,
                 [f"data/cities.csv:3: error [cell_has_field_type] column population: '{'9' * 40}' is too large for a "
                  "64-bit integer"], id="integer-beyond-64-bits"),
    # -- text that looks right and is not
    pytest.param(cell(LANDS, 2, "iso3", "\u041aGZ"), 1,
                 ["data/lands.csv:2: error [value_matches_pattern] column iso3: 'КGZ' does not match the pattern [A-Z]{3}",
                  "U+041A CYRILLIC CAPITAL LETTER KA"], id="cyrillic-ka-in-a-country-code"),
    pytest.param(cell("data/cities.csv", 2, "country", "KG\u0396"), 1,
                 ["data/cities.csv:2: error [foreign_key_resolves] column country: country 'KGΖ' is not in lands.iso3",
                  "U+0396 GREEK CAPITAL LETTER ZETA"], id="greek-zeta-in-a-foreign-key"),
    pytest.param(cell(LANDS, 3, "name", '=HYPERLINK("http://127.0.0.1:9/","Kenya")'), 1,
                 ["data/lands.csv:3: error [text_is_not_a_formula] column name:"], id="formula-in-a-cell"),
    # -- descriptor and Table Schemas
    pytest.param(write(DESCRIPTOR, b'{"name": "mini",\n "resources": [\n'), 1,
                 ["datapackage.json:3: error [descriptor_is_json] invalid JSON at line 3, column 1"],
                 id="descriptor-invalid-json"),
    pytest.param(write(DESCRIPTOR, b""), 1, ["datapackage.json:1: error [descriptor_is_json] invalid JSON at line 1"],
                 id="descriptor-empty-file"),
    pytest.param(write(DESCRIPTOR, b'{"name": "mini",\n "title": "Caf\xe9",\n "resources": []}'), 1,
                 ["datapackage.json:2: error [descriptor_is_json] byte 0xe9 on line 2 is not UTF-8"],
                 id="descriptor-latin1"),
    pytest.param(write(DESCRIPTOR, b'{"name": "mini", "resources": [{"name": "a", "path": "a.csv", "bytes": NaN}]}'),
                 1, ["datapackage.json: error [descriptor_is_json] invalid JSON: NaN is not JSON"], id="descriptor-nan"),
    pytest.param(write(DESCRIPTOR, b'{"name": "mini",\n"resources": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"), 1,
                 ["datapackage.json:2: error [descriptor_is_json] nested more than 64 levels deep on line 2"],
                 id="descriptor-nested-100000-deep"),
    pytest.param(write("schemas/lands.schema.json", b'{"fields": [{"name": "iso3", "type": "string", "x": ' + b"{\"a\": " * 5000
                       + b"1" + b"}" * 5000 + b"}]}"), 1,
                 ["schemas/lands.schema.json:1: error [descriptor_is_json] nested more than 64 levels deep"],
                 id="schema-nested-5000-deep"),
    pytest.param(write(DESCRIPTOR, b'{"name": "mini", "resources": [{"name": "a", "path": "a.csv", "bytes": '
                       + b"9" * 5000 + b"}]}"), 1,
                 ["datapackage.json: error [descriptor_is_json] invalid JSON: Exceeds the limit"],
                 id="descriptor-5000-digit-number"),
    pytest.param(write(DESCRIPTOR, b"[]"), 1,
                 ["datapackage.json:1: error [descriptor_is_valid] the descriptor must be a JSON object"],
                 id="descriptor-not-an-object"),
    pytest.param(schema_change(DESCRIPTOR, lambda document: document.__setitem__("resources", [])), 1,
                 ["datapackage.json:1: error [package_has_resources] the descriptor lists no resources"],
                 id="descriptor-without-resources"),
    pytest.param(schema_change(DESCRIPTOR, lambda document: document.pop("resources")), 1,
                 ["datapackage.json:1: error [package_has_resources] the descriptor lists no resources"],
                 id="descriptor-without-resources-key"),
    pytest.param(write("schemas/lands.schema.json", b'{"fields": [\n  {"name": "iso3",}\n]}'), 1,
                 ["schemas/lands.schema.json:2: error [descriptor_is_json] invalid JSON at line 2"],
                 id="schema-invalid-json"),
    pytest.param(schema_change("schemas/lands.schema.json", lambda schema: schema["fields"][4].__setitem__("type", "decimal")),
                 1, [lambda root: f"schemas/lands.schema.json:{line_of(root / 'schemas/lands.schema.json', 'decimal')}: "
                     "error [table_schema_is_valid] $.fields[4].type: 'decimal' is not one of"],
                 id="schema-unknown-field-type"),
    pytest.param(schema_change("schemas/lands.schema.json",
                               lambda schema: schema["foreignKeys"][0]["reference"].__setitem__("resource", "nowhere")),
                 1, [lambda root: f"schemas/lands.schema.json:{line_of(root / 'schemas/lands.schema.json', 'reference')}: "
                     "error [table_schema_is_valid] $.foreignKeys[0].reference: foreign key (source_id) refers to "
                     "resource 'nowhere', which the package does not declare"],
                 id="foreign-key-to-a-missing-table"),
    pytest.param(schema_change("schemas/lands.schema.json",
                               lambda schema: schema["fields"][4]["constraints"].__setitem__("maximum", 10**4000)),
                 1, ["error [table_schema_is_valid] $.fields[4].constraints.maximum: maximum 1000", "0000…"],
                 id="schema-bound-beyond-any-double"),
    pytest.param(lambda root: (root / LANDS).unlink(), 1,
                 ["data/lands.csv: error [resource_file_exists] data/lands.csv does not exist (resource path of lands)"],
                 id="resource-file-missing"),
]


@pytest.mark.parametrize(("corrupt", "status", "fragments"), CORPUS)
def test_validate_names_file_and_line_and_writes_nothing(mini, tmp_path, capsys, corrupt, status, fragments):
    corrupt(mini)
    outcome = run_unchanged(capsys, tmp_path, "validate", str(mini))
    assert outcome.status == status, outcome.out
    assert outcome.err == ""
    for fragment in fragments:
        expected = fragment(mini) if callable(fragment) else fragment
        assert expected in outcome.out, f"{expected!r} not in:\n{outcome.out}"


# --- The same corpus through the commands that rewrite or convert the package ---


def table_values(data: bytes, schema: dict) -> tuple[list[str], Counter]:
    """A table's header and rows as fmt reads them: the values it must keep."""
    text, problems = tables.decode_table(data)
    assert not problems
    parsed = tables.parse_table(text, schema)
    return sorted(parsed.header), Counter(tuple(sorted(row.items())) for row in parsed.rows)


def readable_tables(root: Path) -> dict[str, tuple[str, dict]] | None:
    try:
        return tables.schemas_by_resource(root)
    except (OSError, ValueError, KeyError, TypeError):
        return None


@pytest.mark.parametrize(("corrupt", "status", "fragments"), CORPUS)
def test_fmt_on_bad_input_refuses_naming_file_and_line_or_keeps_every_value(mini, tmp_path, capsys, corrupt, status,
                                                                            fragments):
    corrupt(mini)
    before = snapshot(tmp_path)
    resources = readable_tables(mini)
    if resources is None:  # a descriptor or schema fmt cannot read: it says so and writes nothing
        outcome = run_unchanged(capsys, tmp_path, "fmt", str(mini))
        assert outcome.status == 2 and outcome.err.startswith(f"country-profiles fmt: {mini / DESCRIPTOR}: ")
        return
    originals = {path: (mini / path).read_bytes() for path, _ in resources.values() if (mini / path).is_file()}
    outcome = run_cli(capsys, "fmt", str(mini))
    assert outcome.status in (0, 1)
    after = snapshot(tmp_path)
    changed = {name for name in after if before.get(name) != after[name] and stat.S_ISREG(after[name][0])}
    assert set(before) == set(after) and changed <= {f"mini/{path}" for path in originals}, changed
    refused = {line.split(":", 1)[0] for line in outcome.err.splitlines()
               if line.endswith("left as it is: fmt rewrites only tables whose every value it can read")}
    for path, schema in resources.values():
        if path in refused:
            assert f"mini/{path}" not in changed
            assert re.search(rf"^{re.escape(path)}:\d+: ", outcome.err, re.MULTILINE), f"no line named for {path}"
        elif f"mini/{path}" in changed:
            assert table_values((mini / path).read_bytes(), schema) == table_values(originals[path], schema), path


@pytest.mark.parametrize(("corrupt", "status", "fragments"), CORPUS)
def test_export_of_bad_input_fails_cleanly_or_exports_and_never_touches_the_package(mini, tmp_path, capsys, corrupt,
                                                                                      status, fragments):
    corrupt(mini)
    out = tmp_path.parent / f"{tmp_path.name}-out"
    outcome = run_unchanged(capsys, tmp_path, "export", "--format", "sqlite", str(out), "--package", str(mini))
    assert outcome.status in (0, 1)
    if outcome.status == 1:
        assert outcome.err.startswith("country-profiles export: ") and not list(out.rglob("*.sqlite"))
        assert re.search(r"(data/\w+\.csv|datapackage\.json|schemas/\w+\.schema\.json)\b", outcome.err), "the message names no file"


# --- At process level: `python -m country_profiles validate` exits with a message, never a traceback ---


def python_m(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "country_profiles", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COUNTRY_PROFILES_DEBUG": ""})


@pytest.mark.parametrize(
    ("corrupt", "status", "expected"),
    [
        pytest.param(write(LANDS, bytes(range(256)) * 64), 1, "data/lands.csv:1: error [csv_is_utf8] byte 0x00 (NUL)",
                     id="binary-file"),
        pytest.param(set_lands("path", "https://127.0.0.1:9/lands.csv"), 1,
                     lambda root: f"datapackage.json:{line_of(root / DESCRIPTOR, '127.0.0.1')}: error "
                     "[resource_path_inside_package] resource path 'https://127.0.0.1:9/lands.csv' is a URL", id="url-path"),
        pytest.param(lambda root: (root / DESCRIPTOR).unlink(), 2,
                     "country-profiles validate: mini: no datapackage.json in this folder", id="no-descriptor"),
    ],
)
def test_python_dash_m_validate_exits_with_a_message_not_a_traceback(mini, tmp_path, corrupt, status, expected):
    corrupt(mini)
    before = snapshot(tmp_path)
    done = python_m("validate", "mini", cwd=tmp_path)
    assert done.returncode == status, done.stderr
    assert (expected(mini) if callable(expected) else expected) in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert snapshot(tmp_path) == before


FIFTY_MB = 50 * 1024 * 1024


@pytest.mark.slow
def test_a_50_mb_cell_is_reported_in_a_short_message_with_bounded_memory(mini, tmp_path):
    """A quoted 50 MB name with a line break and a trailing space: the whitespace rule blames it,
    and the report quotes only its start. Run in a child process that reports its own peak memory."""
    lines = (mini / LANDS).read_bytes().split(b"\n")
    lines[2] = b'KEN,"' + b"x" * FIFTY_MB + b'\nmore ",Africa,true,580367,atlas-1998'
    (mini / LANDS).write_bytes(b"\n".join(lines))
    before = snapshot(tmp_path)
    probe = ("import resource, sys\nfrom country_profiles.cli import main\nstatus = main(sys.argv[1:])\n"
             "print(f'peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB', file=sys.stderr)\n"
             "raise SystemExit(status)\n")
    done = subprocess.run([sys.executable, "-c", probe, "validate", str(mini)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    assert "data/lands.csv:3: error [text_has_no_surrounding_whitespace] column name: name 'xxxx" in done.stdout
    assert "characters in all)" in done.stdout and len(done.stdout) < 20_000
    peak = int(done.stderr.split("peak ")[1].split()[0])
    assert peak < 1500, f"validating a 50 MB file took {peak} MB"
    assert snapshot(tmp_path) == before


# --- CRLF and BOM: valid CSV, not canonical form ---


@pytest.mark.parametrize(
    ("change", "validate_says", "fmt_says"),
    [
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), "0 errors, 0 warnings", "CRLF line ends", id="crlf"),
        pytest.param(lambda data: b"\xef\xbb\xbf" + data, "data/lands.csv:1: warning [csv_has_no_bom]",
                     "starts with a byte-order mark", id="bom"),
    ],
)
def test_crlf_and_bom_pass_validation_fail_fmt_check_and_fmt_removes_them(mini, tmp_path, capsys, change,
                                                                           validate_says, fmt_says):
    assert main(["fmt", str(mini)]) == 0  # start from canonical form
    capsys.readouterr()
    canonical = (mini / LANDS).read_bytes()
    (mini / LANDS).write_bytes(change(canonical))
    assert validate_says in run_unchanged(capsys, tmp_path, "validate", str(mini)).out
    checked = run_unchanged(capsys, tmp_path, "fmt", "--check", str(mini))
    assert checked.status == 1 and f"data/lands.csv: not canonical: {fmt_says}" in checked.err
    assert run_cli(capsys, "fmt", str(mini)).status == 0
    assert (mini / LANDS).read_bytes() == canonical
