"""Provenance: nothing dated in the future, nothing newer than its source, every source used.

Today is 2026-11-27 in these tests (rules_helpers.TODAY), injected into the rules.
"""

from datetime import date

import pytest
from rules_helpers import TODAY, assert_fails, assert_passes, build, fails, passes, source, value

from country_profiles.validation.rules import CHECKS, run_check
from country_profiles.validation.rules.provenance import year_fields


def cited(*sources, **tables):
    return {"sources": list(sources), **tables}


FAILING = [
    fails("projection", "years_are_not_in_the_future",
          r"KGZ population 2030: year 2030 is in the future; expected 2026 or earlier",
          {"demographics": [value("KGZ", "population", 2024, 7e6), value("KGZ", "population", 2030, 8e6)]},
          lines=(3,), resource="demographics"),
    fails("membership-until", "years_are_not_in_the_future", r"KGZ CIS member: until 2027 is in the future",
          {"memberships": [{"country": "KGZ", "organization": "CIS", "status": "member", "since": 1991,
                            "until": 2027, "source_id": "test-source"}]}, resource="memberships"),
    fails("accessed-tomorrow", "dates_are_not_in_the_future",
          r"test-source: accessed 2026-11-28 is after today \(2026-11-27\)",
          {"sources": [source(accessed="2026-11-28")]}, lines=(2,), resource="sources"),
    fails("swapped-dates", "sources_are_published_before_accessed",
          r"source test-source was published 2026-01-22 but accessed 2025-01-01",
          {"sources": [source(published="2026-01-22", accessed="2025-01-01")]}),
    fails("newer-than-source", "values_are_not_dated_after_their_source",
          r"KGZ population 2024: year 2024 is after its source test-source was published \(2016-11-06, "
          r"sources.csv line 2\); expected 2016 or earlier",
          cited(source(published="2016-11-06"), demographics=[value("KGZ", "population", 2010, 5.5e6),
                                                             value("KGZ", "population", 2024, 7e6)]),
          lines=(3,), resource="demographics"),
    fails("uncited", "every_source_is_cited", r"source unused is cited by no row of any table",
          cited(source(), source("unused"), demographics=[value("KGZ", "population", 2024, 7e6, note="not unused-2")]),
          lines=(3,)),
]

PASSING = [
    passes("this-year", "years_are_not_in_the_future", {"demographics": [value("KGZ", "population", 2026, 7e6)]}),
    passes("today", "dates_are_not_in_the_future", {"sources": [source(accessed="2026-11-27")]}),
    passes("no-dates", "dates_are_not_in_the_future", {"sources": [source(published=None, accessed=None)]}),
    passes("same-day", "sources_are_published_before_accessed",
           {"sources": [source(published="2026-11-27", accessed="2026-11-27")]}),
    passes("same-year", "values_are_not_dated_after_their_source",
           cited(source(published="2024-02-15"), demographics=[value("KGZ", "population", 2024, 7e6)])),
    passes("undated-source", "values_are_not_dated_after_their_source",
           cited(source(published=None), demographics=[value("KGZ", "population", 2024, 7e6)])),
    passes("all-cited", "every_source_is_cited",
           cited(source(), demographics=[value("KGZ", "population", 2024, 7e6)])),
    passes("cited-per-field", "every_source_is_cited",
           cited(source(), source("years"),
                 memberships=[{"country": "KGZ", "organization": "SCO", "status": "member", "since": 2001,
                               "source_id": "test-source", "since_source_id": "years"}])),
    passes("cited-in-note", "every_source_is_cited",
           cited(source(), source("remark-2024"),
                 demographics=[value("KGZ", "population", 2024, 7e6, note="froze (remark-2024)")])),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)


def test_today_is_injected():
    """The same row is in the future on one day and not on the next year's."""
    (check,) = [c for c in CHECKS if c.id == "years_are_not_in_the_future"]
    package = build({"demographics": [value("KGZ", "population", 2027, 7e6)]})
    assert run_check(check, package, today=TODAY)[0]
    assert not run_check(check, package, today=date(2027, 1, 1))[0]


def test_every_year_field_of_the_schemas_is_found():
    from rules_helpers import table

    found = {(name, f) for name in ("demographics", "forces", "infrastructure", "ethnic_groups", "age_structure",
                                    "memberships", "organizations", "countries", "borders", "sources", "indicators")
             for f in year_fields(table(name, []))}
    assert found == {("demographics", "year"), ("forces", "year"), ("infrastructure", "year"),
                     ("ethnic_groups", "year"), ("age_structure", "year"), ("memberships", "since"),
                     ("memberships", "until"), ("organizations", "founded"), ("organizations", "dissolved")}
