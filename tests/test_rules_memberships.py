"""Memberships: within the organization's life, ending after they begin, one status at a time."""

import pytest
from rules_helpers import assert_fails, assert_passes, fails, passes


def org(id_, founded=None, dissolved=None):
    return {"id": id_, "name": f"The {id_}", "founded": founded, "dissolved": dissolved,
            "kind": "intergovernmental", "source_id": "test-source"}


def member(org_id, status="member", since=None, until=None, country="KGZ"):
    return {"country": country, "organization": org_id, "status": status, "since": since, "until": until,
            "source_id": "test-source"}


ORGS = [org("CSTO", 1992), org("EAEU", 2015), org("CIS", 1991), org("USSR", 1922, 1991)]

FAILING = [
    fails("before-founding", "membership_within_organization_lifetime",
          r"KGZ is member of EAEU with since 2010, outside the organization's life \(organizations.csv line 3: "
          r"2015-now\); expected a year from 2015 to now",
          {"organizations": ORGS, "memberships": [member("CSTO", since=1994), member("EAEU", since=2010)]},
          lines=(3,), resource="memberships"),
    fails("after-dissolution", "membership_within_organization_lifetime", r"with until 1995, .* 1922-1991",
          {"organizations": ORGS, "memberships": [member("USSR", since=1936, until=1995)]}),
    fails("joined-a-dissolved-one", "membership_within_organization_lifetime", r"with since 1992",
          {"organizations": ORGS, "memberships": [member("USSR", since=1992, until=1991)]}),
    fails("ends-before-it-begins", "membership_ends_after_it_begins",
          r"KGZ is observer of CIS from 2017 until 2005; expected until at least since",
          {"memberships": [member("CIS", "observer", 2017, 2005)]}, lines=(2,)),
    fails("observer-then-member", "membership_periods_do_not_overlap",
          r"KGZ in EAEU: observer 2005-2017 \(line 7\) overlaps member 2015- \(line 9\); expected one status at a time",
          {"memberships": ([member("EAEU", "observer", 2005, 2017), member("CSTO", since=1994),
                            member("EAEU", since=2015)], [7, 8, 9])}, lines=(7, 9)),
    fails("two-open-statuses", "membership_periods_do_not_overlap", r"partner 2001- .* overlaps member 2015-",
          {"memberships": [member("EAEU", "partner", 2001), member("EAEU", since=2015)]}),
]

PASSING = [
    passes("founding-year", "membership_within_organization_lifetime",
           {"organizations": ORGS, "memberships": [member("CSTO", since=1992), member("USSR", since=1936, until=1991)]}),
    passes("unknown-years", "membership_within_organization_lifetime",
           {"organizations": [org("SCO")], "memberships": [member("SCO", since=2001)]}),
    passes("same-year", "membership_ends_after_it_begins", {"memberships": [member("CIS", "observer", 2005, 2005)]}),
    passes("open", "membership_ends_after_it_begins", {"memberships": [member("CIS", since=1991)]}),
    passes("handover-year", "membership_periods_do_not_overlap",
           {"memberships": [member("EAEU", "observer", 2005, 2015), member("EAEU", since=2015)]}),
    passes("other-country", "membership_periods_do_not_overlap",
           {"memberships": [member("EAEU", "observer", 2005), member("EAEU", since=2015, country="KAZ")]}),
    passes("suspension-qualifies", "membership_periods_do_not_overlap",
           {"memberships": [member("CIS", since=1991), member("CIS", "suspended", 2009, 2012)]}),
    passes("unknown-start", "membership_periods_do_not_overlap",
           {"memberships": [member("EAEU", "observer"), member("EAEU", since=2015)]}),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)
