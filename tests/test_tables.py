"""The canonical CSV writer shared by the importer and the formatter."""

import pytest

from country_profiles import tables

SCHEMA = {
    "fields": [
        {"name": "country", "type": "string"},
        {"name": "year", "type": "integer"},
        {"name": "value", "type": "number"},
        {"name": "flag", "type": "boolean"},
        {"name": "note", "type": "string"},
    ],
    "primaryKey": ["country", "year"],
}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(None, "", id="none-empty"),
        pytest.param(True, "true", id="bool-true"),
        pytest.param(False, "false", id="bool-false"),
        pytest.param(12, "12", id="int"),
        pytest.param(12.0, "12", id="integral-float"),
        pytest.param(0.1, "0.1", id="decimal"),
        pytest.param(1e-07, "0.0000001", id="tiny-no-exponent"),
        pytest.param(2.5e20, "250000000000000000000", id="huge-no-exponent"),
        pytest.param(float("nan"), "", id="nan-empty"),
        pytest.param("Côte d'Ivoire", "Côte d'Ivoire", id="unicode-text"),
    ],
)
def test_format_cell_spells_each_value_one_way(value, text):
    assert tables.format_cell(value) == text


def test_render_csv_sorts_by_primary_key_numerically_and_quotes_minimally():
    rows = [
        {"country": "KGZ", "year": 2025, "value": 1.5, "flag": True, "note": "a, b"},
        {"country": "KGZ", "year": 999, "value": 2, "flag": False, "note": None},
        {"country": "AFG", "year": 2020, "value": None, "flag": None, "note": 'say "hi"'},
    ]
    assert tables.render_csv(rows, SCHEMA) == (
        "country,year,value,flag,note\n"
        'AFG,2020,,,"say ""hi"""\n'
        "KGZ,999,2,false,\n"
        'KGZ,2025,1.5,true,"a, b"\n'
    )


def test_render_csv_refuses_columns_the_schema_does_not_declare():
    with pytest.raises(ValueError, match="bogus"):
        tables.render_csv([{"country": "KGZ", "year": 1, "bogus": 1}], SCHEMA)


def test_render_csv_round_trips_through_read_rows(tmp_path):
    rows = [{"country": "KGZ", "year": 2025, "value": 0.25, "flag": True, "note": "line\nbreak"}]
    path = tmp_path / "t.csv"
    path.write_text(tables.render_csv(rows, SCHEMA), encoding="utf-8")
    assert tables.read_rows(path) == [
        {"country": "KGZ", "year": "2025", "value": "0.25", "flag": "true", "note": "line\nbreak"}
    ]
