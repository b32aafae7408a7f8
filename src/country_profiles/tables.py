"""Canonical CSV form of the package's tables, shared by the importer and the formatter.

Canonical means: UTF-8, LF line ends, columns in schema order, rows sorted by primary key,
minimal quoting, integers without a decimal point, decimals without exponent or trailing
zeros, booleans as true/false, empty cells for missing values.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any


def load_descriptor(root: Path) -> dict[str, Any]:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def table_schema(root: Path, resource: Mapping[str, Any]) -> dict[str, Any]:
    schema = resource["schema"]
    if isinstance(schema, str):
        return json.loads((root / schema).read_text(encoding="utf-8"))
    return dict(schema)


def schemas_by_resource(root: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """resource name -> (CSV path relative to root, Table Schema)."""
    descriptor = load_descriptor(root)
    return {r["name"]: (r["path"], table_schema(root, r)) for r in descriptor["resources"]}


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
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                parts.append((1, value, ""))
            else:
                parts.append((2, 0, str(value)))
        return tuple(parts)

    return key


def render_csv(rows: Iterable[Mapping[str, Any]], schema: Mapping[str, Any]) -> str:
    """The canonical text of a table with these rows (unknown keys are an error)."""
    columns = [f["name"] for f in schema["fields"]]
    known = set(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in sorted(rows, key=sort_key(schema)):
        extra = set(row) - known
        if extra:
            raise ValueError(f"row has columns the schema does not declare: {sorted(extra)}")
        writer.writerow([format_cell(row.get(c)) for c in columns])
    return out.getvalue()


def read_rows(path: Path) -> list[dict[str, str]]:
    """A table's rows as text cells (empty cells stay empty strings)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def json_file(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
