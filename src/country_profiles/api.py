"""Load the data package into pandas with dtypes from its Table Schemas, and build country profiles.

Every function takes `package`: a path to a datapackage.json or to its folder; by default the
package this installation ships (the clone's, or the copy inside the wheel).

Dtypes, by Table Schema field type (`field_dtype`, also shown in docs/data-dictionary.md):
integer -> "Int64" (nullable), number -> "float64" (missing = NaN), boolean -> "boolean"
(nullable), date -> "datetime64[ns]", string -> "category" for codes (a field with an enum or
a pattern, or one that is part of a foreign key or referenced by one), "str" for free text.
An enum's categories are its allowed values in declared order; other codes' categories are
the values present, sorted.

Index: the table's primary key (a MultiIndex when the key has several fields), rows in file
order, which is primary-key order for canonical files. `frame.reset_index()` gives the key back
as plain columns.

pandas is imported inside the functions so that `import country_profiles` stays cheap.
"""

from __future__ import annotations

import csv
import os
import sys
import datetime as dt
import difflib
from decimal import Decimal
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from country_profiles import codec, safe_io, tables
from country_profiles.paths import default_package

if TYPE_CHECKING:
    import pandas as pd

INDICATOR_TABLES = ("demographics", "forces", "infrastructure")
MAX_LISTED_PROBLEMS = 20


class PackageError(ValueError):
    """The package cannot be read as its schemas describe; the message names file, line and column."""


class UnknownNameError(KeyError):
    """An unknown table or country code; prints its message without KeyError's quotes."""

    def __str__(self) -> str:
        return str(self.args[0])


# --- where the package is and what its schemas say -----------------------------------------


def package_root(package: str | Path | None = None) -> Path:
    """The folder holding datapackage.json, given that file or its folder (default: the shipped package)."""
    path = Path(default_package() if package is None else package)
    root = path.parent if path.name.endswith(".json") else path
    try:
        os.close(safe_io.open_inside(root, "datapackage.json", limit=1 << 62))  # not a link out, FIFO ...
    except safe_io.MissingFileError:
        raise FileNotFoundError(f"{root}: no datapackage.json") from None
    except safe_io.PackagePathError as exc:
        raise PackageError(f"{root / 'datapackage.json'}: not read: it {exc.reason}") from None
    return root


def _as_list(fields: str | list[str] | None) -> list[str]:
    if fields is None:
        return []
    return [fields] if isinstance(fields, str) else list(fields)


def primary_key(schema: Mapping[str, Any]) -> list[str]:
    return _as_list(schema.get("primaryKey"))


def foreign_keys(schema: Mapping[str, Any], own_name: str) -> list[tuple[list[str], str, list[str]]]:
    """(fields, referenced table, referenced fields) for each foreign key; '' as resource means own table."""
    keys = []
    for key in schema.get("foreignKeys", []):
        reference = key["reference"]
        keys.append((_as_list(key["fields"]), reference.get("resource") or own_name, _as_list(reference["fields"])))
    return keys


def code_fields(schemas: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    """table -> its string fields that hold codes: with an enum or pattern, in a foreign key, or referenced by one."""
    codes: dict[str, set[str]] = {name: set() for name in schemas}
    for name, schema in schemas.items():
        for field in schema["fields"]:
            constraints = field.get("constraints", {})
            if field.get("type", "string") == "string" and ("enum" in constraints or "pattern" in constraints):
                codes[name].add(field["name"])
        for fields, referenced, referenced_fields in foreign_keys(schema, name):
            codes[name].update(fields)
            codes.setdefault(referenced, set()).update(referenced_fields)
    for name, schema in schemas.items():  # only string fields become categories
        strings = {f["name"] for f in schema["fields"] if f.get("type", "string") == "string"}
        codes[name] &= strings
    return codes


def field_dtype(field: Mapping[str, Any], is_code: bool) -> str:
    """The pandas dtype `load` gives a Table Schema field (codec.dtype; codes as categories)."""
    kind = field.get("type", "string")
    return "category" if is_code and kind == "string" else codec.dtype(kind)


def _schemas(root: Path) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    by_resource = tables.schemas_by_resource(root)
    return ({n: p for n, (p, _) in by_resource.items()}, {n: s for n, (_, s) in by_resource.items()})


# --- reading one table -------------------------------------------------------------------------


def _read_cells(root: Path, display: str, columns: list[str]) -> tuple[dict[str, list[str]], list[int]]:
    """Cells by column name and the CSV line of each row; the header must name the schema's fields.
    The file is read through safe_io: a link out of the package, a FIFO or a device is refused."""
    try:
        handle = safe_io.open_text_inside(root, display, encoding="utf-8-sig")  # a BOM only warns in validation
    except safe_io.MissingFileError:
        raise PackageError(f"{display}: no such file (run `country-profiles import` to build data/)") from None
    except safe_io.PackagePathError as exc:
        raise PackageError(f"{display}: not read: it {exc.reason}") from None
    csv.field_size_limit(sys.maxsize)  # a long cell is data, not an error (validation accepts it too)
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise PackageError(f"{display} line 1: the file is empty; expected the header {','.join(columns)}")
        missing = [c for c in columns if c not in header]
        extra = [c for c in header if c not in columns]
        if missing or extra:
            raise PackageError(
                f"{display} line 1: the header does not match the schema"
                + (f"; missing {missing}" if missing else "")
                + (f"; not in the schema {extra}" if extra else "")
            )
        position = {name: header.index(name) for name in columns}
        cells: dict[str, list[str]] = {name: [] for name in columns}
        lines: list[int] = []
        problems = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                problems.append(f"{display} line {reader.line_num}: {len(row)} cells, the header has {len(header)}")
                continue
            for name in columns:
                cells[name].append(row[position[name]])
            lines.append(reader.line_num)
    _raise_if_any(problems)
    return cells, lines


def _raise_if_any(problems: list[str]) -> None:
    if not problems:
        return
    shown = problems[:MAX_LISTED_PROBLEMS]
    more = len(problems) - len(shown)
    raise PackageError("\n".join(shown + ([f"... and {more} more"] if more else [])))


def _parse_cells(
    cells: list[str], field: Mapping[str, Any], schema: Mapping[str, Any], is_code: bool, where: tuple[str, list[int]]
) -> tuple[Any, list[str]]:
    """The column as a pandas array of the field's dtype, and a message for each cell that does
    not parse (the codec's reading, as validation's)."""
    import pandas as pd

    display, lines = where
    reader = codec.field_codec(field, schema)
    enum = field.get("constraints", {}).get("enum") if is_code else None
    problems: list[str] = []
    values: list[Any] = []
    for index, cell in enumerate(cells):
        try:
            value = reader.read(cell)
            if enum is not None and value is not None and value not in enum:
                raise codec.CellError(f"{cell!r} is not one of {enum}")
        except codec.CellError as exc:
            problems.append(f"{display} line {lines[index]}, column {field['name']}: {exc}")
            value = None
        values.append(float(value) if isinstance(value, Decimal) else value)

    dtype = field_dtype(field, is_code)
    if dtype == "category":
        categories = list(enum) if enum is not None else sorted({v for v in values if v is not None})
        return pd.Categorical(values, categories=categories), problems
    if dtype == "float64":
        return pd.array([float("nan") if v is None else v for v in values], dtype="float64"), problems
    if dtype == "datetime64[ns]":
        return pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[ns]").array, problems
    return pd.array(values, dtype=dtype), problems


def _load_table(root: Path, name: str, path: str, schema: Mapping[str, Any], codes: set[str]) -> "pd.DataFrame":
    import pandas as pd

    columns = [f["name"] for f in schema["fields"]]
    cells, lines = _read_cells(root, path, columns)
    data, problems = {}, []
    for field in schema["fields"]:
        data[field["name"]], found = _parse_cells(
            cells[field["name"]], field, schema, field["name"] in codes, (path, lines)
        )
        problems += found
    _raise_if_any(sorted(problems, key=_line_of))
    frame = pd.DataFrame(data, columns=columns)
    key = primary_key(schema)
    return frame.set_index(key) if key else frame


def _line_of(problem: str) -> int:
    match = re.search(r" line (\d+)", problem)
    return int(match.group(1)) if match else 0


def _unknown(kind: str, name: str, known: Iterable[str]) -> UnknownNameError:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(known)}"
    return UnknownNameError(f"unknown {kind} {name!r}{hint}")


# --- public API --------------------------------------------------------------------------------


def load(table: str, package: str | Path | None = None) -> "pd.DataFrame":
    """One table of the package as a DataFrame typed by its Table Schema.

    Index: the table's primary key (countries: iso3; borders: country, neighbor; demographics,
    forces, infrastructure: country, indicator, year; ethnic_groups: country, year, group;
    age_structure: country, year, age_band; memberships: country, organization, status;
    indicators, organizations, sources: id). Dtypes: see the module docstring.
    Raises UnknownNameError (a KeyError) for an unknown table and PackageError (a ValueError)
    naming file, line and column for cells that do not parse.
    """
    root = package_root(package)
    paths, schemas = _schemas(root)
    if table not in schemas:
        raise _unknown("table", table, schemas)
    return _load_table(root, table, paths[table], schemas[table], code_fields(schemas)[table])


def load_package(package: str | Path | None = None) -> dict[str, "pd.DataFrame"]:
    """Every table of the package, by resource name in datapackage.json order (see `load`)."""
    root = package_root(package)
    paths, schemas = _schemas(root)
    codes = code_fields(schemas)
    return {name: _load_table(root, name, paths[name], schemas[name], codes[name]) for name in schemas}


def wide(table: str, package: str | Path | None = None, *, column: str = "value") -> "pd.DataFrame":
    """An indicator table (demographics, forces or infrastructure) with one column per indicator.

    Index: (country, year). Columns: the table's indicators in indicators.csv order, named by
    indicator id; an indicator without any value is an all-missing column. Cells hold `column`
    ("value", or "value_max" for the upper ends of ranges): "Int64" for indicators declared
    integer, "float64" otherwise.
    """
    import pandas as pd

    if table not in INDICATOR_TABLES:
        raise _unknown("indicator table", table, INDICATOR_TABLES)
    if column not in ("value", "value_max"):
        raise ValueError(f"column must be 'value' or 'value_max', not {column!r}")
    root = package_root(package)
    long = load(table, root).reset_index()
    definitions = load("indicators", root)
    defined = [str(i) for i, t in definitions["table"].items() if t == table]
    present = sorted(set(long["indicator"].astype(str)))
    columns = defined + [i for i in present if i not in defined]
    long = long.assign(indicator=long["indicator"].astype(str), country=long["country"].astype(str))
    result = long.pivot(index=["country", "year"], columns="indicator", values=column)
    result = result.reindex(columns=columns).sort_index()
    for indicator in columns:
        if indicator in definitions.index and bool(definitions.loc[indicator, "integer"]):
            result[indicator] = _whole_numbers(result[indicator], table, indicator)
    result.columns = pd.Index(columns, name="indicator", dtype="str")
    result.index = result.index.set_levels(result.index.levels[1].astype("Int64"), level="year")
    return result


def _whole_numbers(values: "pd.Series", table: str, indicator: str) -> "pd.Series":
    present = values.dropna()
    fractional = present[present != present.round()]
    if len(fractional):
        (country, year), value = next(iter(fractional.items()))
        raise PackageError(
            f"{table}: indicator {indicator} is declared integer but {country} {year} has {value}; "
            "run `country-profiles validate`"
        )
    return values.astype("Int64")


def profile(country: str, package: str | Path | None = None) -> dict[str, Any]:
    """The profile of one country (ISO 3166-1 alpha-3 code, any case) as a plain, JSON-ready dict.

    It validates against schemas/profile.schema.json: the countries row; for each indicator the
    row of its latest year (value, value_max, year, unit, source_id, note); borders; ethnic
    groups and age structure of their latest year; memberships; and every source it cites.
    Raises UnknownNameError (a KeyError) for an unknown code, suggesting close ones.
    """
    builder = _ProfileBuilder(package_root(package))
    return builder.build(builder.resolve(country))


def profiles(package: str | Path | None = None) -> list[dict[str, Any]]:
    """The profiles of every country and area, in iso3 order (see `profile`)."""
    builder = _ProfileBuilder(package_root(package))
    return [builder.build(code) for code in builder.countries]


# --- profiles ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A pandas/numpy scalar as a JSON-ready Python value (missing -> None, dates -> ISO text)."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    return value


def _rows(frame: "pd.DataFrame") -> list[dict[str, Any]]:
    flat = frame.reset_index() if frame.index.names != [None] else frame
    columns = [str(c) for c in flat.columns]
    series = [flat[c].tolist() for c in flat.columns]
    return [dict(zip(columns, (_plain(v) for v in values))) for values in zip(*series)]


def _by_country(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["country"], []).append(row)
    return grouped


def _pick(row: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: row.get(name) for name in names}


def _without(row: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The row minus the fields the profile already states (country, year, ...), in schema order."""
    return {k: v for k, v in row.items() if k not in names}


def _latest_year(rows: list[dict[str, Any]]) -> int | None:
    years = [r["year"] for r in rows if r["year"] is not None]
    return max(years) if years else None


class _ProfileBuilder:
    """The package's tables as plain rows grouped by country, ready to assemble profiles."""

    def __init__(self, root: Path) -> None:
        frames = load_package(root)
        descriptor = tables.load_descriptor(root)
        self.package = {"name": descriptor.get("name"), "version": descriptor.get("version")}
        self.country_rows = {r["iso3"]: r for r in _rows(frames["countries"])}
        self.countries = sorted(self.country_rows)
        self.indicators = {r["id"]: r for r in _rows(frames["indicators"])}
        self.organizations = {r["id"]: r for r in _rows(frames["organizations"])}
        self.sources = {r["id"]: r for r in _rows(frames["sources"])}
        self.values = {t: _by_country(_rows(frames[t])) for t in INDICATOR_TABLES}
        self.borders = _by_country(_rows(frames["borders"]))
        self.ethnic_groups = _by_country(_rows(frames["ethnic_groups"]))
        self.age_structure = _by_country(_rows(frames["age_structure"]))
        self.memberships = _by_country(_rows(frames["memberships"]))
        bands = frames["age_structure"].index.get_level_values("age_band").categories
        self.band_order = {band: n for n, band in enumerate(bands)}

    def resolve(self, country: str) -> str:
        """The iso3 code for `country` (any case), or UnknownNameError suggesting close codes and names."""
        text = str(country).strip()
        if text.upper() in self.country_rows:
            return text.upper()
        names = {r["name"].casefold(): iso3 for iso3, r in self.country_rows.items() if r["name"]}
        if text.casefold() in names:
            iso3 = names[text.casefold()]
            raise UnknownNameError(f"unknown country code {country!r}: that is the name of {iso3}; pass the code")
        close = difflib.get_close_matches(text.upper(), self.countries, n=3)
        close += [names[n] for n in difflib.get_close_matches(text.casefold(), list(names), n=3)]
        labels = [f"{c} ({self.country_rows[c]['name']})" for c in dict.fromkeys(close)][:3]
        hint = f"; did you mean {', '.join(labels)}?" if labels else ""
        raise UnknownNameError(f"unknown country code {country!r}{hint} (codes are ISO 3166-1 alpha-3, e.g. KGZ)")

    def build(self, code: str) -> dict[str, Any]:
        cited: set[str] = set()

        def cite(row: dict[str, Any]) -> dict[str, Any]:
            """Note every source the row refers to (source_id, and since_source_id and the like)."""
            cited.update(v for k, v in row.items() if k.endswith("source_id") and v)
            return row

        country = cite(dict(self.country_rows[code]))
        return {
            "package": dict(self.package),
            "country": country,
            "indicators": {k: cite(v) for k, v in self._latest_indicators(code).items()},
            "borders": [cite(b) for b in self._borders(code)],
            "ethnic_groups": self._latest_group(
                self.ethnic_groups.get(code, []), "groups", key=lambda r: (-r["percent"], r["group"]), cite=cite,
            ),
            "age_structure": self._latest_group(
                self.age_structure.get(code, []), "bands",
                key=lambda r: (self.band_order.get(r["age_band"], 99), r["age_band"]), cite=cite,
            ),
            "memberships": [cite(m) for m in self._memberships(code)],
            "sources": {s: self._source(s) for s in sorted(cited)},
        }

    def _latest_indicators(self, code: str) -> dict[str, dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for table in INDICATOR_TABLES:
            for row in self.values[table].get(code, []):
                current = latest.get(row["indicator"])
                if current is None or row["year"] > current[1]["year"]:
                    latest[row["indicator"]] = (table, row)
        order = {i: n for n, i in enumerate(self.indicators)}
        result = {}
        for indicator in sorted(latest, key=lambda i: (order.get(i, len(order)), i)):
            table, row = latest[indicator]
            definition = self.indicators.get(indicator, {})
            entry = {"table": table, "unit": definition.get("unit"), **_without(row, "country", "indicator")}
            for name in ("value", "value_max"):
                entry[name] = _number(entry.get(name), definition.get("integer"))
            result[indicator] = entry
        return result

    def _borders(self, code: str) -> list[dict[str, Any]]:
        result = []
        for row in sorted(self.borders.get(code, []), key=lambda r: r["neighbor"]):
            neighbor = self.country_rows.get(row["neighbor"], {})
            result.append({"neighbor": row["neighbor"], "name": neighbor.get("name"),
                           **_without(row, "country", "neighbor")})
        return result

    @staticmethod
    def _latest_group(rows, items: str, key, cite) -> dict[str, Any] | None:
        year = _latest_year(rows)
        if year is None:
            return None
        chosen = sorted((r for r in rows if r["year"] == year), key=key)
        return {"year": year, items: [cite(_without(r, "country", "year")) for r in chosen]}

    def _memberships(self, code: str) -> list[dict[str, Any]]:
        result = []
        for row in sorted(self.memberships.get(code, []), key=lambda r: (r["organization"], r["status"])):
            organization = self.organizations.get(row["organization"], {})
            result.append({"organization": row["organization"], "name": organization.get("name"),
                           **_without(row, "country", "organization")})
        return result

    def _source(self, source_id: str) -> dict[str, Any]:
        row = self.sources.get(source_id, {})
        return _pick(row, "title", "publisher", "url", "published", "license")


def _number(value: float | None, integer: bool | None) -> int | float | None:
    """An indicator value as JSON shows it: a whole number for integer indicators."""
    if value is None:
        return None
    if integer and float(value).is_integer():
        return int(value)
    return float(value)
