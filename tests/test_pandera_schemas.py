"""cp.schema(name): Pandera schemas built from the Table Schemas, with the rules as named checks.

The real data passes them; a frame built by hand passes or fails with named checks; and they
give the verdicts `validate` gives on the same data.
"""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pandera.pandas as pa
import pytest

import country_profiles as cp
from country_profiles.validation import validate
from country_profiles.validation.findings import ERROR, WARNING
from country_profiles.validation.rules import CHECKS

from conftest import REPO, copy_package, edit_rows

DESCRIPTOR = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
TABLES = [resource["name"] for resource in DESCRIPTOR["resources"]]
SEVERITY = {check.id: check.rule.severity for check in CHECKS}
SOURCE = "factbook-2024-02-15"


def table_schema(name: str) -> dict:
    resource = next(r for r in DESCRIPTOR["resources"] if r["name"] == name)
    return json.loads((REPO / resource["schema"]).read_text(encoding="utf-8"))


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """The failure cases of a lazy validation (none: an empty frame), warnings left out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pa.errors.SchemaWarning)
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            return exc.failure_cases
    return pd.DataFrame(columns=["check", "column", "index", "failure_case"])


def failed_checks(cases: pd.DataFrame) -> set[str]:
    return {str(check) for check in cases["check"]}


# --- every table: built from its Table Schema, and the real data passes --------------------------


@pytest.mark.parametrize("name", TABLES)
def test_schema_mirrors_the_table_schema(name):
    schema = cp.schema(name)
    fields = table_schema(name)["fields"]
    assert isinstance(schema, pa.DataFrameSchema)
    assert list(schema.columns) == [f["name"] for f in fields]
    for field in fields:
        column, constraints = schema.columns[field["name"]], field.get("constraints", {})
        assert column.nullable is not bool(constraints.get("required"))
        assert column.unique is bool(constraints.get("unique"))
        names = {check.name for check in column.checks}
        assert ("str_matches" in names) is ("pattern" in constraints)
        assert ("isin" in names) is ("enum" in constraints)
        assert ("greater_than_or_equal_to" in names) is ("minimum" in constraints)
        assert ("less_than_or_equal_to" in names) is ("maximum" in constraints)
    key = table_schema(name)["primaryKey"]
    assert schema.unique == (key if isinstance(key, list) else [key])
    rules = [check for check in CHECKS if name in check.rule.tables]
    assert [check.name for check in schema.checks] == [check.id for check in rules]
    for check, rule_check in zip(schema.checks, rules):
        assert check.description == rule_check.rule.description
        assert check.raise_warning is (rule_check.rule.severity == WARNING)


@pytest.mark.parametrize("name", TABLES)
def test_real_data_passes_with_warnings_only_from_warning_rules(name):
    frame = cp.load(name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pa.errors.SchemaWarning)
        validated = cp.schema(name).validate(frame, lazy=True)
    pd.testing.assert_frame_equal(validated, frame)  # the key stays the index, dtypes unchanged
    warned = [w for w in caught if issubclass(w.category, pa.errors.SchemaWarning)]
    for warning in warned:
        assert any(check in str(warning.message) for check, severity in SEVERITY.items() if severity == WARNING)


@pytest.mark.filterwarnings("ignore::pandera.errors.SchemaWarning")
def test_the_key_as_columns_is_accepted_as_well():
    frame = cp.load("ethnic_groups").reset_index()
    validated = cp.schema("ethnic_groups").validate(frame, lazy=True)
    assert list(validated.columns) == list(frame.columns)


# --- a frame built by hand -------------------------------------------------------------------------


def demographics(*rows: tuple) -> pd.DataFrame:
    """A demographics frame as a user builds it: plain Python values, the key as columns."""
    columns = ["country", "indicator", "year", "value", "value_max", "note", "source_id"]
    return pd.DataFrame([(*row, None, None, SOURCE) for row in rows], columns=columns)


def test_a_user_built_frame_passes():
    frame = demographics(("KGZ", "population", 2023, 6_122_781), ("KGZ", "labor_force", 2023, 2_900_000))
    validated = cp.schema("demographics").validate(frame, lazy=True)
    assert validated["year"].dtype == "Int64"  # coerced to the dtypes load() gives
    assert validated["country"].dtype == "category"


def test_a_user_built_frame_fails_with_named_checks():
    frame = demographics(
        ("KGZ", "population", 2023, 6_122_781),
        ("KGZ", "labor_force", 2023, 9_000_000),  # more workers than people
        ("kgz", "population", 1700, 5_000_000),  # a code that is not one, a year before 1800
    )
    cases = failures(cp.schema("demographics"), frame)
    assert {"workforce_is_at_most_population", "str_matches('^(?:[A-Z]{3})$')",
            "greater_than_or_equal_to(1800)"} <= failed_checks(cases)
    rule = cases[cases["check"] == "workforce_is_at_most_population"]
    assert set(rule["index"]) == {0, 1}  # both rows compared are blamed
    pattern = cases[cases["check"].str.startswith("str_matches")]
    assert list(pattern["column"]) == ["country"] and list(pattern["failure_case"]) == ["kgz"]


def test_the_primary_key_is_unique():
    frame = demographics(("KGZ", "population", 2023, 6_122_781), ("KGZ", "population", 2023, 6_122_781))
    cases = failures(cp.schema("demographics"), frame)
    assert "multiple_fields_uniqueness" in failed_checks(cases)


def ethnic_groups(percent_max: float | None) -> pd.DataFrame:
    return pd.DataFrame({
        "country": ["KGZ", "KGZ"], "year": [2021, 2021], "group": ["Kyrgyz", "other"],
        "percent": [70.0, 20.0], "percent_max": [percent_max, None], "note": [None, None], "source_id": [SOURCE] * 2,
    }).set_index(["country", "year", "group"])


def test_a_table_rule_fails_on_data_that_breaks_it_and_passes_on_data_that_does_not():
    schema = cp.schema("ethnic_groups")
    broken = failures(schema, ethnic_groups(percent_max=60.0))  # a range from 70% down to 60%
    assert failed_checks(broken) == {"percent_ranges_are_ordered"}
    assert set(broken["index"]) == {"('KGZ', 2021, 'Kyrgyz')"}  # the key, as load() indexes it
    assert failures(schema, ethnic_groups(percent_max=75.0)).empty


def test_a_warning_rule_warns_and_does_not_fail():
    # A list with a residual group that adds up to 90%: the Factbook publishes such lists.
    with pytest.warns(pa.errors.SchemaWarning, match="ethnic_percentages_with_residual_sum_to_100"):
        cp.schema("ethnic_groups").validate(ethnic_groups(percent_max=None), lazy=True)


# --- the same verdicts as validate --------------------------------------------------------------


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory):
    """A copy of the real package with one value broken in three tables."""
    root = copy_package(REPO, tmp_path_factory.mktemp("corrupted") / "package")

    def break_range(rows):  # an ethnic share whose range runs downwards
        header = rows[0]
        row = next(r for r in rows[1:] if r[header.index("percent")] not in ("", "0"))
        row[header.index("percent_max")] = str(float(row[header.index("percent")]) / 2)

    def break_landlocked(rows):  # a country with a coast said to be landlocked
        header = rows[0]
        row = next(r for r in rows[1:] if r[header.index("landlocked")] == "false")
        row[header.index("landlocked")] = "true"

    def break_code(rows):  # a source id that does not match its pattern
        rows[5][rows[0].index("source_id")] = "Factbook 2024"

    edit_rows(root / "data/ethnic_groups.csv", break_range)
    edit_rows(root / "data/countries.csv", break_landlocked)
    edit_rows(root / "data/borders.csv", break_code)
    return root


@pytest.fixture(scope="module")
def corrupted_report(corrupted):
    return validate(corrupted)


@pytest.mark.parametrize("name", ["ethnic_groups", "countries", "borders"])
def test_schema_and_validate_flag_the_same_rows(corrupted, corrupted_report, name):
    frame = cp.load(name, package=corrupted).reset_index()  # row position + 2 = CSV line
    cases = failures(cp.schema(name, package=corrupted), frame)
    rule_ids = {check.id for check in CHECKS}
    by_schema = {(str(case.check), int(case.index) + 2) for case in cases.itertuples() if case.check in rule_ids}
    by_validate = {(f.rule, line) for f in corrupted_report.findings
                   if f.resource == name and f.rule in rule_ids and f.severity == ERROR for line in f.lines}
    assert by_schema == by_validate
    assert by_validate or name == "borders"  # the broken rule values are found
    structure = {f.line for f in corrupted_report.findings if f.resource == name and f.rule not in rule_ids}
    columns = {int(case.index) + 2 for case in cases.itertuples() if case.check not in rule_ids}
    assert columns == structure  # the broken code: a pattern error for both


def test_checks_judge_against_the_given_package(corrupted):
    """A cross-table rule compares the frame with the other tables of `package`."""
    borders = cp.load("borders", package=corrupted)
    assert failures(cp.schema("borders", package=corrupted), borders.iloc[0:0]).empty
    countries = cp.load("countries", package=corrupted)
    assert "landlocked_exactly_when_no_coastline" in failed_checks(failures(cp.schema("countries"), countries))


def test_an_unknown_table_is_named():
    with pytest.raises(KeyError, match="did you mean demographics"):
        cp.schema("demographic")


def test_the_readme_snippet_runs_and_finds_what_it_says(capsys):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Pandera schemas for your own frames", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(snippet, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip().startswith("['workforce_is_at_most_population']")
