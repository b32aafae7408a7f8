"""The rule registry: every rule is tested, well described, and honest about its thresholds."""

import json
import re

import pytest
import test_rules_borders
import test_rules_counts
import test_rules_countries
import test_rules_import_defects
import test_rules_memberships
import test_rules_percentages
import test_rules_provenance
import test_rules_series
import test_rules_text
from rules_helpers import REPO, TODAY, build, table

from country_profiles.validation.findings import SEVERITIES, WARNING
from country_profiles.validation.model import LoadedPackage
from country_profiles.validation.rules import CHECKS, RULES, run_check, run_rules
from country_profiles.validation.rules._framework import ALL_TABLES, UndeclaredThreshold

CASE_MODULES = (test_rules_percentages, test_rules_counts, test_rules_countries, test_rules_borders,
                test_rules_memberships, test_rules_provenance, test_rules_text, test_rules_import_defects,
                test_rules_series)
FAILING = [param.values[0] for module in CASE_MODULES for param in module.FAILING]
PASSING = [param.values[0] for module in CASE_MODULES for param in module.PASSING]


def test_there_are_rules():
    assert len(RULES) >= 30


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_a_failing_case(rule):
    assert any(spec["rule"] == rule.id for spec in FAILING), f"no case breaks {rule.id}: add one to FAILING"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_a_passing_case(rule):
    assert any(spec["rule"] == rule.id for spec in PASSING), f"no case satisfies {rule.id}: add one to PASSING"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_described(rule):
    assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", rule.id)
    assert rule.severity in SEVERITIES
    assert rule.description and "\n" not in rule.description and rule.description.endswith(".")
    assert rule.hint and rule.tables
    assert set(rule.tables) <= set(ALL_TABLES)
    if rule.severity == WARNING:
        assert "warning" in f"{rule.description} {rule.hint}".lower(), "a warning says why it is not an error"


def test_rule_ids_are_unique():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))


def test_all_tables_are_the_package_resources():
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    assert set(ALL_TABLES) == {resource["name"] for resource in descriptor["resources"]}


@pytest.mark.parametrize("check", [c for c in CHECKS if c.thresholds], ids=lambda c: c.id)
def test_rule_reads_every_threshold_it_declares(check):
    read = set()
    for spec in FAILING:
        if spec["rule"] == check.id:
            read |= run_check(check, build(spec["tables"]), spec["thresholds"], today=TODAY)[1]
    assert read == set(check.thresholds)


def test_reading_an_undeclared_threshold_is_a_bug():
    (check,) = [c for c in CHECKS if c.id == "ethnic_groups_are_distinct"]
    from country_profiles.validation.rules._framework import Context

    ctx = Context(build({}), {"area_tolerance_km2": 1}, TODAY, check)
    with pytest.raises(UndeclaredThreshold, match="ethnic_groups_are_distinct reads threshold 'area_tolerance_km2'"):
        ctx.threshold("area_tolerance_km2")


def test_rules_run_on_a_package_without_tables():
    assert run_rules(LoadedPackage(root=REPO, descriptor={}), today=TODAY) == []


def test_rules_run_on_empty_tables():
    package = LoadedPackage(root=REPO, descriptor={}, tables={name: table(name, []) for name in ALL_TABLES})
    assert run_rules(package, today=TODAY) == []


def test_findings_come_in_catalogue_order_and_serialise():
    tables = {**test_rules_text.FAILING[0].values[0]["tables"],
              "ethnic_groups": test_rules_percentages.FAILING[0].values[0]["tables"]["ethnic_groups"]}
    found = run_rules(build(tables), today=TODAY)
    order = [check.id for check in CHECKS]
    assert [order.index(f.rule) for f in found] == sorted(order.index(f.rule) for f in found)
    assert {f.rule for f in found} >= {"ethnic_percentages_sum_to_at_most_100", "text_has_no_surrounding_whitespace"}
    json.dumps([f.to_json() for f in found])


def test_unknown_threshold_override_is_refused():
    with pytest.raises(KeyError, match="unknown thresholds"):
        run_rules(build({}), {"no_such_threshold": 1}, today=TODAY)
