"""The one cell codec: every consumer reads a cell as the codec does, and fmt never changes a
value nor turns a cell validation refuses into one it accepts."""

from __future__ import annotations

import csv
import datetime
import io
import json
import runpy
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import findings_of
from country_profiles import api, cli, codec, fmt, tables
from country_profiles.validation import validate
from country_profiles.validation.structure import check_table, compile_schema

support = runpy.run_path(str(Path(__file__).parent / "fixtures" / "downstream" / "support.py"))


# --- The named regression: Arabic-Indic digits behind a space ---


def test_population_in_arabic_indic_digits_fails_validation_and_fmt_leaves_it(tmp_path, capsys):
    """' ٣٢٢١٦٤' (a space, Arabic-Indic digits) is not a Table Schema number. Once fmt rewrote it
    to 322164, which validation then accepted: fmt changed a value."""
    root = support["make_package"](tmp_path / "package")
    path = root / "data/demographics.csv"
    text = path.read_text(encoding="utf-8")
    old = "KGZ,population,2016,5727553,"
    assert old in text
    path.write_text(text.replace(old, "KGZ,population,2016, ٣٢٢١٦٤,"), encoding="utf-8")
    broken = path.read_bytes()

    report = validate(root, rules=False)
    assert [(f.path, f.field, f.value) for f in findings_of(report, "cell_has_field_type")] == [
        ("data/demographics.csv", "value", " ٣٢٢١٦٤")]
    assert cli.main(["fmt", str(root)]) == 1  # refused
    assert "write digits as 0-9" in capsys.readouterr().err
    assert path.read_bytes() == broken
    assert not validate(root, rules=False).valid


# --- Cells for every field type and option ---

TYPE_OPTIONS: dict[str, list[dict[str, Any]]] = {
    "string": [{}, {"format": "uri"}, {"format": "email"}, {"format": "uuid"}, {"format": "binary"}],
    "integer": [{}, {"bareNumber": False}, {"groupChar": " "}],
    "number": [{}, {"bareNumber": False}, {"groupChar": ","}, {"decimalChar": ",", "groupChar": "."}],
    "boolean": [{}, {"trueValues": ["yes", "Y"], "falseValues": ["no", "N"]}],
    "date": [{}, {"format": "%d/%m/%Y"}],
    "time": [{}], "datetime": [{}], "year": [{}], "yearmonth": [{}], "duration": [{}],
    "geopoint": [{}, {"format": "array"}, {"format": "object"}],
    "geojson": [{}], "object": [{}], "array": [{}],
    "list": [{"itemType": "integer"}, {"itemType": "string", "delimiter": ";"}],
    "any": [{}],
}
SCHEMA_MISSING = [[""], ["", "n/a"], [{"value": "-", "label": "not collected"}]]
TRICKY = ["", " ", "n/a", "-", "1", " 1", "1 ", "+1", "-0", "1.5", "1,5", "1.000,5", "1 000", "1e3", "NaN", "INF", "-INF",
          "inf", "Infinity", "١٢", "٣٢٢١٦٤", "12%", "$12", "true", "TRUE", "yes", "Y", "0", "2020-02-29", "2021-02-29",
          "29/02/2020", "2020-01-02T03:04:05", "2020-01-02T03:04:05Z", "03:04:05", "2020", "2020-13", "2020-12",
          "P1Y2M", "PT", "1,2", "[1, 2]", '{"lon": 1, "lat": 2}', '{"a": 1}', "[1,", "https://example.org/a",
          "http://", "a@b.org", "12345678-1234-5678-1234-567812345678", "aGVsbG8=", "1;2", "1,2,3", "9" * 20]


def values_for(field: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of a field's type, as the codec returns them."""
    kind = field["type"]
    decimals = st.decimals(min_value=-10**15, max_value=10**15, places=4, allow_nan=False, allow_infinity=False)
    strategies = {
        "string": st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
        "integer": st.integers(*codec.INT64), "year": st.integers(0, 9999),
        "number": st.one_of(decimals, st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])),
        "boolean": st.booleans(),
        "date": st.dates(datetime.date(1678, 1, 1), datetime.date(2261, 12, 31)),
        "time": st.times(), "datetime": st.datetimes(datetime.datetime(1678, 1, 1), datetime.datetime(2261, 12, 31)),
        "yearmonth": st.tuples(st.integers(0, 9999), st.integers(1, 12)),
        "duration": st.sampled_from(["P1Y", "PT1H30M", "P2W", "P1DT0.5S"]),
        "geopoint": st.tuples(st.decimals(-180, 180, places=3), st.decimals(-90, 90, places=3)),
        "geojson": st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
        "object": st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
        "array": st.lists(st.integers(), max_size=3),
        "list": st.lists(st.integers(0, 99) if field.get("itemType") == "integer" else st.text("abc", min_size=1, max_size=3),
                         min_size=1, max_size=3),
        "any": st.text("abc ", min_size=1, max_size=4),
    }
    if kind == "string" and field.get("format") not in (None, "default"):
        return st.sampled_from({"uri": ["https://example.org/x"], "email": ["a@b.org"], "binary": ["aGVsbG8="],
                                "uuid": ["12345678-1234-5678-1234-567812345678"]}[field["format"]])
    return strategies[kind]


@st.composite
def fields(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(TYPE_OPTIONS)))
    return {"name": "cell", "type": kind, **draw(st.sampled_from(TYPE_OPTIONS[kind]))}


def same(a: Any, b: Any) -> bool:
    """Equal values; NaN equals NaN, and numbers compare as decimals."""
    if isinstance(a, Decimal) and a.is_nan():
        return isinstance(b, (Decimal, float)) and b != b
    return a == b


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields(), st.data())
def test_every_value_of_every_type_and_option_survives_write_then_parse(field, data):
    cell_codec = codec.codec(field)
    value = data.draw(values_for(field))
    if field["type"] == "list" and field.get("delimiter", ",") == ";":
        value = [item for item in value if ";" not in item] or ["a"]
    text = cell_codec.write(value)
    if field["type"] in ("string", "any") and text in cell_codec.missing_values:
        return  # the empty text is the missing value
    assert same(cell_codec.parse(text), value), (text, value)
    assert cell_codec.write(cell_codec.parse(text)) == text  # canonical text is stable


# --- Every consumer reads a drawn cell as the codec does ---


def one_table_package(root: Path, field: dict[str, Any], missing: list[Any], cells: list[str]) -> dict[str, Any]:
    schema = {"fields": [{"name": "id", "type": "integer"}, field], "primaryKey": ["id"], "missingValues": missing}
    (root / "data").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "schemas/t.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["id", "cell"], *[[str(n), cell] for n, cell in enumerate(cells)]])
    (root / "data/t.csv").write_text(out.getvalue(), encoding="utf-8")
    descriptor = {"resources": [{"name": "t", "path": "data/t.csv", "format": "csv", "schema": "schemas/t.schema.json"}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return schema


def frame_value(value: Any) -> Any:
    """A typed frame's cell as the codec's value: floats and timestamps back to decimals and dates."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    if hasattr(value, "item"):
        value = value.item()
    return value


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields(), st.sampled_from(SCHEMA_MISSING), st.data())
def test_validate_fmt_and_load_read_each_cell_as_the_codec_does(field, missing, data):
    cell_strategy = st.one_of(st.sampled_from(TRICKY), values_for(field).map(codec.codec(field).write))
    cells = data.draw(st.lists(cell_strategy, min_size=1, max_size=6))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "package"
        schema = one_table_package(root, field, missing, cells)
        reader = codec.field_codec(field, schema)

        def expected(text: str) -> tuple[Any, bool]:  # (value, accepted by validation)
            if reader.is_missing(text):
                return None, True
            try:
                value = reader.parse(text)
            except codec.CellError:
                return None, False
            return value, codec.spelling_problem(reader, text) is None

        wanted = [expected(text) for text in cells]
        compiled, _ = compile_schema(schema)
        result = check_table("t", "data/t.csv", schema, compiled, (root / "data/t.csv").read_bytes())
        rejected = {f.line for f in result.findings if f.rule != "required_cell_present"}
        assert [line not in rejected for line in range(2, len(cells) + 2)] == [ok for _, ok in wanted], result.findings
        typed = result.table.frame["cell"]
        for line, (value, ok) in enumerate(wanted, start=2):
            if ok and field["type"] in ("integer", "year", "boolean", "date", "string"):
                assert same(value, frame_value(typed.loc[line])), (cells[line - 2], typed.loc[line])
            if ok and field["type"] == "number" and value is not None and value.is_finite():
                assert float(value) == typed.loc[line]

        formatted, problems = fmt.format_table((root / "data/t.csv").read_bytes(), schema)
        assert (formatted is not None) == all(ok for _, ok in wanted), problems
        if formatted is not None:  # fmt kept every value
            again = tables.parse_table(formatted, schema)
            by_id = {row["id"]: row["cell"] for row in again.rows}
            for number, (value, _) in enumerate(wanted):
                shown = by_id[number]
                assert same(value, None if isinstance(shown, tables.Marker) else shown), (cells[number], shown)

        if all(ok for _, ok in wanted) and field["type"] in ("integer", "number", "boolean", "date", "string"):
            loaded = api.load("t", root)["cell"]
            for number, (value, _) in enumerate(wanted):
                got = frame_value(loaded.loc[number])
                if isinstance(value, Decimal):
                    assert (got is None and not value.is_finite() and value.is_nan()) or float(value) == got
                else:
                    assert same(value, got), (cells[number], got)


@pytest.mark.parametrize("text", ["NaN", "INF", "-INF"])
def test_nan_and_inf_are_numbers_of_the_standard(text):
    assert codec.codec({"name": "x", "type": "number"}).write(codec.codec({"name": "x", "type": "number"}).parse(text)) == text
