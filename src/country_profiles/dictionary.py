"""`country-profiles dictionary`: the data dictionary (docs/data-dictionary.md), generated.

Everything in it comes from datapackage.json, the Table Schemas (through the Pandera schemas
built from them, `cp.schema(name)`: dtypes, column checks, the rules as named checks),
data/indicators.csv and schemas/profile.schema.json, so it cannot say something the package
does not. `--write`
regenerates the file; `--check` prints a diff and exits 1 when the file is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from country_profiles import api, tables
from country_profiles.export import SQLITE_NAME, SQLITE_TYPES
from country_profiles.generated import EXIT_STALE, publish
from country_profiles.pandera_schemas import check_text, schema as frame_schema

if TYPE_CHECKING:
    import pandera.pandas as pa

TARGET = Path("docs/data-dictionary.md")
PROFILE_SCHEMA = Path("schemas/profile.schema.json")

VERSIONING = """\
The package follows [semantic versioning](https://semver.org): `version` in datapackage.json,
which is also the version of the Python package. For a release MAJOR.MINOR.PATCH:

- **major**: a breaking change to a table's columns: a table or column removed or renamed, a
  column's type, unit or meaning changed, a primary key changed, a constraint tightened so that
  data valid before is not any more, an indicator removed or redefined;
- **minor**: something added without breaking a reader: a table, a column, an indicator, an
  enum value, a constraint relaxed;
- **patch**: data added or corrected without any change to tables, columns or indicators.

Every version has an entry in CHANGELOG.md; a test keeps the changelog, datapackage.json,
pyproject.toml and `country_profiles.__version__` in step."""


def configure(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"write {TARGET}")
    mode.add_argument("--check", action="store_true", help=f"exit {EXIT_STALE} with a diff when {TARGET} is stale")
    parser.add_argument("--package", type=Path, default=None,
                        help="datapackage.json or its folder (default: the package this installation ships)")


def run(args: argparse.Namespace) -> int:
    try:
        root = api.package_root(args.package)
        text = render(root)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        print(f"country-profiles dictionary: {exc}", file=sys.stderr)
        return 2
    return publish(text, root / TARGET, write=args.write, check=args.check,
                   command="country-profiles dictionary --write", name=str(TARGET))


def cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


def code(value: Any) -> str:
    return f"`{cell(value)}`" if value not in (None, "") else ""


def table_rows(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def constraint_text(field: Mapping[str, Any], column: "pa.Column") -> str:
    """The column's constraints as its Pandera schema checks them (how booleans are written is
    the CSV's business, from the Table Schema)."""
    parts = []
    if not column.nullable:
        parts.append("required")
    if column.unique:
        parts.append("unique")
    parts += [check_text(check) for check in column.checks]
    if field.get("type") == "boolean" and "trueValues" in field:
        parts.append(f"written {'/'.join(field['trueValues'] + field.get('falseValues', []))}")
    return "; ".join(parts)


def _reference(fields: list[str], referenced: str, referenced_fields: list[str]) -> str:
    return f"{', '.join(code(f) for f in fields)} → {code(referenced + '.' + ', '.join(referenced_fields))}"


def render_table(name: str, resource: Mapping[str, Any], schema: Mapping[str, Any], frame_schema: "pa.DataFrameSchema") -> list[str]:
    """A table's section, from its Pandera schema (`cp.schema(name)`: dtypes, column checks and
    the rules as named checks) and the Table Schema it is built from (types, units, keys)."""
    key = api.primary_key(schema)
    lines = [f"### {name}", "", f"**{cell(resource.get('title', name))}.** {cell(resource.get('description', ''))}", ""]
    lines.append(f"- File: {code(resource['path'])}; schema: {code(resource['schema'])}")
    lines.append(f"- Primary key (the index of `load({name!r})`): {', '.join(code(k) for k in key) or 'none'}")
    references = api.foreign_keys(schema, name)
    if references:
        lines.append("- Foreign keys: " + "; ".join(_reference(*r) for r in references))
    if frame_schema.checks:
        rules = ", ".join(f"[`{c.name}`](rules.md#{c.name}-{'warning' if c.raise_warning else 'error'})"
                          for c in frame_schema.checks)
        lines.append(f"- Rules, named checks of `cp.schema({name!r})`: {rules}")
    lines.append("")
    rows = []
    for field in schema["fields"]:
        kind = field.get("type", "string")
        column = frame_schema.columns[field["name"]]
        rows.append([
            code(field["name"]),
            kind,
            code(str(column.dtype.type)),
            SQLITE_TYPES.get(kind, "TEXT"),
            cell(field.get("unit", "")),
            cell(constraint_text(field, column)),
            cell(field.get("description", "")),
        ])
    lines += table_rows(["field", "type", "pandas", "SQLite", "unit", "constraints", "description"], rows)
    return lines + [""]


def render_indicators(root: Path, path: str) -> list[str]:
    rows = tables.read_rows(path, root)  # through safe_io
    lines = ["## Indicators", "",
             f"The indicator tables hold one row per country, indicator and year; {code(path)} defines each",
             "indicator: its table, unit, whether values are whole numbers, and the bounds the rules enforce",
             "(empty maximum: the only upper bound is a rule relative to other indicators).", ""]
    for table in api.INDICATOR_TABLES:
        members = [r for r in rows if r["table"] == table]
        lines += [f"### {table} indicators", ""]
        lines += table_rows(
            ["id", "unit", "integer", "minimum", "maximum", "description"],
            [[code(r["id"]), code(r["unit"]), r["integer"], r["minimum"], r["maximum"], cell(r["description"])]
             for r in members],
        )
        lines.append("")
    return lines


def render_profile(root: Path) -> list[str]:
    path = root / PROFILE_SCHEMA
    if not path.is_file():
        return []
    schema = tables.json_file(path)
    lines = ["## Profiles", "",
             "`country_profiles.profile(iso3)` and `country-profiles export --format json` give a profile per",
             f"country, valid against {code(PROFILE_SCHEMA)} (JSON Schema 2020-12). Its parts:", ""]
    properties = schema.get("properties", {})
    lines += table_rows(["key", "content"], [
        [code(name), cell(part.get("description") or schema["$defs"].get(name, {}).get("description", ""))]
        for name, part in properties.items()
    ])
    return lines + [""]


def render(root: Path) -> str:
    """The whole data dictionary for the package at `root`."""
    descriptor = tables.load_descriptor(root)
    schemas = {name: schema for name, (_, schema) in tables.schemas_by_resource(root).items()}
    resources = {r["name"]: r for r in descriptor["resources"]}
    licences = ", ".join(l.get("name", l.get("title", "")) for l in descriptor.get("licenses", []))
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by `country-profiles dictionary --write` from datapackage.json, schemas/ and",
        "     data/indicators.csv: do not edit by hand. `country-profiles dictionary --check` and the",
        "     tests fail when this file is stale. -->",
        "",
        f"**{descriptor['name']}** version {descriptor['version']} ({licences}). {cell(descriptor.get('description', ''))}",
        "",
        "## Versions",
        "",
        VERSIONING,
        "",
        "## Types",
        "",
        "How each Table Schema type appears in the CSV files, in pandas (`country_profiles.load`), in",
        f"SQLite (`export --format sqlite`, {code(SQLITE_NAME)}) and in Parquet (`export --format parquet`).",
        "A string field is a *code* when it has an enum or a pattern, or is part of a foreign key or",
        "referenced by one; pandas makes codes categorical (an enum's categories in declared order,",
        "other codes' categories sorted). Missing values are empty cells in CSV, `<NA>`/`NaN` in",
        "pandas, NULL in SQLite and Parquet. The index of `load(table)` is the table's primary key;",
        "Parquet and SQLite keep the key as ordinary columns. Parquet stores dates as date32, which",
        "pandas reads as `datetime.date` objects (`pd.to_datetime` makes them `datetime64`).",
        "`country_profiles.schema(table)` is a Pandera schema with these dtypes and constraints, and",
        "the table's rules as named checks: `cp.schema(table).validate(frame, lazy=True)` checks a frame",
        "of your own (the key as its index, as `load` gives it, or as columns).",
        "",
    ]
    lines += table_rows(["Table Schema", "CSV", "pandas", "SQLite", "Parquet"], [
        ["integer", "`2025`", "`Int64`", "INTEGER", "int64"],
        ["number", "`1.6`, `0.0000012` (no exponent)", "`float64`", "NUMERIC (whole values stored as INTEGER)", "double"],
        ["boolean", "`true`/`false`", "`boolean`", "INTEGER 0/1 (CHECK)", "bool"],
        ["date", "`2026-01-22`", "`datetime64[ns]`", "TEXT (ISO 8601)", "date32"],
        ["string (code)", "text", "`category`", "TEXT", "`dictionary<string>`"],
        ["string (free text)", "text", "`str`", "TEXT", "string"],
    ])
    lines += ["", "## Tables", ""]
    lines += table_rows(["table", "title", "primary key"], [
        [f"[{name}](#{name})", cell(resources[name].get("title", "")),
         ", ".join(code(k) for k in api.primary_key(schema))]
        for name, schema in schemas.items()
    ])
    lines.append("")
    for name, schema in schemas.items():
        lines += render_table(name, resources[name], schema, frame_schema(name, root))
    if "indicators" in resources:
        lines += render_indicators(root, resources["indicators"]["path"])
    lines += render_profile(root)
    return "\n".join(lines).rstrip("\n") + "\n"
