"""`country-profiles export --format json|sqlite|parquet OUT`: the package in formats others read.

json:    OUT/profiles/ISO3.json, one profile per country, and OUT/profiles.json with all of them
         (both valid against schemas/profile.schema.json);
sqlite:  OUT/country-profiles.sqlite, one table per resource with its primary key, foreign
         keys, NOT NULL, UNIQUE and CHECK constraints; each column's description is a comment
         in the CREATE TABLE statement (`.schema` shows it);
parquet: OUT/parquet/TABLE.parquet, one file per table with the dtypes of `load` (primary key
         as ordinary columns; dates as date32), descriptions in the field metadata.

Everything is written under OUT, through a temporary file that replaces the target, so an
interrupted export never leaves a half-written file behind.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from country_profiles import api, safe_io, tables
from country_profiles.plural import count_of

FORMATS = ("json", "sqlite", "parquet")
SQLITE_NAME = "country-profiles.sqlite"
# NUMERIC for numbers: a whole value (a population) is stored as an INTEGER, a fraction as a REAL.
SQLITE_TYPES = {"integer": "INTEGER", "number": "NUMERIC", "boolean": "INTEGER", "date": "TEXT"}
PROFILE_FILE = re.compile(r"[A-Z]{3}\.json")


class ExportError(Exception):
    """The export cannot be written; the message says why and what to do."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, help="folder to write into (created when missing)")
    parser.add_argument("--format", required=True, choices=FORMATS, help="what to write")
    parser.add_argument("--package", type=Path, default=None,
                        help="datapackage.json or its folder (default: the package this installation ships)")


def run(args: argparse.Namespace) -> int:
    try:
        readable_package(args.package)
        written = export(args.format, args.out, args.package)
    except (api.PackageError, ExportError, FileNotFoundError, safe_io.PackagePathError) as exc:
        print(f"country-profiles export: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the output folder cannot be written (permissions, a full disk)
        print(f"country-profiles export: cannot write under {args.out}: {exc.strerror or exc}; nothing was replaced",
              file=sys.stderr)
        return 1
    except UNREADABLE as exc:  # a table the loader cannot read: say which
        culprit = unreadable_table(args.package) or "a table"
        print(f"country-profiles export: {culprit} cannot be read ({type(exc).__name__}: {exc}); nothing was exported; "
              "`country-profiles validate` names the line", file=sys.stderr)
        return 1
    print(f"wrote {count_of(len(written), 'file')} under {args.out}")
    return 0


UNREADABLE = (UnicodeDecodeError, csv.Error, OverflowError)  # not UTF-8, a cell over csv's size limit, beyond int64


def unreadable_table(package: str | Path | None) -> str | None:
    """The path of the first table `api.load` fails on with one of UNREADABLE, if any."""
    root = api.package_root(package)
    for name, (path, _) in tables.schemas_by_resource(root).items():
        try:
            api.load(name, root)
        except UNREADABLE:
            return path
        except Exception:  # another problem of that table; the export reported the first one
            continue
    return None


def readable_package(package: str | Path | None) -> None:
    """Raise ExportError, before anything is written, when the descriptor or a Table Schema cannot
    be read, is not valid (the package checks of `validate`: a non-numeric minimum, a resource
    name that cannot name a file), or names a file outside the package (a URL, an absolute path,
    '..', a symlink)."""
    from country_profiles.validation.package import check_package

    root = api.package_root(package)
    try:
        tables.schemas_by_resource(root)
    except tables.PackagePathError as exc:
        raise ExportError(f"{exc}; nothing was exported") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"{root / 'datapackage.json'}: cannot read the package ({type(exc).__name__}: {exc}); "
                          f"`country-profiles validate {root}` says what is wrong") from None
    errors = [finding for finding in check_package(root / "datapackage.json").findings if finding.severity == "error"]
    if errors:
        listed = [f"{f.path}{f':{f.line}' if f.line else ''}: {f.message}" for f in errors[: api.MAX_LISTED_PROBLEMS]]
        more = [f"... and {len(errors) - len(listed)} more"] if len(errors) > len(listed) else []
        raise ExportError("the package's descriptor or schemas are not valid; nothing was exported:\n"
                          + "\n".join(listed + more))
    for name in tables.schemas_by_resource(root):
        try:
            safe_io.data_name(name, "resource name")
        except safe_io.PackagePathError as exc:
            raise ExportError(f"{root / 'datapackage.json'}: {exc}; nothing was exported") from None


def export(fmt: str, out: Path, package: str | Path | None = None) -> list[Path]:
    """Write the package in `fmt` under `out`; returns the files written."""
    writers = {"json": export_json, "sqlite": export_sqlite, "parquet": export_parquet}
    if fmt not in writers:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    # Refused before anything is read: '/', the package folder, its data/ or schemas/ (safe_io).
    return writers[fmt](safe_io.output_folder(out, api.package_root(package), create=True), package)


# --- JSON -------------------------------------------------------------------------------------


def profile_json(profile: Any) -> str:
    """The canonical text of a profile or a list of them: UTF-8 as is, two-space indent."""
    return json.dumps(profile, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# What a profile is assembled from (api._ProfileBuilder); sqlite and parquet take any tables.
PROFILE_TABLES = ("countries", "indicators", "organizations", "sources", *api.INDICATOR_TABLES, "borders",
                  "ethnic_groups", "age_structure", "memberships")


def export_json(out: Path, package: str | Path | None = None) -> list[Path]:
    """OUT/profiles/ISO3.json for every country and OUT/profiles.json (an array of all of them)."""
    root = api.package_root(package)
    lacking = [name for name in PROFILE_TABLES if name not in tables.schemas_by_resource(root)]
    if lacking:
        raise ExportError(f"{root / 'datapackage.json'}: JSON profiles are built from the country-profiles tables, "
                          f"and this package lacks {', '.join(lacking)}; export it as sqlite or parquet instead")
    profiles = api.profiles(root)
    # Every name first, so that a code that cannot name a file stops the export before any write.
    names = [safe_io.data_name(profile["country"]["iso3"], "country code") + ".json" for profile in profiles]
    written = []
    for name, profile in zip(names, profiles):
        written.append(safe_io.write_inside(out, f"profiles/{name}", profile_json(profile).encode("utf-8"), mode=0o644))
    current = set(names)
    for stale in safe_io.list_folder(out, "profiles"):  # a country no longer in the package: drop its old profile
        if PROFILE_FILE.fullmatch(stale) and stale not in current:
            safe_io.remove_inside(out, f"profiles/{stale}")
    everything = safe_io.write_inside(out, "profiles.json", profile_json(profiles).encode("utf-8"), mode=0o644)
    return written + [everything]


# --- SQLite -----------------------------------------------------------------------------------


def quote(identifier: str) -> str:
    """An SQL identifier, quoted: some columns are keywords (group, table)."""
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def sqlite_ddl(name: str, schema: Mapping[str, Any]) -> str:
    """CREATE TABLE for a resource: types, NOT NULL, UNIQUE, CHECKs, primary and foreign keys."""
    key = api.primary_key(schema)
    lines = []
    for field in schema["fields"]:
        kind = field.get("type", "string")
        constraints = field.get("constraints", {})
        column = quote(field["name"])
        parts = [column, SQLITE_TYPES.get(kind, "TEXT")]
        if constraints.get("required") or field["name"] in key:
            parts.append("NOT NULL")
        if constraints.get("unique") and key != [field["name"]]:
            parts.append("UNIQUE")
        checks = []
        if kind == "boolean":
            checks.append(f"{column} IN (0, 1)")
        if "enum" in constraints:
            checks.append(f"{column} IN ({', '.join(_literal(v) for v in constraints['enum'])})")
        if "minimum" in constraints and kind in ("integer", "number"):
            checks.append(f"{column} >= {_literal(constraints['minimum'])}")
        if "maximum" in constraints and kind in ("integer", "number"):
            checks.append(f"{column} <= {_literal(constraints['maximum'])}")
        if checks:
            parts.append(f"CHECK ({' AND '.join(checks)})")
        description = " ".join(field.get("description", "").split())
        lines.append((" ".join(parts), f"  -- {description}" if description else ""))
    if key:
        lines.append((f"PRIMARY KEY ({', '.join(quote(k) for k in key)})", ""))
    for fields, referenced, referenced_fields in api.foreign_keys(schema, name):
        lines.append((
            f"FOREIGN KEY ({', '.join(quote(f) for f in fields)}) "
            f"REFERENCES {quote(referenced)} ({', '.join(quote(f) for f in referenced_fields)})",
            "",
        ))
    body = [
        f"  {text}{',' if n < len(lines) - 1 else ''}{comment}" for n, (text, comment) in enumerate(lines)
    ]
    return f"CREATE TABLE {quote(name)} (\n" + "\n".join(body) + "\n)"


def creation_order(schemas: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Resources with every referenced table before the tables referring to it (then descriptor order)."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name in visiting or name not in schemas:
            return
        visiting.add(name)
        for _, referenced, _ in api.foreign_keys(schemas[name], name):
            if referenced != name:
                visit(referenced)
        visiting.discard(name)
        order.append(name)

    for name in schemas:
        visit(name)
    return order


def _sqlite_value(value: Any) -> Any:
    plain = api._plain(value)
    return int(plain) if isinstance(plain, bool) else plain


def export_sqlite(out: Path, package: str | Path | None = None) -> list[Path]:
    """OUT/country-profiles.sqlite; fails, keeping no file, when a foreign key has no target row."""
    root = api.package_root(package)
    resources = tables.schemas_by_resource(root)
    schemas = {name: schema for name, (_, schema) in resources.items()}
    frames = api.load_package(root)
    target = out / SQLITE_NAME
    with safe_io.replacing(out, SQLITE_NAME) as temporary:
        connection = sqlite3.connect(temporary)
        try:
            for name in creation_order(schemas):
                connection.execute(sqlite_ddl(name, schemas[name]))
                flat = frames[name].reset_index()
                columns = [f["name"] for f in schemas[name]["fields"]]
                rows = zip(*(map(_sqlite_value, flat[c].tolist()) for c in columns))
                placeholders = ", ".join("?" for _ in columns)
                try:
                    connection.executemany(f"INSERT INTO {quote(name)} VALUES ({placeholders})", rows)
                except sqlite3.IntegrityError as exc:
                    raise ExportError(f"{resources[name][0]} (table {name}): {exc}; "
                                      "run `country-profiles validate` to find the row") from None
            connection.commit()
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise ExportError(_describe_broken_keys(broken, root, frames))
            connection.execute("PRAGMA user_version = 1")  # marks a complete export
        finally:
            connection.close()
    return [target]


def _describe_broken_keys(broken: list[tuple], root: Path, frames: Mapping[str, Any]) -> str:
    paths = {name: path for name, (path, _) in tables.schemas_by_resource(root).items()}
    messages = []
    for table, rowid, referenced, _ in broken[: api.MAX_LISTED_PROBLEMS]:
        # rows were inserted in file order, so rowid n is CSV line n + 1
        messages.append(f"{paths.get(table, table)} line {rowid + 1}: refers to a row missing from {referenced}")
    more = len(broken) - len(messages)
    return "foreign keys without a target row:\n" + "\n".join(messages + ([f"... and {more} more"] if more else []))


# --- Parquet ----------------------------------------------------------------------------------


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ExportError(
            "Parquet needs pyarrow: pip install 'country-profiles[parquet]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def arrow_table(frame: Any, name: str, schema: Mapping[str, Any], descriptor: Mapping[str, Any]) -> Any:
    """A loaded table as an Arrow table: key as columns, dates as date32, descriptions as metadata."""
    pa = _pyarrow()
    table = pa.Table.from_pandas(frame.reset_index(), preserve_index=False)
    fields = {f["name"]: f for f in schema["fields"]}
    columns = []
    for arrow_field in table.schema:
        field = fields[arrow_field.name]
        column = table.column(arrow_field.name)
        if field.get("type") == "date":
            column = column.cast(pa.date32())
        metadata = {"description": field.get("description", ""), "type": field.get("type", "string")}
        if field.get("unit"):
            metadata["unit"] = field["unit"]
        columns.append((pa.field(arrow_field.name, column.type, metadata=metadata), column))
    metadata = dict(table.schema.metadata or {})
    metadata[b"country_profiles"] = json.dumps({
        "package": descriptor.get("name"), "version": descriptor.get("version"),
        "table": name, "primary_key": api.primary_key(schema),
    }).encode()
    return pa.table([c for _, c in columns], schema=pa.schema([f for f, _ in columns], metadata=metadata))


def export_parquet(out: Path, package: str | Path | None = None) -> list[Path]:
    """OUT/parquet/TABLE.parquet for every table."""
    pa = _pyarrow()
    root = api.package_root(package)
    descriptor = tables.load_descriptor(root)
    schemas = {name: schema for name, (_, schema) in tables.schemas_by_resource(root).items()}
    frames = api.load_package(root)
    names = {name: safe_io.data_name(name, "resource name") + ".parquet" for name in frames}
    written = []
    for name, frame in frames.items():
        with safe_io.replacing(out, f"parquet/{names[name]}") as temporary:
            pa.parquet.write_table(arrow_table(frame, name, schemas[name], descriptor), temporary)
        written.append(out / "parquet" / names[name])
    return written
