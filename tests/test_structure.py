"""Structural checks: every rule broken and kept, line numbers, typed frames, CSV reading."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import edit_json, edit_rows, findings_of, insert_line, set_cell
from country_profiles.validation import load, validate
from country_profiles.validation.structure import (
    STRUCTURE_RULES,
    check_table,
    compile_schema,
    read_records,
)

MODEL_DTYPES = {"string": "str", "integer": "Int64", "number": "float64", "boolean": "boolean", "date": "datetime64[ns]"}


def check(root: Path, name: str):
    """Check one table of a package directly (no foreign keys), as validate() does."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(item for item in descriptor["resources"] if item["name"] == name)
    raw = json.loads((root / resource["schema"]).read_text(encoding="utf-8"))
    schema, problems = compile_schema(raw)
    assert schema is not None and not problems
    return check_table(name, resource["path"], raw, schema, (root / resource["path"]).read_bytes())


def at(report, rule: str) -> list[tuple[str | None, int | None, str | None]]:
    return [(finding.path, finding.line, finding.field) for finding in findings_of(report, rule)]


# --- Every structure rule: data that breaks it, and the clean package that keeps it ---


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


RULE_CASES = {
    # rule id: (corruption of the mini package, file, line, field) of the expected finding
    "csv_is_not_empty": (lambda root: write(root / "data/refs.csv", b""), "data/refs.csv", 1, None),
    "csv_has_no_bom": (
        lambda root: write(root / "data/refs.csv", b"\xef\xbb\xbf" + (root / "data/refs.csv").read_bytes()),
        "data/refs.csv", 1, None,
    ),
    "csv_is_utf8": (
        lambda root: write(root / "data/lands.csv", (root / "data/lands.csv").read_bytes().replace(b"Kenya", b"K\xe9nya")),
        "data/lands.csv", 3, None,
    ),
    "csv_is_well_formed": (
        lambda root: write(root / "data/city_facts.csv", (root / "data/city_facts.csv").read_bytes() + b'KGZ,"Osh,2020,census,1\n'),
        "data/city_facts.csv", 8, None,
    ),
    "header_matches_schema": (
        lambda root: edit_rows(root / "data/lands.csv", lambda rows: rows[0].__setitem__(2, "continent")),
        "data/lands.csv", 1, "region",
    ),
    "row_is_not_blank": (lambda root: insert_line(root / "data/lands.csv", 4, ""), "data/lands.csv", 4, None),
    "row_has_all_cells": (
        lambda root: edit_rows(root / "data/lands.csv", lambda rows: rows[2].pop()), "data/lands.csv", 3, "source_id",
    ),
    "row_has_no_extra_cells": (
        lambda root: edit_rows(root / "data/refs.csv", lambda rows: rows[3].append("surplus")), "data/refs.csv", 4, None,
    ),
    "cell_has_field_type": (lambda root: set_cell(root / "data/lands.csv", 3, "area_km2", "abc"), "data/lands.csv", 3, "area_km2"),
    "number_has_no_surrounding_whitespace": (
        lambda root: set_cell(root / "data/lands.csv", 3, "area_km2", " 580367"), "data/lands.csv", 3, "area_km2",
    ),
    "number_is_finite": (lambda root: set_cell(root / "data/lands.csv", 3, "area_km2", "NaN"), "data/lands.csv", 3, "area_km2"),
    "required_cell_present": (lambda root: set_cell(root / "data/lands.csv", 2, "name", ""), "data/lands.csv", 2, "name"),
    "value_in_enum": (lambda root: set_cell(root / "data/lands.csv", 5, "region", "Oceania"), "data/lands.csv", 5, "region"),
    "value_matches_pattern": (lambda root: set_cell(root / "data/lands.csv", 4, "iso3", "Fro"), "data/lands.csv", 4, "iso3"),
    "value_length_within_bounds": (lambda root: set_cell(root / "data/refs.csv", 3, "title", "FN"), "data/refs.csv", 3, "title"),
    "value_within_bounds": (lambda root: set_cell(root / "data/city_facts.csv", 6, "value", "100.6"), "data/city_facts.csv", 6, "value"),
    "values_unique": (lambda root: set_cell(root / "data/refs.csv", 4, "id", "atlas-1998"), "data/refs.csv", 4, "id"),
    "primary_key_unique": (
        lambda root: edit_rows(root / "data/city_facts.csv", lambda rows: rows.append(list(rows[2]))),
        "data/city_facts.csv", 8, "country",
    ),
    "frictionless_reports": (  # a format the fast path does not read: frictionless reads it, and cannot
        lambda root: edit_json(root / "datapackage.json", lambda d: d["resources"][0].__setitem__("format", "xlsx")),
        "data/refs.csv", None, None,
    ),
    "foreign_key_resolves": (lambda root: set_cell(root / "data/lands.csv", 3, "source_id", "atlas"), "data/lands.csv", 3, "source_id"),
}


@pytest.mark.parametrize("rule", STRUCTURE_RULES, ids=lambda rule: rule.id)
def test_each_structure_rule_is_broken_by_bad_data_and_kept_by_good_data(mini, rule):
    assert rule.id in RULE_CASES, f"add a case that breaks {rule.id} to RULE_CASES"
    clean = validate(mini, rules=False)
    assert clean.rows_checked > 0 and len(clean.tables) == 4
    assert findings_of(clean, rule.id) == []

    corrupt, path, line, field = RULE_CASES[rule.id]
    corrupt(mini)
    report = validate(mini, rules=False)
    assert (path, line, field) in at(report, rule.id), report.findings
    finding = next(finding for finding in findings_of(report, rule.id) if (finding.path, finding.line) == (path, line))
    assert finding.severity == rule.severity and finding.message and finding.resource


def test_structure_rules_are_described_for_the_catalogue():
    ids = [rule.id for rule in STRUCTURE_RULES]
    assert len(ids) == len(set(ids))
    for rule in STRUCTURE_RULES:
        assert rule.id.isidentifier() and rule.id == rule.id.lower()
        assert rule.severity in ("error", "warning") and rule.description and rule.hint


# --- Line numbers ---


def test_lines_count_physical_lines_across_quoted_newlines(mini):
    # cities.csv line 4 holds a note that runs onto line 5; the next rows are lines 6 and 7.
    edit_rows(mini / "data/cities.csv", lambda rows: rows[5].__setitem__(2, "-5"))
    report = validate(mini, rules=False)
    assert at(report, "value_within_bounds") == [("data/cities.csv", 7, "population")]
    assert (mini / "data/cities.csv").read_text(encoding="utf-8").splitlines()[6].startswith("VAT,")


def test_one_bad_cell_does_not_hide_the_other_checks_of_its_column(mini):
    set_cell(mini / "data/lands.csv", 2, "area_km2", "abc")
    set_cell(mini / "data/lands.csv", 5, "area_km2", "-1")
    report = validate(mini, rules=False)
    assert at(report, "cell_has_field_type") == [("data/lands.csv", 2, "area_km2")]
    assert at(report, "value_within_bounds") == [("data/lands.csv", 5, "area_km2")]


def test_crlf_files_read_like_lf_files(mini):
    path = mini / "data/lands.csv"
    set_cell(path, 4, "region", "Oceania")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report = validate(mini, rules=False)
    assert at(report, "value_in_enum") == [("data/lands.csv", 4, "region")]
    assert len(findings_of(report, "value_in_enum")) == 1


def test_a_stray_quote_falls_back_to_the_csv_module_and_keeps_line_numbers(mini):
    path = mini / "data/cities.csv"  # has a quoted cell over two lines too
    path.write_bytes(path.read_bytes().replace(b"Vatican City", b'Vatican "City'))
    set_cell_raw = path.read_bytes().replace(b"764", b"-764")
    path.write_bytes(set_cell_raw)
    report = validate(mini, rules=False)
    assert at(report, "value_within_bounds") == [("data/cities.csv", 7, "population")]
    table = load(mini).tables["cities"]
    assert table.frame.loc[7, "city"] == 'Vatican "City'


def test_an_unclosed_quote_is_reported_where_its_row_starts(mini):
    path = mini / "data/lands.csv"
    path.write_bytes(path.read_bytes().replace(b"Faroe Islands", b'"Faroe Islands'))
    report = validate(mini, rules=False)
    assert at(report, "csv_is_well_formed") == [("data/lands.csv", 4, None)]


def test_bad_utf8_bytes_name_every_line_that_has_them(mini):
    path = mini / "data/lands.csv"
    path.write_bytes(path.read_bytes().replace(b"Kenya", b"K\xe9nya").replace(b"Holy", b"H\xf6ly"))
    report = validate(mini, rules=False)
    (finding,) = findings_of(report, "csv_is_utf8")
    assert (finding.line, finding.lines, finding.value) == (3, (3, 5), "0xe9")
    assert "line 3" in finding.message


def test_bom_is_a_warning_and_the_header_is_still_read(mini):
    path = mini / "data/refs.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = validate(mini, rules=False)
    assert report.valid and [finding.severity for finding in report.findings] == ["warning"]
    assert findings_of(report, "header_matches_schema") == []


# --- The header and ragged rows ---


def test_columns_in_another_order_are_named_and_checked_by_position(mini):
    edit_rows(mini / "data/refs.csv", lambda rows: [row.__setitem__(slice(2, 4), row[2:4][::-1]) for row in rows])
    report = validate(mini, rules=False)
    header = findings_of(report, "header_matches_schema")
    assert [(finding.line, finding.field, finding.value) for finding in header] == [
        (1, "published", "url"), (1, "url", "published")]
    assert "order" in header[0].message
    # positional: the dates now sit under "url" and the URLs under "published"
    assert ("data/refs.csv", 2, "published") in at(report, "cell_has_field_type")


def test_missing_and_unknown_columns(mini):
    edit_rows(mini / "data/city_facts.csv", lambda rows: [row.pop() for row in rows])
    edit_rows(mini / "data/refs.csv", lambda rows: [row.append("extra" if number == 0 else "x") for number, row in enumerate(rows)])
    report = validate(mini, rules=False)
    assert sorted(at(report, "header_matches_schema")) == [
        ("data/city_facts.csv", 1, "value"), ("data/refs.csv", 1, "extra")]
    assert "missing" in findings_of(report, "header_matches_schema")[0].message
    assert findings_of(report, "row_has_all_cells") == []  # rows match their header


def test_a_blank_first_line_is_a_missing_header(mini):
    path = mini / "data/refs.csv"
    path.write_bytes(b"\n" + path.read_bytes())
    report = validate(mini, rules=False)
    assert at(report, "header_matches_schema") == [("data/refs.csv", 1, None)]
    assert "blank" in findings_of(report, "header_matches_schema")[0].message


def test_a_short_row_names_each_missing_cell_and_is_not_also_required(mini):
    edit_rows(mini / "data/lands.csv", lambda rows: rows[1].__delitem__(slice(2, None)))
    report = validate(mini, rules=False)
    assert [finding.field for finding in findings_of(report, "row_has_all_cells")] == [
        "area_km2", "independent", "region", "source_id"]
    assert findings_of(report, "required_cell_present") == []


def test_a_row_of_empty_cells_is_blank_and_nothing_else(mini):
    insert_line(mini / "data/lands.csv", 3, ",,,,,")
    report = validate(mini, rules=False)
    assert [(finding.rule, finding.line) for finding in report.findings] == [("row_is_not_blank", 3)]


# --- Types and constraints ---


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("population", "1e3", "not an integer"),
        ("population", "12.0", "not an integer"),
        ("population", "99999999999999999999", "64-bit"),
        ("population", "١٢", "not an integer"),  # Arabic-Indic digits: int() takes them, we do not
        ("capital", "yes", "not a boolean"),
    ],
)
def test_integers_and_booleans_are_strict(mini, column, value, problem):
    set_cell(mini / "data/cities.csv", 2, column, value)
    report = validate(mini, rules=False)
    (finding,) = findings_of(report, "cell_has_field_type")
    assert (finding.line, finding.field, finding.value) == (2, column, value)
    assert problem in finding.message


@pytest.mark.parametrize(
    ("column", "value"),
    [("area_km2", "Infinity"), ("area_km2", "inf"), ("area_km2", "1,5"), ("area_km2", "1e999"), ("area_km2", "0x10")],
)
def test_numbers_are_decimal_literals(mini, column, value):
    set_cell(mini / "data/lands.csv", 2, column, value)
    assert at(validate(mini, rules=False), "cell_has_field_type") == [("data/lands.csv", 2, column)]


@pytest.mark.parametrize("value", ["NaN", "INF", "-INF", " 12"])
def test_standard_numbers_are_not_type_errors_but_break_project_rules(mini, value):
    """NaN, INF and spaces around a number are valid Table Schema; this package's own rules refuse them."""
    set_cell(mini / "data/lands.csv", 2, "area_km2", value)
    report = validate(mini, rules=False)
    assert findings_of(report, "cell_has_field_type") == []
    rule = "number_has_no_surrounding_whitespace" if value.startswith(" ") else "number_is_finite"
    assert at(report, rule) == [("data/lands.csv", 2, "area_km2")]


@pytest.mark.parametrize("value", ["1.5e3", "+7", "-0", ".5", "2.", "1E-2"])
def test_number_literals_frictionless_also_reads(mini, value):
    set_cell(mini / "data/lands.csv", 2, "area_km2", value)
    report = validate(mini, rules=False)
    assert findings_of(report, "cell_has_field_type") == []


@pytest.mark.parametrize(("value", "ok"), [("2021-02-28", True), ("2021-02-29", False), ("2021-2-28", False),
                                          ("1500-01-01", False), ("2021-02-28T00:00", False)])
def test_dates_are_iso_calendar_dates(mini, value, ok):
    set_cell(mini / "data/refs.csv", 2, "published", value)
    assert (findings_of(validate(mini, rules=False), "cell_has_field_type") == []) is ok


@pytest.mark.parametrize(("value", "ok"), [("https://example.org/a b", False), ("example.org", False),
                                          ("https://", False), ("mailto:someone@example.org", True),
                                          ("https://example.org/x?y=1#z", True)])
def test_uri_format(mini, value, ok):
    set_cell(mini / "data/refs.csv", 2, "url", value)
    assert (findings_of(validate(mini, rules=False), "cell_has_field_type") == []) is ok


def test_a_number_that_rounds_onto_the_bound_is_compared_exactly(mini):
    # 100.50000000000001 is the float 100.5, the maximum; as written it is above it.
    set_cell(mini / "data/city_facts.csv", 6, "value", "100.50000000000001")
    set_cell(mini / "data/city_facts.csv", 4, "value", "100.500")
    assert at(validate(mini, rules=False), "value_within_bounds") == [("data/city_facts.csv", 6, "value")]


def test_missing_value_tokens_come_from_the_schema(mini):
    set_cell(mini / "data/cities.csv", 2, "city", "n/a")  # cities declares ["", "n/a"]
    set_cell(mini / "data/lands.csv", 2, "name", "n/a")  # lands declares [""]: a name like any other
    report = validate(mini, rules=False)
    assert at(report, "required_cell_present") == [("data/cities.csv", 2, "city")]


def test_patterns_match_the_whole_value(mini):
    set_cell(mini / "data/lands.csv", 2, "iso3", "KGZX")
    set_cell(mini / "data/lands.csv", 3, "iso3", "KE\n")
    report = validate(mini, rules=False)
    assert [finding.line for finding in findings_of(report, "value_matches_pattern")] == [2, 3]


def test_unique_ignores_missing_values_and_names_the_first_line(mini):
    set_cell(mini / "data/refs.csv", 3, "id", "atlas-1998")
    report = validate(mini, rules=False)
    (finding,) = findings_of(report, "values_unique")
    assert finding.line == 3 and "line 2" in finding.message


def test_a_composite_foreign_key_needs_the_whole_pair(mini):
    # Osh exists in cities, but not in Kenya
    set_cell(mini / "data/city_facts.csv", 5, "city", "Osh")
    report = validate(mini, rules=False)
    (finding,) = findings_of(report, "foreign_key_resolves")
    assert (finding.path, finding.line, finding.value) == ("data/city_facts.csv", 5, "KEN, Osh")


def test_a_foreign_key_into_a_table_that_could_not_be_read_says_it_was_not_checked(mini):
    (mini / "data/cities.csv").unlink()
    report = validate(mini, rules=False)
    assert at(report, "resource_file_exists") == [("data/cities.csv", None, None)]
    (finding,) = findings_of(report, "foreign_key_resolves")
    assert (finding.path, finding.line, finding.field) == ("data/city_facts.csv", None, "country")
    assert "not checked" in finding.message and "cities" in finding.message


def test_exclusive_bounds_and_self_references(mini):
    def change(schema):
        schema["fields"][4]["constraints"] = {"exclusiveMinimum": 0, "exclusiveMaximum": 100.5}
        schema["foreignKeys"].append({"fields": "city", "reference": {"resource": "", "fields": "city"}})

    edit_json(mini / "schemas/city_facts.schema.json", change)
    set_cell(mini / "data/city_facts.csv", 6, "value", "100.5")
    set_cell(mini / "data/city_facts.csv", 7, "value", "0")
    report = validate(mini, rules=False)
    assert [finding.line for finding in findings_of(report, "value_within_bounds")] == [6, 7]
    assert findings_of(report, "foreign_key_resolves") == []  # every city appears in its own column


# --- Typed frames for the rules ---


def test_typed_frames_follow_the_model(mini):
    set_cell(mini / "data/lands.csv", 3, "area_km2", "abc")
    package = load(mini)
    assert set(package.tables) == {"refs", "lands", "cities", "city_facts"}
    for table in package.tables.values():
        fields = table.schema["fields"]
        assert list(table.frame.columns) == [field["name"] for field in fields]
        assert [str(dtype) for dtype in table.frame.dtypes] == [MODEL_DTYPES[field["type"]] for field in fields]
        assert table.frame.index.is_unique and table.frame.index.min() >= 2
    cities = package.tables["cities"].frame
    assert cities.index.tolist() == [2, 3, 4, 6, 7]
    assert cities.loc[4, "note"] == "capital since 1905\n(moved from Mombasa)"
    assert pd.isna(cities.loc[6, "population"]) and cities.loc[7, "population"] == 764
    assert cities["capital"].tolist() == [True, False, True, True, True]
    lands = package.tables["lands"].frame
    assert pd.isna(lands.loc[3, "area_km2"]) and lands.loc[5, "area_km2"] == pytest.approx(0.44)
    refs = package.tables["refs"].frame
    assert refs.loc[2, "published"] == pd.Timestamp("1998-05-01") and pd.isna(refs.loc[4, "published"])


def test_rules_get_only_tables_whose_header_matches(mini):
    edit_rows(mini / "data/lands.csv", lambda rows: rows[0].__setitem__(1, "Name"))
    (mini / "data/refs.csv").write_bytes(b"")
    package = load(mini)
    assert set(package.tables) == {"cities", "city_facts"}


def test_blank_rows_are_left_out_of_the_frame(mini):
    insert_line(mini / "data/lands.csv", 3, "")
    frame = load(mini).tables["lands"].frame
    assert 3 not in frame.index and frame.index.tolist() == [2, 4, 5, 6]


def test_check_table_counts_rows_and_keeps_labels(mini):
    result = check(mini, "cities")
    assert result.rows == 5 and result.header_ok
    assert result.labels == ["country", "city", "population", "capital", "note"]


# --- Reading CSV: the numpy fast path agrees with Python's csv module ---

cell_text = st.text(alphabet=st.sampled_from(list('ab,"\n\r ;é')), max_size=6)
records = st.lists(st.lists(cell_text, min_size=0, max_size=4), min_size=1, max_size=8)


def csv_module(text: str) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, starts, next_line = [], [], 1
    for row in reader:
        rows.append(row)
        starts.append(next_line)
        next_line = reader.line_num + 1
    return rows, starts


def as_rows(records_read) -> list[list[str]]:
    frame, counts = records_read.cells, records_read.counts
    return [frame.iloc[number, :count].tolist() for number, count in enumerate(counts.tolist())]


@settings(max_examples=300, deadline=None)
@given(records, st.sampled_from(["\n", "\r\n"]), st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
def test_written_csv_reads_back_like_the_csv_module(rows, terminator, quoting):
    out = io.StringIO()
    csv.writer(out, lineterminator=terminator, quoting=quoting).writerows(rows)
    text = out.getvalue()
    expected_rows, expected_lines = csv_module(text)
    got = read_records(text.encode("utf-8"), text)
    assert as_rows(got) == expected_rows
    assert got.lines.tolist() == expected_lines


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab,"\n\r')), min_size=1, max_size=40))
def test_any_text_reads_like_the_csv_module(text):
    expected_rows, expected_lines = csv_module(text)
    got = read_records(text.encode("utf-8"), text)
    assert as_rows(got) == expected_rows
    assert got.lines.tolist() == expected_lines


def test_the_fast_path_is_taken_for_plain_csv():
    text = 'a,b\n1,"x\ny"\n\n2,3\n'
    got = read_records(text.encode(), text)
    assert got.counts.tolist() == [2, 2, 0, 2] and got.lines.tolist() == [1, 2, 4, 5]
    assert isinstance(got.counts, np.ndarray) and got.unclosed_quote is None


def test_a_huge_cell_in_a_file_only_the_csv_module_reads(mini):
    # A stray quote sends the file to the csv module, whose default cell limit is 128 KiB.
    import csv as csv_module_itself

    limit = csv_module_itself.field_size_limit()
    edit_rows(mini / "data/cities.csv", lambda rows: rows[1].__setitem__(4, "n" * 200_000))
    path = mini / "data/cities.csv"
    path.write_bytes(path.read_bytes().replace(b"Osh", b'O"sh'))
    report = validate(mini, rules=False)
    assert report.valid and load(mini).tables["cities"].frame.loc[2, "note"] == "n" * 200_000
    assert csv_module_itself.field_size_limit() == limit


def test_key_codes_are_equal_exactly_where_the_keys_are() -> None:
    """Primary keys are compared as one integer per row; missing parts leave a row out. Four
    columns of 100,000 distinct values each would overflow 64 bits unless renumbered on the way."""
    from country_profiles.validation import structure

    rows = 100_000
    texts = pd.Series([f"t{number}" for number in range(rows)], dtype="str")
    frame = pd.DataFrame({"a": texts, "b": texts[::-1].reset_index(drop=True), "c": pd.array(range(rows), dtype="Int64"),
                          "d": texts})
    frame.loc[7] = frame.loc[3]  # a repeated key
    frame.loc[9, "c"] = pd.NA  # a missing part
    codes = structure._key_codes(frame, ["a", "b", "c", "d"])
    assert codes[9] == -1 and (np.delete(codes, 9) >= 0).all()
    assert codes[7] == codes[3]
    assert len(set(np.delete(codes, [7, 9]).tolist())) == rows - 2
