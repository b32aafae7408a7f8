"""Documented exceptions: valid, citing real sources, each still matching a finding on the real data."""

import csv
import json

import jsonschema
import pytest
from rules_helpers import REPO, TODAY, build, value

from country_profiles.validation.findings import ERROR, WARNING
from country_profiles.validation.rules import RULES, run_rules
from country_profiles.validation.rules.exceptions import EXCEPTIONS_PATH, RuleException, load_exceptions

SCHEMA = json.loads((REPO / "schemas" / "exceptions.schema.json").read_text(encoding="utf-8"))
EXCEPTIONS = load_exceptions()
LABOUR = {"demographics": [value("LIE", "labor_force", 2015, 38_520), value("LIE", "population", 2015, 37_624),
                           value("GGY", "labor_force", 2024, 82_400), value("GGY", "population", 2024, 67_787)]}


def exception(**fields):
    return RuleException(**{"id": "test", "rule": "workforce_is_at_most_population", "country": "LIE",
                            "reason": "commuters", "source": "test-source", **fields})


def test_file_is_valid_against_its_schema():
    document = json.loads(EXCEPTIONS_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert (EXCEPTIONS_PATH.parent / document["$schema"]).resolve() == REPO / "schemas" / "exceptions.schema.json"


def test_ids_are_unique_and_rules_exist():
    ids = [e.id for e in EXCEPTIONS]
    assert len(ids) == len(set(ids))
    assert {e.rule for e in EXCEPTIONS} <= {rule.id for rule in RULES}


def test_every_exception_cites_a_source_of_the_package():
    with (REPO / "data" / "sources.csv").open(encoding="utf-8", newline="") as handle:
        known = {row["id"] for row in csv.DictReader(handle)}
    assert {e.source for e in EXCEPTIONS} - known == set()


def test_a_covered_finding_becomes_a_warning_naming_the_exception():
    found = run_rules(build(LABOUR), only=("workforce_is_at_most_population",), today=TODAY,
                      exceptions=(exception(id="lie-commuters"),))
    by_country = {f.message[f.message.index(" of ") + 4:][:3]: f for f in found}
    assert by_country["LIE"].severity == WARNING
    assert "[documented exception lie-commuters: commuters (source: test-source)]" in by_country["LIE"].message
    assert by_country["GGY"].severity == ERROR


@pytest.mark.parametrize(("fields", "covered"), [
    pytest.param({"year": 2015}, True, id="same-year"),
    pytest.param({"year": 2016}, False, id="other-year"),
    pytest.param({"rule": "border_lengths_agree"}, False, id="other-rule"),
    pytest.param({"country": "AUT"}, False, id="other-country"),
])
def test_exception_matches_rule_country_and_year(fields, covered):
    (finding,) = [f for f in run_rules(build(LABOUR), only=("workforce_is_at_most_population",), today=TODAY,
                                      exceptions=()) if "LIE" in f.message]
    assert exception(**fields).matches(finding, build(LABOUR)) is covered


def test_exception_matches_any_blamed_row():
    borders = [{"country": a, "neighbor": b, "length_km": km, "source_id": "s"}
               for a, b, km in [("DEU", "POL", 447), ("POL", "DEU", 467)]]
    package = build({"borders": borders})
    # The totals cannot tell which length is wrong: each row is blamed, with the other as context.
    findings = run_rules(package, only=("border_lengths_agree",), today=TODAY, exceptions=())
    assert [f.lines for f in findings] == [(2, 3), (3, 2)]
    assert all(exception(rule="border_lengths_agree", country="POL").matches(f, package) for f in findings)


@pytest.mark.slow
def test_every_exception_still_matches_a_finding_on_the_real_data():
    """An exception that matches nothing any more is stale: delete it (the data or the rule changed)."""
    from country_profiles.validation import validate

    messages = [f.message for f in validate(REPO).findings]
    stale = [e.id for e in EXCEPTIONS if not any(f"[documented exception {e.id}:" in m for m in messages)]
    assert stale == []


def test_an_exception_excuses_only_the_values_it_lists():
    (finding,) = [f for f in run_rules(build(LABOUR), only=("workforce_is_at_most_population",), today=TODAY,
                                      exceptions=()) if "LIE" in f.message]
    assert finding.value == 38_520
    assert exception(values=(38_520,)).matches(finding, build(LABOUR))
    assert not exception(values=(3_852,)).matches(finding, build(LABOUR))


@pytest.mark.parametrize("labour_force", [38_520, 385_200])
def test_a_slip_on_an_excused_row_is_an_error_again(labour_force):
    package = build({"demographics": [value("LIE", "labor_force", 2015, labour_force),
                                      value("LIE", "population", 2015, 37_624)]})
    (finding,) = run_rules(package, only=("workforce_is_at_most_population",), today=TODAY,
                           exceptions=(exception(values=(38_520,)),))
    assert finding.severity == (WARNING if labour_force == 38_520 else ERROR)


def test_every_exception_lists_the_values_it_excuses():
    assert all(e.values for e in EXCEPTIONS)
