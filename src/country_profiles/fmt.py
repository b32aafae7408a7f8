"""`country-profiles fmt [--check] [PATH ...]`: put every table in canonical form.

Canonical form is the one the importer writes (see `tables.py`): UTF-8 without byte-order
mark, LF line ends, columns in schema order, rows sorted by primary key, minimal quoting,
one spelling per number and boolean. Layout only: a table is rewritten from the values it
holds and the rewrite is read back and compared before anything is written. A file whose
values cannot all be read (a cell that is not of its column's type, a column the schema
lacks, malformed CSV) is left as it is and reported with its line, so no value is ever lost.

Exit status: 0 all tables canonical (or rewritten), 1 a table is not canonical (--check) or
was refused, 2 the command could not run.
"""

from __future__ import annotations

import argparse
import json
import csv
import difflib
import io
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from decimal import Decimal
from typing import Any

from country_profiles import safe_io, tables
from country_profiles.paths import default_package

EXIT_OK, EXIT_NOT_CANONICAL, EXIT_USAGE = 0, 1, 2
# Hand-edited inputs of the importer that are not resources of the package but are tables too
# (a test fails when curated/ holds a CSV that is not listed here).
CURATED_TABLES = {
    "curated/borders.csv": "schemas/borders.schema.json",
    "curated/exclusions.csv": "schemas/exclusions.schema.json",
    "curated/corrections.csv": "schemas/corrections-cells.schema.json",
}
MAX_DIFF_LINES = 200  # per file; a file with CRLF line ends differs on every line
MAX_PROBLEMS = 20  # per refused file


@dataclass(frozen=True)
class TableFile:
    """A CSV file the formatter knows the Table Schema of."""

    relpath: str  # relative to the package root, as datapackage.json spells it
    path: Path
    schema: dict[str, Any]
    root: Path | None = None  # the package root: every read and write goes through safe_io under it


@dataclass
class Outcome:
    table: TableFile
    status: str  # "canonical", "not canonical", "refused" or "missing"
    original: str = ""
    canonical: str = ""
    problems: list[tables.TableProblem] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


class UsageError(Exception):
    """The command cannot run: the message names the path and what is wrong with it."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH",
        help="datapackage.json, its folder, or table CSV files of it (default: this clone's package)",
    )
    parser.add_argument(
        "--check", action="store_true",
        help="write nothing; show a diff of each table that is not canonical and exit 1 if there is one",
    )


def run(args: argparse.Namespace) -> int:
    try:
        selected = select_tables(args.paths or [default_package()])
    except UsageError as exc:
        print(f"country-profiles fmt: {exc}", file=sys.stderr)
        return EXIT_USAGE
    outcomes = [check_table(table) for table in selected]
    if args.check:
        return report_check(outcomes)
    return rewrite(outcomes)


# Which files


def package_tables(root: Path) -> list[TableFile]:
    """Every table of the package at `root`, plus the curated tables present beside it."""
    try:
        resources = tables.schemas_by_resource(root)
    except tables.PackagePathError as exc:
        raise UsageError(f"{exc}; nothing was read or written") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{root / 'datapackage.json'}: cannot read the package ({type(exc).__name__}: {exc}); "
                         f"`country-profiles validate {root}` says what is wrong") from None
    found = [TableFile(path, root / path, schema, root) for path, schema in resources.values()]
    for relpath, schema_path in CURATED_TABLES.items():
        if os.path.lexists(root / relpath) and os.path.lexists(root / schema_path):
            try:
                schema = tables.json_file(root / schema_path, root)
            except ValueError as exc:  # PackagePathError included: a link out, a FIFO, a duplicate key
                raise UsageError(f"{root / schema_path}: {exc}; nothing was written") from None
            found.append(TableFile(relpath, root / relpath, schema, root))
    return found


def select_tables(paths: list[Path]) -> list[TableFile]:
    """The tables named by `paths`: whole packages, or single CSV files of a package."""
    selected: dict[Path, TableFile] = {}
    for path in paths:
        if path.is_dir() or path.name == "datapackage.json":
            root = path if path.is_dir() else path.parent
            if not (root / "datapackage.json").is_file():
                raise UsageError(f"{path}: no datapackage.json there")
            for table in package_tables(root):
                selected.setdefault(table.path.resolve(), table)
        elif path.suffix.lower() == ".csv":
            table = _table_of_file(path)
            selected.setdefault(table.path.resolve(), table)
        else:
            raise UsageError(f"{path}: not a data package, its folder, or a CSV table")
    return list(selected.values())


def _table_of_file(path: Path) -> TableFile:
    resolved = path.resolve()
    for root in resolved.parents:
        if (root / "datapackage.json").is_file():
            for table in package_tables(root):
                if table.path.resolve() == resolved:
                    return table
            raise UsageError(f"{path}: not a table of {root / 'datapackage.json'}; add it there first")
    raise UsageError(f"{path}: no datapackage.json in any folder above it")


# Formatting one table


def format_table(data: bytes, schema: dict[str, Any]) -> tuple[str | None, list[tables.TableProblem]]:
    """The canonical text of a table file's bytes, or None and the problems that prevent it."""
    text, problems = tables.decode_table(data)
    if problems:
        return None, problems
    parsed = tables.parse_table(text, schema)
    if parsed.problems:
        return None, parsed.problems
    canonical = tables.render_csv(parsed.rows, schema)
    again = tables.parse_table(canonical, schema)
    names = [f["name"] for f in schema["fields"]]
    if again.problems or _row_counts(again.rows, names) != _row_counts(parsed.rows, names):
        # Cannot happen unless the writer has a bug; refusing keeps the data safe if it does.
        return None, [tables.TableProblem(1, "the canonical form would not hold the same values; left as it is")]
    return canonical, []


def _row_counts(rows: list[dict[str, Any]], names: list[str]) -> Counter:
    return Counter(tuple(_comparable(row[name]) for name in names) for row in rows)


def _comparable(value: Any) -> Any:
    """A value that counts as equal to an equal value: JSON values as text, NaN as itself."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, Decimal) and value.is_nan():
        return "NaN"
    return value


def check_table(table: TableFile) -> Outcome:
    if not os.path.lexists(table.path):
        return Outcome(table, "missing")
    try:
        data = safe_io.read_inside(table.root or table.path.parent, table.relpath if table.root else table.path.name)
    except safe_io.PackagePathError as exc:
        return Outcome(table, "refused", problems=[tables.TableProblem(1, f"not read: it {exc.reason}")])
    except OSError as exc:
        return Outcome(table, "refused", problems=[tables.TableProblem(1, f"cannot read the file: {exc.strerror or exc}")])
    canonical, problems = format_table(data, table.schema)
    original = data.decode("utf-8", errors="replace")
    if canonical is None:
        return Outcome(table, "refused", original, problems=problems)
    if canonical.encode("utf-8") == data:
        return Outcome(table, "canonical", original, canonical)
    return Outcome(table, "not canonical", original, canonical, reasons=layout_differences(data, canonical, table.schema))


def layout_differences(data: bytes, canonical: str, schema: dict[str, Any]) -> list[str]:
    """What makes a file differ from its canonical form, in words a contributor recognises."""
    text = data.decode("utf-8").removeprefix("\ufeff")
    parsed = tables.parse_table(text, schema)
    columns = [f["name"] for f in schema["fields"]]
    reasons = []
    if data.startswith(b"\xef\xbb\xbf"):
        reasons.append("starts with a byte-order mark")
    if "\r\n" in text.replace("\r\n", "", 1) or text.endswith("\r\n"):
        reasons.append("CRLF line ends")
    if text and not text.endswith("\n"):
        reasons.append("no line end after the last row")
    if parsed.header != columns:
        reasons.append("columns not in schema order")
    key = tables.sort_key(schema)
    if any(key(a) > key(b) for a, b in zip(parsed.rows, parsed.rows[1:])):
        reasons.append("rows not sorted by primary key")
    if len(parsed.rows) + 1 < text.count("\n") - _newlines_in_cells(parsed.rows):
        reasons.append("blank lines")
    respelled = _respelled_cells(text, canonical)
    if respelled:
        reasons.append(f"{respelled} cells spelled or quoted differently")
    return reasons or ["quotes around cells that need none"]  # all else is the same


def _newlines_in_cells(rows: list[dict[str, Any]]) -> int:
    return sum(str(v).count("\n") for row in rows for v in row.values() if isinstance(v, str))


def _respelled_cells(text: str, canonical: str) -> int:
    """Cells whose text differs between the file and its canonical form (rows and columns matched
    by sorting, so a rough count that is exact when only spellings changed)."""

    def records(source: str) -> list[list[str]]:
        reader = csv.reader(io.StringIO(source, newline=""))
        header = next(reader, [])
        order = sorted(range(len(header)), key=lambda i: header[i])
        return sorted([[r[i] for i in order] for r in reader if r and len(r) == len(header)])

    return sum(a != b for old, new in zip(records(text), records(canonical)) for a, b in zip(old, new))


# Reporting


def report_check(outcomes: list[Outcome]) -> int:
    """--check: a unified diff of each table that is not canonical, and a summary."""
    for outcome in outcomes:
        if outcome.status == "not canonical":
            sys.stdout.write(unified_diff(outcome))
    _report_problems(outcomes)
    counts = Counter(o.status for o in outcomes)
    failing = counts["not canonical"] + counts["refused"]
    for outcome in outcomes:
        if outcome.status == "not canonical":
            print(f"{outcome.table.relpath}: not canonical: {'; '.join(outcome.reasons)}", file=sys.stderr)
    print(_summary(counts), file=sys.stderr)
    if counts["not canonical"]:
        print("Run `country-profiles fmt` (or `nox -s fmt -- --write`) to rewrite them.", file=sys.stderr)
    return EXIT_NOT_CANONICAL if failing else EXIT_OK


def rewrite(outcomes: list[Outcome]) -> int:
    """Write the canonical form of each table that is not canonical; leave the rest untouched."""
    for outcome in outcomes:
        if outcome.status != "not canonical":
            continue
        try:
            table = outcome.table
            safe_io.write_inside(table.root or table.path.parent, table.relpath if table.root else table.path.name,
                                 outcome.canonical.encode("utf-8"))
        except safe_io.PackagePathError as exc:
            outcome.status = "refused"
            outcome.problems = [tables.TableProblem(1, f"not written: {exc}")]
            continue
        except OSError as exc:
            outcome.status = "refused"
            outcome.problems = [tables.TableProblem(1, f"cannot write the file: {exc.strerror or exc}")]
            continue
        print(f"{outcome.table.relpath}: rewritten ({'; '.join(outcome.reasons)})", file=sys.stderr)
    _report_problems(outcomes)
    counts = Counter(o.status for o in outcomes)
    print(_summary(counts, rewritten=True), file=sys.stderr)
    return EXIT_NOT_CANONICAL if counts["refused"] else EXIT_OK


def _report_problems(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        where = outcome.table.relpath
        if outcome.status == "missing":
            print(f"{where}: no such file; skipped (validation reports missing tables)", file=sys.stderr)
        if outcome.status != "refused":
            continue
        for problem in outcome.problems[:MAX_PROBLEMS]:
            print(f"{where}:{problem.line}: {problem.message}", file=sys.stderr)
        if len(outcome.problems) > MAX_PROBLEMS:
            print(f"{where}: ... and {len(outcome.problems) - MAX_PROBLEMS} more problems", file=sys.stderr)
        print(f"{where}: left as it is: fmt rewrites only tables whose every value it can read", file=sys.stderr)


def _summary(counts: Counter, rewritten: bool = False) -> str:
    parts = [f"{counts['canonical']} canonical"]
    parts.append(f"{counts['not canonical']} {'rewritten' if rewritten else 'not canonical'}")
    parts.append(f"{counts['refused']} refused")
    if counts["missing"]:
        parts.append(f"{counts['missing']} missing")
    return "fmt: " + ", ".join(parts)


def unified_diff(outcome: Outcome) -> str:
    """The change fmt would make, as a unified diff (line ends shown when they are what differs)."""
    before = _lines(outcome.original)
    after = _lines(outcome.canonical)
    if any(line.endswith("\r\n") for line in before):
        before = [line[:-2] + "\\r\n" if line.endswith("\r\n") else line for line in before]
    name = outcome.table.relpath
    lines = list(difflib.unified_diff(before, after, f"a/{name}", f"b/{name} (canonical)"))
    lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... {len(lines) - MAX_DIFF_LINES} more diff lines for {name}\n"]
    return "".join(lines)


def _lines(text: str) -> list[str]:
    # str.splitlines would also split at U+2028 and other characters that are not line ends in CSV.
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines
