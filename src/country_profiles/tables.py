"""Canonical CSV form of the package's tables, shared by the importer and the formatter.

Canonical means: UTF-8, LF line ends, columns in schema order, rows sorted by primary key,
minimal quoting, integers without a decimal point, decimals without exponent or trailing
zeros, booleans as true/false, empty cells for missing values.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from country_profiles import safe_io, strict_json
from country_profiles.safe_io import PackagePathError, path_problem  # noqa: F401 (the one definition)


def load_descriptor(root: Path) -> dict[str, Any]:
    return json_file(root / "datapackage.json", root)


def package_file(root: Path, declared: Any, what: str = "path") -> Path:
    """The file a descriptor's `declared` path names under `root`. Raises PackagePathError when
    it is not a relative path staying inside the package (symlinks included), so that no tool
    reads, or rewrites, a file elsewhere on the machine, and none downloads anything."""
    if not isinstance(declared, str):
        raise PackagePathError(f"{root / 'datapackage.json'}: {what} {declared!r} is not a string")
    problem = path_problem(declared)
    if problem is None:
        try:
            safe_io.check_inside(root, declared)
        except safe_io.MissingFileError:
            pass  # the reader says so (validation reports a missing table)
        except PackagePathError as exc:
            problem = exc.reason
    if problem is not None:
        raise PackagePathError(f"{root / 'datapackage.json'}: {what} {declared!r} {problem}")
    return root / declared


def table_schema(root: Path, resource: Mapping[str, Any]) -> dict[str, Any]:
    schema = resource["schema"]
    if isinstance(schema, str):
        what = f"resource {resource.get('name')!r}: schema path"
        return json_file(package_file(root, schema, what), root)
    return dict(schema)


def schemas_by_resource(root: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """resource name -> (CSV path relative to root, Table Schema). Raises PackagePathError for a
    path that is a URL or leaves the package (see `package_file`)."""
    descriptor = load_descriptor(root)
    found = {}
    for r in descriptor["resources"]:
        package_file(root, r["path"], f"resource {r['name']!r}: path")
        found[r["name"]] = (r["path"], table_schema(root, r))
    return found


def format_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if value == 0:
            return "0"  # also for -0 and 0E-7
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def sort_key(schema: Mapping[str, Any]):
    """Rows sorted by primary key; numbers compare as numbers, missing values first."""
    key_fields = schema.get("primaryKey") or [schema["fields"][0]["name"]]
    if isinstance(key_fields, str):
        key_fields = [key_fields]

    def key(row: Mapping[str, Any]) -> tuple:
        parts = []
        for name in key_fields:
            value = row.get(name)
            if value is None or value == "":
                parts.append((0, 0, ""))
            elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                parts.append((1, value, ""))
            else:
                parts.append((2, 0, str(value)))
        return tuple(parts)

    return key


def render_csv(rows: Iterable[Mapping[str, Any]], schema: Mapping[str, Any]) -> str:
    """The canonical text of a table with these rows (unknown keys are an error)."""
    columns = [f["name"] for f in schema["fields"]]
    known = set(columns)
    booleans = {f["name"]: boolean_spellings(f) for f in schema["fields"] if f.get("type") == "boolean"}
    out = io.StringIO()
    write_record = _record_writer(out)
    write_record(columns)
    for row in sorted(rows, key=sort_key(schema)):
        extra = set(row) - known
        if extra:
            raise ValueError(f"row has columns the schema does not declare: {sorted(extra)}")
        cells = [row.get(c) for c in columns]
        write_record([booleans[c][v] if c in booleans and isinstance(v, bool) else format_cell(v)
                      for c, v in zip(columns, cells)])
    return out.getvalue()


def boolean_spellings(field: Mapping[str, Any]) -> dict[bool, str]:
    """How a boolean field writes its values: true and false, unless its trueValues/falseValues
    leave them out (["yes"], ["no"]): then the first it declares, so the text stays valid."""
    spellings = {}
    for value, key, usual in ((True, "trueValues", "true"), (False, "falseValues", "false")):
        declared = field.get(key)
        valid = isinstance(declared, list) and declared and all(isinstance(item, str) for item in declared)
        spellings[value] = declared[0] if valid and usual not in declared else usual
    return spellings


def _record_writer(out: io.StringIO):
    # With "\n" as terminator the csv module leaves a bare "\r" in a cell unquoted, and
    # readers then split the row there; "\r\n" makes it quote both, and we end the line with LF.
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def write(cells: list[str]) -> None:
        record.seek(0)
        record.truncate()
        writer.writerow(cells)
        out.write(record.getvalue()[:-2] + "\n")

    return write


def read_rows(path: Path, root: Path | None = None) -> list[dict[str, str]]:
    """A table's rows as text cells (empty cells stay empty strings); read through the package
    guard when `root` is given."""
    handle = safe_io.open_text_inside(root, path) if root is not None else path.open(encoding="utf-8", newline="")
    with handle:
        return list(csv.DictReader(handle))


def json_file(path: Path, root: Path | None = None) -> dict[str, Any]:
    """A JSON file's content, read through the package guard when `root` is given (see safe_io).
    ValueError (not RecursionError) for one nested too deeply, or with a key given twice."""
    data = safe_io.read_inside(root, path) if root is not None else path.read_bytes()
    try:
        return strict_json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ValueError(f"{path}: JSON nested too deeply to read") from None
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


# Reading a table back into typed values: what the formatter respells and the diff compares.

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")
MAX_EXPONENT = 400  # beyond this a number written out without exponent gets unreadably long


class CellError(ValueError):
    """A cell's text is not a value of its field's type; the message says what was expected."""


def parse_cell(text: str, field: Mapping[str, Any]) -> Any:
    """The value one cell holds: None (empty), str, int, Decimal, bool or datetime.date.

    Every spelling of one value parses to that value (" 1.50", "1.5e0" and "1.5" alike), so
    the canonical writer can respell it without changing it. Numbers are Decimal, never float,
    so no digit is rounded away. Types other than these keep their text.
    """
    if text == "":
        return None
    kind = field.get("type", "string")
    if kind not in ("integer", "number", "boolean", "date"):
        return text
    bare = text.strip()
    if kind == "boolean":
        if bare in (*_TRUE, *field.get("trueValues", ())):
            return True
        if bare in (*_FALSE, *field.get("falseValues", ())):
            return False
        raise CellError(f"{text!r} is not a boolean (write true or false)")
    if kind == "date":
        try:
            if _DATE.fullmatch(bare):
                return datetime.date.fromisoformat(bare)
        except ValueError:
            pass
        raise CellError(f"{text!r} is not a date (write YYYY-MM-DD)")
    number = _parse_number(text, bare)
    if kind == "number":
        return number
    if _INTEGER.fullmatch(bare) or number == number.to_integral_value():
        return int(number)
    raise CellError(f"{text!r} is not an integer")


def _parse_number(text: str, bare: str) -> Decimal:
    if not _NUMBER.fullmatch(bare):
        hint = " (write it without thousands separators)" if _GROUPED_NUMBER.fullmatch(bare) else ""
        raise CellError(f"{text!r} is not a number{hint}")
    try:
        number = Decimal(bare)
    except InvalidOperation:  # the pattern admits only what Decimal reads; belt and braces
        raise CellError(f"{text!r} is not a number") from None
    if number and abs(number.adjusted()) > MAX_EXPONENT:
        raise CellError(f"{text!r} is too large or too small to write out in full")
    return number


@dataclass(frozen=True)
class TableProblem:
    """Why a table cannot be read faithfully, at a line of the file (header = line 1)."""

    line: int
    message: str


@dataclass
class ParsedTable:
    """A table's header and rows. Rows map each header column to its typed value; a cell that
    does not parse keeps its text, and `problems` says so."""

    header: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the line each row starts on
    problems: list[TableProblem] = field(default_factory=list)


def decode_table(data: bytes) -> tuple[str, list[TableProblem]]:
    """The text of a table file: UTF-8, byte-order mark dropped. Undecodable bytes are a problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", [TableProblem(line, f"not UTF-8: byte {data[exc.start]:#04x} cannot be decoded")]
    return text.removeprefix("\ufeff"), []


def missing_markers(schema: Mapping[str, Any], field: Mapping[str, Any]) -> frozenset[str]:
    """The missing values of a field other than the empty cell ("n/a", "-"): the field's own
    missingValues, else the schema's, as validation reads them."""
    for declared in (field.get("missingValues"), schema.get("missingValues")):
        if isinstance(declared, list) and all(isinstance(item, str) for item in declared):
            return frozenset(declared) - {""}
    return frozenset()


def parse_table(text: str, schema: Mapping[str, Any]) -> ParsedTable:
    """Read a table's text under its Table Schema, collecting every problem instead of stopping.

    Blank lines are layout and are skipped; malformed quoting ends the reading at its line.
    """
    fields = {f["name"]: f for f in schema["fields"]}
    markers = {name: missing_markers(schema, field) for name, field in fields.items()}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    parsed = ParsedTable(header=[])
    try:
        header = next(reader, None)
        if header is None:
            parsed.problems.append(TableProblem(1, "the file is empty; the first line must be the header"))
            return parsed
        parsed.header = header
        parsed.problems += _header_problems(header, list(fields))
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not cells:
                continue
            if len(cells) != len(header):
                hint = "; a comma in a text cell? put the cell in double quotes" if len(cells) > len(header) else ""
                parsed.problems.append(
                    TableProblem(line, f"the row has {len(cells)} cells but the header has {len(header)} columns{hint}")
                )
            row = {}
            for name, cell in zip(header, cells):
                if cell in markers.get(name, ()):  # "n/a" and the like: kept as written, never a value
                    row[name] = cell
                    continue
                try:
                    row[name] = parse_cell(cell, fields[name]) if name in fields else cell
                except CellError as exc:
                    parsed.problems.append(TableProblem(line, f"column {name}: {exc}"))
                    row[name] = cell
            parsed.rows.append(row)
            parsed.lines.append(line)
    except csv.Error as exc:
        parsed.problems.append(TableProblem(reader.line_num or 1, f"malformed CSV: {exc}"))
    return parsed


def _header_problems(header: list[str], expected: list[str]) -> list[TableProblem]:
    problems = []
    duplicated = sorted({name for name in header if header.count(name) > 1})
    unknown = [name for name in header if name not in expected]
    missing = [name for name in expected if name not in header]
    if duplicated:
        problems.append(TableProblem(1, f"columns named twice in the header: {', '.join(duplicated)}"))
    if unknown:
        problems.append(TableProblem(1, f"columns the schema does not declare: {', '.join(unknown)}"))
    if missing:
        problems.append(TableProblem(1, f"columns the schema declares but the header lacks: {', '.join(missing)}"))
    return problems
