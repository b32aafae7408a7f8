"""Nothing is lost: `fmt` and every export (json, sqlite, parquet) keep every value.

Tables are generated for the real Table Schemas: the downstream fixture package (the real
descriptor and schemas with small hand-written tables) keeps its keys, so that foreign keys
still resolve, and every other cell gets a drawn value: Unicode text with quotes, commas and
line breaks, empty optional cells, numbers from the smallest subnormal to the largest finite
double, 64-bit integers, dates across the supported years. The drawn values are the oracle:
they are written out messily (any column order, quoting, CRLF, BOM, several spellings of a
number), formatted with `fmt`, exported, read back, and compared.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import runpy
import sqlite3
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import edit_json, edit_rows
from spellings import spelled
from country_profiles import api, export, fmt, tables
from country_profiles.cli import main
from country_profiles.validation import validate
from test_export import assert_profile_matches_csvs

support = runpy.run_path(str(Path(__file__).parent / "fixtures" / "downstream" / "support.py"))
SCHEMAS = {name: schema for name, (_, schema) in support["schemas"](support["REPO"]).items()}
INT64 = (-(2**63), 2**63 - 1)
DATES = (datetime.date(1678, 1, 1), datetime.date(2261, 12, 31))  # the years validation accepts
LARGEST = 1.7976931348623157e308
EXTREME_NUMBERS = [LARGEST, 5e-324, 2.2250738585072014e-308, 1e-300, 1e300, 0.1, 0.0, 123456789012345.67,
                   9007199254740993.0, 100.0]


# --- Values for a field, as plain Python in the shape support.csv_values reads back ---


def text_values(min_size: int) -> st.SearchStrategy[str]:
    characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    tricky = st.sampled_from(["Côte d'Ivoire", "Åland", "Ελλάδα", "中国", "Кыргызстан", 'a, "b"', "line\nbreak",
                              "cr\ronly", "crlf\r\ninside", "=1+2", " spaced ", "🇰🇬", "\u2028", "e\u0301", "n/a"])
    return st.one_of(tricky, st.text(characters, min_size=min_size, max_size=16))


def value_strategy(field: dict[str, Any]) -> st.SearchStrategy[Any]:
    constraints = field.get("constraints", {})
    kind = field.get("type", "string")
    if "enum" in constraints:
        values = st.sampled_from(constraints["enum"])
    elif kind == "string" and field.get("format") == "uri":
        values = st.text("abcé-_/%~", max_size=12).map(lambda path: f"https://example.org/{path}")
    elif kind == "string":
        values = text_values(min_size=1)
    elif kind == "number":
        low, high = constraints.get("minimum", -LARGEST), constraints.get("maximum", LARGEST)
        edges = [n for n in EXTREME_NUMBERS + [-n for n in EXTREME_NUMBERS] if low <= n <= high]
        values = st.one_of(st.sampled_from(edges), st.floats(low, high, allow_nan=False, allow_infinity=False))
    elif kind == "integer":
        low, high = constraints.get("minimum", INT64[0]), constraints.get("maximum", INT64[1])
        values = st.one_of(st.sampled_from([low, high]), st.integers(low, high))
    elif kind == "boolean":
        values = st.booleans()
    elif kind == "date":
        values = st.dates(*DATES).map(datetime.date.isoformat)
    else:
        raise AssertionError(f"no strategy for field type {kind!r}")
    return values if constraints.get("required") else st.one_of(st.none(), values)


def fixed_fields(name: str) -> set[str]:
    """Keys, foreign keys, fields other tables refer to and unique fields keep the fixture's values."""
    schema = SCHEMAS[name]
    fixed = set(api.primary_key(schema))
    fixed |= {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")}
    for other, other_schema in SCHEMAS.items():
        for fields, referenced, referenced_fields in api.foreign_keys(other_schema, other):
            fixed |= set(fields) if other == name else set()
            fixed |= set(referenced_fields) if referenced == name else set()
    return fixed


FIXTURE_ROWS: dict[str, list[dict[str, Any]]] = {}


def fixture_rows(name: str) -> list[dict[str, Any]]:
    if not FIXTURE_ROWS:
        with tempfile.TemporaryDirectory() as folder:
            root = support["make_package"](Path(folder) / "package")
            FIXTURE_ROWS.update({table: support["csv_values"](root, table) for table in SCHEMAS})
    return FIXTURE_ROWS[name]


@st.composite
def generated_tables(draw) -> dict[str, list[dict[str, Any]]]:
    """table -> rows: the fixture's keys, drawn values in every other cell."""
    result = {}
    for name, schema in SCHEMAS.items():
        free = [f for f in schema["fields"] if f["name"] not in fixed_fields(name)]
        result[name] = [{**row, **{f["name"]: draw(value_strategy(f)) for f in free}} for row in fixture_rows(name)]
    return result


# --- Writing values out messily: every spelling fmt must read as the same value ---


@st.composite
def messy_csv(draw, rows: list[dict[str, Any]], schema: dict[str, Any]) -> bytes:
    columns = draw(st.permutations([f["name"] for f in schema["fields"]]))
    records = [columns] + [[draw(spelled(row[column])) for column in columns] for row in rows]
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    # LF record ends only with every cell quoted: csv's minimal quoting leaves a lone CR bare.
    ending = "\r\n" if quoting == csv.QUOTE_MINIMAL or draw(st.booleans()) else "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator=ending, quoting=quoting).writerows(records)
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + out.getvalue().encode("utf-8")


# --- Reading every export back ---


def as_rows(name: str, rows: list[dict[str, Any]]) -> Counter:
    """Rows as a multiset of tuples in schema order (exports need not keep the row order)."""
    columns = [f["name"] for f in SCHEMAS[name]["fields"]]
    return Counter(tuple(row[column] for column in columns) for row in rows)


def sqlite_rows(database: Path, name: str) -> list[dict[str, Any]]:
    fields = SCHEMAS[name]["fields"]
    columns = ", ".join(export.quote(f["name"]) for f in fields)
    connection = sqlite3.connect(database)
    try:
        records = connection.execute(f"SELECT {columns} FROM {export.quote(name)}").fetchall()
    finally:
        connection.close()
    booleans = {f["name"] for f in fields if f.get("type") == "boolean"}
    return [{f["name"]: (bool(v) if f["name"] in booleans and v is not None else v) for f, v in zip(fields, record)}
            for record in records]


def parquet_rows(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return [{k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in row.items()}
            for row in pq.read_table(path).to_pylist()]


def quietly(*argv: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        status = main(list(argv))
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue(), err.getvalue()
    return status


# --- The properties ---


@settings(max_examples=10, deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_fmt_then_every_export_keeps_every_generated_value(data):
    oracle = data.draw(generated_tables())
    with tempfile.TemporaryDirectory() as folder:
        root = support["make_package"](Path(folder) / "package")
        for name, (path, schema) in support["schemas"](root).items():
            (root / path).write_bytes(data.draw(messy_csv(oracle[name], schema)))

        assert quietly("fmt", str(root)) == 0  # nothing refused
        assert quietly("fmt", "--check", str(root)) == 0  # and canonical once formatted
        formatted = {name: support["csv_values"](root, name) for name in SCHEMAS}  # read without our code
        for name in SCHEMAS:
            assert as_rows(name, formatted[name]) == as_rows(name, oracle[name]), f"fmt changed {name}"

        out = Path(folder) / "out"
        for form in export.FORMATS:
            assert quietly("export", "--format", form, str(out), "--package", str(root)) == 0
        for name in SCHEMAS:
            assert as_rows(name, sqlite_rows(out / export.SQLITE_NAME, name)) == as_rows(name, oracle[name]), name
            assert as_rows(name, parquet_rows(out / "parquet" / f"{name}.parquet")) == as_rows(name, oracle[name]), name
        profiles = json.loads((out / "profiles.json").read_text(encoding="utf-8"))
        assert len(profiles) == len(oracle["countries"])
        for profile in profiles:
            assert_profile_matches_csvs(profile, formatted)


@settings(max_examples=60, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SCHEMAS)), st.data())
def test_fmt_keeps_every_value_of_any_real_table(name, data):
    """Keys drawn too (fmt does not check them): every real field type, any value, any spelling."""
    schema = SCHEMAS[name]
    row_values = st.fixed_dictionaries({f["name"]: value_strategy(f) for f in schema["fields"]})
    rows = data.draw(st.lists(row_values, max_size=6))
    messy = data.draw(messy_csv(rows, schema))
    canonical, problems = fmt.format_table(messy, schema)
    assert problems == [] and canonical is not None
    assert fmt.format_table(canonical.encode("utf-8"), schema) == (canonical, [])  # idempotent
    read_back = list(csv.DictReader(io.StringIO(canonical, newline="")))
    assert as_rows(name, [typed_row(row, schema) for row in read_back]) == as_rows(name, rows)


def typed_row(row: dict[str, str], schema: dict[str, Any]) -> dict[str, Any]:
    """A canonical row's text as plain values (canonical booleans are true/false)."""
    kinds = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    parse = {"integer": int, "number": float, "boolean": lambda text: text == "true", "date": str, "string": str}
    return {name: None if text == "" else parse[kinds[name]](text) for name, text in row.items()}


# --- fmt keeps a valid package valid, whatever its missing values and boolean spellings ---


def custom_booleans(root: Path) -> None:
    """lands.independent spelled yes/no: fmt must not write true/false, which that field refuses."""
    edit_json(root / "schemas/lands.schema.json",
              lambda schema: schema["fields"][3].update(trueValues=["yes"], falseValues=["no"]))

    def spell(rows: list[list[str]]) -> None:
        for row in rows[1:]:
            row[3] = {"true": "yes", "false": "no"}[row[3]]

    edit_rows(root / "data/lands.csv", spell)


@pytest.mark.parametrize("change", [None, custom_booleans], ids=["mini-with-n/a-missing-values", "custom-booleans"])
def test_fmt_keeps_a_valid_package_valid_and_every_value(mini, capsys, change):
    if change is not None:
        change(mini)
    assert validate(mini).valid
    resources = tables.schemas_by_resource(mini)
    before = {path: tables.parse_table((mini / path).read_text(encoding="utf-8"), schema).rows
              for path, schema in resources.values()}
    assert main(["fmt", str(mini)]) == 0, capsys.readouterr().err  # cities.csv holds 'n/a': not refused
    assert main(["fmt", "--check", str(mini)]) == 0
    for path, schema in resources.values():
        after = tables.parse_table((mini / path).read_text(encoding="utf-8"), schema).rows
        assert Counter(map(repr, after)) == Counter(map(repr, before[path])), path
    report = validate(mini)
    assert report.valid, [finding.message for finding in report.findings]
