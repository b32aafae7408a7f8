"""Shared helpers: copies of the hand-written fixture packages to corrupt, and small edits.

    def test_something(mini):            # a fresh copy of tests/fixtures/packages/mini
        set_line(mini / "data/lands.csv", 3, "KEN,Kenya,Afrika,true,580367,atlas-1998")
        report = validate(mini)
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PACKAGES = FIXTURES / "packages"
MINI = PACKAGES / "mini"
PACKAGE_PARTS = ("datapackage.json", "schemas", "data")


def copy_package(source: Path, destination: Path) -> Path:
    """Copy a package's descriptor, schemas/ and data/ (nothing else) to `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in PACKAGE_PARTS:
        origin = source / part
        if origin.is_dir():
            shutil.copytree(origin, destination / part, ignore=shutil.ignore_patterns("meta"))
        elif origin.is_file():
            shutil.copy2(origin, destination / part)
    return destination


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh, valid copy of the mini fixture package: four tables, every field type."""
    return copy_package(MINI, tmp_path / "mini")


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def set_line(path: Path, line: int, text: str) -> None:
    """Replace physical line `line` (1-based, header = 1) of a CSV."""
    lines = read_lines(path)
    lines[line - 1] = text
    write_lines(path, lines)


def insert_line(path: Path, line: int, text: str) -> None:
    """Insert `text` so that it becomes line `line`."""
    lines = read_lines(path)
    lines.insert(line - 1, text)
    write_lines(path, lines)


def edit_rows(path: Path, change: Callable[[list[list[str]]], None]) -> None:
    """Rewrite a CSV through the csv module (quoting as needed); `change` edits the records
    (header first) in place."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    change(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(path: Path, record: int, column: str, value: str) -> None:
    """Set the cell of `column` in CSV record `record` (1 = header, 2 = first row; it is also
    the line number as long as no quoted cell above it spans lines)."""

    def change(rows: list[list[str]]) -> None:
        rows[record - 1][rows[0].index(column)] = value

    edit_rows(path, change)


def edit_json(path: Path, change: Callable[[Any], object]) -> None:
    """Load a JSON file, let `change` modify it in place (its return value is ignored), write it back."""
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def findings_of(report: Any, rule: str) -> list[Any]:
    return [finding for finding in report.findings if finding.rule == rule]


def break_mini(root: Path) -> None:
    """Corrupt a copy of the mini package in many ways at once (for report tests)."""

    def change(document: Any) -> None:
        document["resources"][2]["title"] = 5  # a title is a string in every version of the standard

    edit_json(root / "datapackage.json", change)
    set_cell(root / "data/lands.csv", 3, "area_km2", "abc")
    set_cell(root / "data/lands.csv", 4, "region", "Europe|Asia")
    set_cell(root / "data/lands.csv", 5, "source_id", "gazete")
    insert_line(root / "data/city_facts.csv", 3, "")
    refs = root / "data/refs.csv"
    refs.write_bytes(b"\xef\xbb\xbf" + refs.read_bytes())
