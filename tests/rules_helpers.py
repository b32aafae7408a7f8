"""Small hand-written packages for the rule tests, typed as the structure layer types real CSVs.

    pkg = package(countries=[country("KGZ", land_area_km2=191801)], ...)

Each table's frame has every schema field in schema order with the documented dtypes, and its
index is the CSV line number (header = line 1, so rows start at line 2 unless `lines` says
otherwise). Fields a test leaves out are empty cells.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from country_profiles.validation.model import LoadedPackage, Table

REPO = Path(__file__).resolve().parents[1]
DTYPES = {"string": "str", "integer": "Int64", "number": "float64", "boolean": "boolean", "date": "datetime64[ns]"}
TODAY = date(2026, 11, 27)


def schema(name: str) -> dict[str, Any]:
    return json.loads((REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def table(name: str, rows: Iterable[Mapping[str, Any]], lines: Iterable[int] | None = None) -> Table:
    rows = list(rows)
    fields = schema(name)["fields"]
    index = list(lines) if lines is not None else list(range(2, 2 + len(rows)))
    assert len(index) == len(rows), "one line number per row"
    unknown = {key for row in rows for key in row} - {f["name"] for f in fields}
    assert not unknown, f"{name} has no fields {sorted(unknown)}"
    index = pd.Index(index, dtype="int64")
    columns = {}
    for f in fields:
        values = [row.get(f["name"]) for row in rows]
        dtype = DTYPES[f["type"]]
        if dtype == "datetime64[ns]":
            values = pd.to_datetime(values)
        elif dtype == "float64":
            values = [float("nan") if v is None else float(v) for v in values]
        columns[f["name"]] = pd.Series(values, dtype=dtype, index=index)
    frame = pd.DataFrame(columns, index=index)
    return Table(name=name, path=f"data/{name}.csv", schema=schema(name), frame=frame)


def package(lines: Mapping[str, Iterable[int]] | None = None, **tables: Iterable[Mapping[str, Any]]) -> LoadedPackage:
    """A package of the given tables (rows as dicts); `lines` gives a table's line numbers."""
    lines = lines or {}
    built = {name: table(name, rows, lines.get(name)) for name, rows in tables.items()}
    return LoadedPackage(root=REPO, descriptor={}, tables=built)


def indicators() -> list[dict[str, Any]]:
    """The real indicator definitions (data/indicators.csv), as rows."""
    frame = pd.read_csv(REPO / "data" / "indicators.csv", dtype=str, keep_default_na=False)
    rows = []
    for record in frame.to_dict("records"):
        rows.append(
            {
                **record,
                "integer": record["integer"] == "true",
                "minimum": float(record["minimum"]),
                "maximum": float(record["maximum"]) if record["maximum"] else None,
            }
        )
    return rows


def value(country: str, indicator: str, year: int, number: float, value_max: float | None = None, **extra) -> dict:
    return {"country": country, "indicator": indicator, "year": year, "value": number, "value_max": value_max,
            "source_id": "test-source", **extra}


def country(iso3: str, **fields: Any) -> dict[str, Any]:
    return {"iso3": iso3, "iso2": iso3[:2], "gec": iso3[1:], "name": iso3.title(), "region": "Central Asia",
            "independent": True, "source_id": "test-source", **fields}


def source(id_: str = "test-source", published: str | None = "2026-01-22", accessed: str | None = "2026-11-27") -> dict:
    return {"id": id_, "title": "A test source", "publisher": "Tests", "published": published,
            "accessed": accessed, "license": "CC0"}


# --- cases: a rule, a package that breaks or passes it, and what the finding must say ---------

def fails(label: str, rule: str, match: str, tables: Mapping[str, Any], *, lines: tuple[int, ...] | None = None,
          resource: str | None = None, count: int = 1, thresholds: Mapping[str, Any] | None = None):
    """A package that breaks `rule`: exactly `count` findings, the first matching `match` and
    blaming `lines` (of `resource`) when given."""
    import pytest

    spec = {"rule": rule, "tables": tables, "match": match, "lines": lines, "resource": resource,
            "count": count, "thresholds": thresholds}
    return pytest.param(spec, id=f"{rule}-{label}")


def passes(label: str, rule: str, tables: Mapping[str, Any], *, thresholds: Mapping[str, Any] | None = None):
    """A package that satisfies `rule`: no finding."""
    import pytest

    return pytest.param({"rule": rule, "tables": tables, "thresholds": thresholds}, id=f"{rule}-{label}")


def build(tables: Mapping[str, Any]) -> LoadedPackage:
    """A package from {table: rows} or {table: (rows, lines)}."""
    rows = {name: (spec[0] if isinstance(spec, tuple) else spec) for name, spec in tables.items()}
    lines = {name: spec[1] for name, spec in tables.items() if isinstance(spec, tuple)}
    return package(lines=lines, **rows)


def findings_of(rule: str, tables: Mapping[str, Any], thresholds: Mapping[str, Any] | None = None):
    from country_profiles.validation.rules import CHECKS, run_check

    (check,) = [c for c in CHECKS if c.id == rule]
    return run_check(check, build(tables), thresholds, today=TODAY)[0]


def assert_fails(spec: Mapping[str, Any]) -> None:
    import re

    found = findings_of(spec["rule"], spec["tables"], spec["thresholds"])
    messages = "\n".join(f.message for f in found) or "(no findings)"
    assert len(found) == spec["count"], f"expected {spec['count']} finding(s), got:\n{messages}"
    first = found[0]
    assert re.search(spec["match"], first.message), f"{spec['match']!r} not in:\n{first.message}"
    assert first.rule == spec["rule"]
    assert first.line == first.lines[0], "line is the first blamed line"
    if spec["lines"] is not None:
        assert first.lines == spec["lines"]
    if spec["resource"] is not None:
        assert first.resource == spec["resource"]
        assert first.path == f"data/{spec['resource']}.csv"


def assert_passes(spec: Mapping[str, Any]) -> None:
    found = findings_of(spec["rule"], spec["tables"], spec["thresholds"])
    assert not found, "\n".join(f.message for f in found)
