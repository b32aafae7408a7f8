"""Differential test: on corrupted copies of a package, every error frictionless finds is also in
our report, at the same file and line (and field, where frictionless names one).

frictionless counts rows as CSV records; we count physical lines. The map between the two is
built here with Python's csv module, independently of the validator.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import MINI, REPO, copy_package, edit_rows
from country_profiles.validation import validate
from country_profiles.validation.review import MALFORMED_ROW_RULES

import frictionless

LIMIT_ERRORS = 10**7


# --- Reading frictionless' errors as (file, line, field) ---


@dataclass(frozen=True)
class Expected:
    path: str
    line: int | None  # None: the error is about the whole file
    fields: tuple[str, ...]  # empty: any field
    kind: str
    note: str
    # frictionless blames a table for a file-level error in a table it refers to (it reads
    # that one for the foreign key lookup); the finding may be on either file.
    also: tuple[str, ...] = ()


def record_lines(path: Path) -> list[int]:
    """The physical line where each CSV record starts (record 1 = the header)."""
    text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    starts, next_line = [], 1
    for _ in reader:
        starts.append(next_line)
        next_line = reader.line_num + 1
    return starts


def frictionless_errors(root: Path) -> list[Expected]:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    paths = {resource["name"]: resource["path"] for resource in descriptor["resources"]}
    referenced = {resource["name"]: referenced_paths(root, resource, paths) for resource in descriptor["resources"]}
    report = frictionless.validate(str(root / "datapackage.json"), limit_errors=LIMIT_ERRORS)
    assert not report.errors, f"frictionless rejected the package itself: {report.errors}"
    expected = []
    for task in report.tasks:
        path = paths[task.name]
        starts = record_lines(root / path) if (root / path).is_file() else []
        for error in task.errors:
            row = getattr(error, "row_number", None)
            if error.type.endswith("-label"):
                line = 1
            elif row is not None:
                line = starts[row - 1] if row - 1 < len(starts) else None
            else:
                line = None
            names = getattr(error, "field_names", None) or [getattr(error, "field_name", None)]
            fields = tuple(name for name in names if name)
            if error.type in ("extra-label", "extra-cell", "blank-row", "primary-key"):
                fields = ()  # frictionless names no schema field (or a fabricated one) for these
            also = referenced[task.name] if line is None else ()
            expected.append(Expected(path, line, fields, error.type, error.note, also))
    return expected


def referenced_paths(root: Path, resource: dict, paths: dict[str, str]) -> tuple[str, ...]:
    schema = resource["schema"]
    if isinstance(schema, str):
        schema = json.loads((root / schema).read_text(encoding="utf-8"))
    names = {key["reference"]["resource"] for key in schema.get("foreignKeys", [])}
    return tuple(paths[name] for name in sorted(names) if name in paths)


def uncovered(root: Path) -> tuple[list[Expected], int]:
    """frictionless' errors that our report has no finding for; and how many it found.
    Rules only add findings, so they are left out (they take most of the time)."""
    report = validate(root, rules=False)
    at_line: dict[tuple[str | None, int], set[str | None]] = {}  # (path, line) -> fields blamed there
    in_file: dict[str | None, set[str | None]] = {}
    malformed = set()  # a row with a cell too many or too few: its error stands for the row's others
    for finding in report.findings:
        in_file.setdefault(finding.path, set()).add(finding.field)
        for line in {*finding.lines, finding.line} - {None}:
            at_line.setdefault((finding.path, line), set()).add(finding.field)
            if finding.rule in MALFORMED_ROW_RULES:
                malformed.add((finding.path, line))
    expected = frictionless_errors(root)
    missing = []
    for error in expected:
        if any((path, error.line) in malformed for path in (error.path, *error.also)):
            continue  # follows from the shifted cells; validation reports the cause alone (review.py)
        for path in (error.path, *error.also):
            fields = in_file.get(path, set()) if error.line is None else at_line.get((path, error.line), set())
            if fields and (not error.fields or fields & set(error.fields)):
                break
        else:
            missing.append(error)
    return missing, len(expected)


# --- Corruptions: each edits a copy of a package ---


def set_value(table: str, column: str, value: str, row: int = 1) -> Callable[[Path], None]:
    """Set the cell of `column` in data row `row` (1 = first row under the header; -1 = last)."""

    def corrupt(root: Path) -> None:
        def change(rows: list[list[str]]) -> None:
            rows[row if row > 0 else len(rows) + row][rows[0].index(column)] = value

        edit_rows(root / "data" / f"{table}.csv", change)

    return corrupt


def rows_edit(table: str, change: Callable[[list[list[str]]], None]) -> Callable[[Path], None]:
    return lambda root: edit_rows(root / "data" / f"{table}.csv", change)


def bytes_edit(table: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        path = root / "data" / f"{table}.csv"
        path.write_bytes(change(path.read_bytes()))

    return corrupt


def insert_column(rows: list[list[str]], position: int = 2) -> None:
    for number, row in enumerate(rows):
        row.insert(position, "extra" if number == 0 else f"x{number}")


def drop_column(rows: list[list[str]], position: int = 1) -> None:
    for row in rows:
        if len(row) > position:
            del row[position]


def swap_columns(rows: list[list[str]], first: int = 0, second: int = 1) -> None:
    for row in rows:
        row[first], row[second] = row[second], row[first]


def duplicate_row(rows: list[list[str]], row: int = 1) -> None:
    rows.append(list(rows[row]))


def chain(*corruptions: Callable[[Path], None]) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        for corruption in corruptions:
            corruption(root)

    return corrupt


MINI_CASES = {
    "type-error": set_value("lands", "area_km2", "abc", 2),
    "type-error-and-bound-below": chain(set_value("lands", "area_km2", "abc", 1), set_value("lands", "area_km2", "-3", 4)),
    "missing-required": set_value("lands", "name", ""),
    "missing-value-token-required": set_value("cities", "city", "n/a", 2),
    "duplicate-primary-key": set_value("lands", "iso3", "KGZ", 4),
    "duplicate-composite-key": rows_edit("city_facts", duplicate_row),
    "broken-foreign-key": set_value("cities", "country", "XXX", 1),
    "broken-composite-foreign-key": set_value("city_facts", "city", "Bishkex", 3),
    "enum": set_value("lands", "region", "Afrika", 2),
    "pattern": set_value("refs", "id", "Atlas-1998", 1),
    "pattern-partial-match": set_value("lands", "iso3", "KGZX", 3),
    "minimum": set_value("city_facts", "year", "1700", 2),
    "maximum": set_value("city_facts", "value", "100.50000000000001", 5),
    "min-length": set_value("refs", "title", "WA", 1),
    "boolean": set_value("lands", "independent", "yes", 1),
    "boolean-default-values": set_value("cities", "capital", "T", 2),
    "date": set_value("refs", "published", "2021-02-30", 2),
    "date-minimum": set_value("refs", "published", "1985-01-01", 1),
    "uri": set_value("refs", "url", "example.org/atlas", 1),
    "integer-with-decimals": set_value("cities", "population", "1074075.5", 1),
    "number-nan": set_value("lands", "area_km2", "NaN", 1),
    "extra-column": rows_edit("lands", insert_column),
    "extra-column-at-end": rows_edit("cities", lambda rows: insert_column(rows, len(rows[0]))),
    "missing-column": rows_edit("lands", drop_column),
    "missing-last-column": rows_edit("city_facts", lambda rows: drop_column(rows, 4)),
    "swapped-columns": rows_edit("refs", lambda rows: swap_columns(rows, 1, 2)),
    "renamed-header": rows_edit("lands", lambda rows: rows[0].__setitem__(1, "Name")),
    "duplicate-header": rows_edit("lands", lambda rows: rows[0].__setitem__(2, "name")),
    "blank-header-cell": rows_edit("cities", lambda rows: rows[0].__setitem__(4, "")),
    "ragged-short": rows_edit("lands", lambda rows: rows[2].__delitem__(slice(3, None))),
    "ragged-long": rows_edit("city_facts", lambda rows: rows[1].extend(["surplus", "more"])),
    "blank-row": rows_edit("lands", lambda rows: rows.insert(2, [])),
    "blank-row-of-commas": rows_edit("lands", lambda rows: rows.insert(3, [""] * 6)),
    "quoted-newline-then-errors": chain(
        set_value("cities", "note", "two\nlines", 1), set_value("cities", "population", "-5", 4)
    ),
    "latin-1-byte": bytes_edit("lands", lambda data: data.replace("Kenya".encode(), "K\xe9nya".encode("latin-1"))),
    "bom": bytes_edit("refs", lambda data: b"\xef\xbb\xbf" + data),
    "empty-file": bytes_edit("cities", lambda data: b""),
    "header-only": bytes_edit("cities", lambda data: data.split(b"\n", 1)[0] + b"\n"),
    "crlf": bytes_edit("lands", lambda data: data.replace(b"\n", b"\r\n").replace(b"Asia", b"Asya")),
    "stray-quote": bytes_edit("lands", lambda data: data.replace(b"KEN,", b'KE"N,')),
    "referenced-row-removed": rows_edit("lands", lambda rows: rows.__delitem__(1)),
    "referenced-file-missing": lambda root: (root / "data/cities.csv").unlink(),
}


FRICTIONLESS_ACCEPTS = {"bom"}  # we warn; frictionless reads past the mark


@pytest.mark.parametrize("case", MINI_CASES)
def test_every_frictionless_error_is_reported_on_the_mini_package(tmp_path, case):
    root = copy_package(MINI, tmp_path / "mini")
    MINI_CASES[case](root)
    missing, found = uncovered(root)
    assert found > 0 or case in FRICTIONLESS_ACCEPTS, "the corruption should be an error frictionless finds too"
    assert not missing, "\n".join(f"{e.path}:{e.line} {e.kind} {e.fields} {e.note}" for e in missing)


def test_the_clean_mini_package_is_valid_for_both(tmp_path):
    root = copy_package(MINI, tmp_path / "mini")
    assert frictionless_errors(root) == []
    report = validate(root)
    assert report.valid and report.rows_checked > 0


# --- Random corruptions, seeded so that a failure can be replayed ---

NASTY_VALUES = ["", "abc", "-1", "0", "1.5", "1e400", "NaN", " 7", "2020-02-30", "2020-1-5", "XXX", "true",
                "TRUE", "n/a", "12,5", "Ö", "1800", "99999999999999999999", "a\nb", '"', "x,y"]


def random_corruption(rng: random.Random, root: Path) -> list[str]:
    """Apply one to three random edits to random cells or rows; returns what it did."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    done = []
    for _ in range(rng.randint(1, 3)):
        resource = rng.choice(descriptor["resources"])
        path = root / resource["path"]
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        if len(rows) < 2:
            continue
        line = rng.randrange(1, len(rows))
        action = rng.choice(["cell", "cell", "cell", "raw-cell", "duplicate", "drop-cell", "delete"])
        if action in ("cell", "raw-cell"):
            column = rng.randrange(len(rows[line]))
            value = rng.choice(NASTY_VALUES)
            if action == "raw-cell":  # written unquoted: commas and quotes break the row as a person would
                lines = path.read_text(encoding="utf-8").split("\n")
                cells = lines[line].split(",")
                cells[min(column, len(cells) - 1)] = value.replace("\n", " ")
                lines[line] = ",".join(cells)
                path.write_text("\n".join(lines), encoding="utf-8")
                done.append(f"{resource['path']} physical line {line + 1} cell {column} := {value!r} (raw)")
                continue
            rows[line][column] = value
        elif action == "duplicate":
            rows.insert(rng.randrange(1, len(rows) + 1), list(rows[line]))
        elif action == "drop-cell":
            rows[line].pop()
        else:
            del rows[line]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        done.append(f"{resource['path']} record {line + 1}: {action}")
    return done


QUICK_SEEDS = range(5)
SLOW_SEEDS = range(5, 50)


@pytest.mark.parametrize(
    "seed", [*QUICK_SEEDS, *(pytest.param(seed, marks=pytest.mark.slow) for seed in SLOW_SEEDS)]
)
def test_random_corruptions_of_the_mini_package(tmp_path, seed):
    root = copy_package(MINI, tmp_path / "mini")
    done = random_corruption(random.Random(seed), root)
    missing, _ = uncovered(root)
    assert not missing, f"after {done}:\n" + "\n".join(f"{e.path}:{e.line} {e.kind} {e.fields} {e.note}" for e in missing)


# --- The real package, once data/ holds every table ---



def first_row_where(table: str, column: str) -> Callable[[list[list[str]]], int]:
    """The first data row whose `column` is not empty (real data has optional columns)."""

    def find(rows: list[list[str]]) -> int:
        position = rows[0].index(column)
        return next(number for number, row in enumerate(rows[1:], start=1) if row[position])

    return find


def real_value(table: str, column: str, value: str) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        def change(rows: list[list[str]]) -> None:
            rows[first_row_where(table, column)(rows)][rows[0].index(column)] = value

        edit_rows(root / "data" / f"{table}.csv", change)

    return corrupt


# Corruptions of different tables share one copy: frictionless takes a second per run.
REAL_BATCHES = {
    "cells": (
        [
            real_value("demographics", "year", "20x5"),
            real_value("countries", "name", ""),
            rows_edit("ethnic_groups", duplicate_row),
            real_value("borders", "neighbor", "XXX"),
            real_value("age_structure", "age_band", "0-15"),
            real_value("countries", "iso2", "k1"),
            real_value("forces", "year", "1700"),
            real_value("ethnic_groups", "percent", "120"),
        ],
        {"type-error", "constraint-error", "primary-key", "foreign-key"},
    ),
    "layout": (
        [
            rows_edit("countries", insert_column),
            rows_edit("organizations", drop_column),
            rows_edit("infrastructure", lambda rows: rows[3].pop()),
            rows_edit("memberships", lambda rows: rows.insert(4, [])),
        ],
        {"extra-label", "incorrect-label", "missing-label", "missing-cell", "blank-row"},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("batch", REAL_BATCHES)
def test_every_frictionless_error_is_reported_on_the_real_package(tmp_path, batch):
    corruptions, kinds = REAL_BATCHES[batch]
    root = copy_package(REPO, tmp_path / "real")
    for corrupt in corruptions:
        corrupt(root)
    expected = frictionless_errors(root)
    assert kinds <= {error.kind for error in expected}, "each corruption should be an error frictionless finds too"
    missing, _ = uncovered(root)
    assert not missing, "\n".join(f"{e.path}:{e.line} {e.kind} {e.fields} {e.note}" for e in missing[:20])


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2))
def test_random_corruptions_of_the_real_package(tmp_path, seed):
    root = copy_package(REPO, tmp_path / "real")
    done = random_corruption(random.Random(seed), root)
    missing, _ = uncovered(root)
    assert not missing, f"after {done}:\n" + "\n".join(f"{e.path}:{e.line} {e.kind} {e.note}" for e in missing[:20])
