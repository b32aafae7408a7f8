"""The rules' Pandera machinery: row rules are named checks of one schema per table, judged once a
run; a rule in the older style (`@rule` with `violations`) works beside them; a check that cannot
run is reported, never taken for a pass."""

from __future__ import annotations

import pandas as pd
import pytest

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules import CHECKS, run_check, run_rules
from country_profiles.validation.rules._framework import (
    Context,
    row_rule,
    row_rules_schema,
    rule,
    table_verdicts,
    violations,
)

from rules_helpers import TODAY, package

GROUP = {"country": "KGZ", "year": 2021, "source_id": "test-source"}


def ethnic(*shares: tuple[str, float, float | None]):
    return package(ethnic_groups=[{**GROUP, "group": g, "percent": p, "percent_max": m} for g, p, m in shares])


def context(pkg, check_id: str) -> Context:
    check = next(c for c in CHECKS if c.id == check_id)
    return Context(pkg, {}, TODAY, check)


def test_a_tables_row_rules_are_the_named_checks_of_one_schema():
    rules = [c for c in CHECKS if c.holds is not None and "ethnic_groups" in c.rule.tables]
    ctx = context(ethnic(("Kyrgyz", 70.0, None)), rules[0].id)
    schema = row_rules_schema("ethnic_groups", rules, {c.id: ctx for c in rules})
    assert [check.name for check in schema.checks] == [c.id for c in rules]
    assert {"percent_ranges_are_ordered", "percentages_are_positive"} <= {c.id for c in rules}


def test_verdicts_come_from_the_failure_cases_of_one_validation():
    pkg = ethnic(("Kyrgyz", 70.0, 60.0), ("Uzbek", 0.0, None), ("Russian", 5.0, None))
    verdicts = table_verdicts(context(pkg, "percent_ranges_are_ordered"), "ethnic_groups")
    assert verdicts.failing["percent_ranges_are_ordered"] == [0]
    assert verdicts.failing["percentages_are_positive"] == [1]
    assert "value_ranges_are_ordered" not in verdicts.failing  # not a check of this table


def test_row_rule_findings_blame_the_failing_rows_with_the_rules_message():
    pkg = ethnic(("Kyrgyz", 70.0, 60.0), ("Russian", 5.0, 6.0))
    check = next(c for c in CHECKS if c.id == "percent_ranges_are_ordered")
    [finding], _ = run_check(check, pkg, today=TODAY)
    assert (finding.line, finding.field, finding.value) == (2, "percent_max", 60)
    assert finding.message == "KGZ in 2021: 'Kyrgyz' ranges from 70% down to 60%; expected percent_max at least percent"


def test_a_rule_in_either_style_registered_outside_the_catalogue_runs():
    @rule(ERROR, "Shares are below 50%.", tables=("ethnic_groups",), hint="-")
    def shares_below_half(ctx: Context) -> list[Finding]:
        bad = violations(ctx.rows("ethnic_groups"), lambda d: d["percent"] < 50, ctx.check.id)
        return [ctx.finding("ethnic_groups", [row.line], "too large") for row in bad.itertuples()]

    @row_rule(ERROR, "Shares are below 50%.", tables=("ethnic_groups",), hint="-",
              holds=lambda d, ctx: d["percent"] < 50)
    def shares_below_half_by_row(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
        return [ctx.finding(resource, [row.line], "too large") for row in bad.itertuples()]

    pkg = ethnic(("Kyrgyz", 70.0, None), ("Russian", 5.0, None))
    for check in (shares_below_half, shares_below_half_by_row):
        found, _ = run_check(check, pkg, today=TODAY)
        assert [(f.rule, f.line) for f in found] == [(check.id, 2)]


def test_a_row_rule_whose_condition_cannot_run_is_reported_not_passed():
    @row_rule(ERROR, "Broken.", tables=("ethnic_groups",), hint="-", holds=lambda d, ctx: d["no such column"] > 0)
    def broken_condition(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
        return []

    with pytest.raises(RuntimeError, match="broken_condition could not run"):
        run_check(broken_condition, ethnic(("Kyrgyz", 70.0, None)), today=TODAY)


def test_the_whole_run_judges_each_tables_row_rules_once(monkeypatch):
    from country_profiles.validation.rules import _framework

    calls = []
    original = _framework.table_verdicts
    monkeypatch.setattr(_framework, "table_verdicts", lambda ctx, resource: calls.append(resource) or original(ctx, resource))
    run_rules(ethnic(("Kyrgyz", 70.0, 60.0)), today=TODAY, exceptions=())
    assert sorted(calls) == sorted(set(calls))  # once per table, however many row rules it has
    assert "ethnic_groups" in calls
