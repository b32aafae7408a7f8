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
from decimal import Decimal
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from country_profiles import codec, safe_io, strict_json
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
    """A value as text when its field is not at hand (diff, reports): numbers as the codec writes them."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: pandas' missing value
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return codec.format_number(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
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
    """The canonical text of a table with these rows (unknown keys are an error); each value is
    written by its field's codec, and text (a missing-value marker such as "n/a") as it is."""
    columns = [f["name"] for f in schema["fields"]]
    known = set(columns)
    codecs = [codec.field_codec(f, schema) for f in schema["fields"]]
    out = io.StringIO()
    write_record = _record_writer(out)
    write_record(columns)
    for row in sorted(rows, key=sort_key(schema)):
        extra = set(row) - known
        if extra:
            raise ValueError(f"row has columns the schema does not declare: {sorted(extra)}")
        write_record([cell_codec.write(row.get(c)) for c, cell_codec in zip(columns, codecs)])
    return out.getvalue()


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

CellError = codec.CellError


class Marker(str):
    """A missing-value marker other than the empty cell ("n/a"): kept as written, never a value."""


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


def parse_table(text: str, schema: Mapping[str, Any]) -> ParsedTable:
    """Read a table's text under its Table Schema, collecting every problem instead of stopping.

    Blank lines are layout and are skipped; malformed quoting ends the reading at its line.
    """
    codecs = {f["name"]: codec.field_codec(f, schema) for f in schema["fields"]}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    parsed = ParsedTable(header=[])
    try:
        header = next(reader, None)
        if header is None:
            parsed.problems.append(TableProblem(1, "the file is empty; the first line must be the header"))
            return parsed
        parsed.header = header
        parsed.problems += _header_problems(header, list(codecs))
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
                row[name], problem = read_cell(codecs.get(name), cell)
                if problem:
                    parsed.problems.append(TableProblem(line, f"column {name}: {problem}"))
            parsed.rows.append(row)
            parsed.lines.append(line)
    except csv.Error as exc:
        parsed.problems.append(TableProblem(reader.line_num or 1, f"malformed CSV: {exc}"))
    return parsed


def read_cell(cell_codec: codec.FieldCodec | None, text: str) -> tuple[Any, str | None]:
    """A cell's value and why validation refuses it (None if it does not): what fmt and diff
    read. A refused cell keeps its text, so no tool ever turns it into an accepted value."""
    if cell_codec is None:
        return text, None
    if text in cell_codec.missing_values:
        return (Marker(text) if text else None), None
    try:
        value = cell_codec.parse(text)
    except CellError as exc:
        return text, str(exc)
    problem = codec.spelling_problem(cell_codec, text)
    return (value, None) if problem is None else (text, problem)


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
