"""A value against its own series, shares of the population, networks per km² and per inhabitant,
fraction lists and date pairs: each rule with data that breaks it and data that satisfies it."""

import math

import pytest
from rules_helpers import assert_fails, assert_passes, country, fails, findings_of, indicators, passes, value

from country_profiles.validation.outliers import Point, describe, out_of_line, slip, slips_in_a_sum

DEFS = indicators()
KGZ = [country("KGZ", land_area_km2=191_801)]


def population(*values, start=2021):
    return [value("KGZ", "population", start + offset, number) for offset, number in enumerate(values)]


def demo(*rows, **tables):
    return {"indicators": DEFS, "countries": KGZ, "demographics": list(rows), **tables}


def ethnic(*shares, year=2021):
    return [{"country": "KGZ", "year": year, "group": f"group {i}", "percent": share, "source_id": "test-source"}
            for i, share in enumerate(shares)]


def ages(*shares, year=2024):
    return [{"country": "KGZ", "year": year, "age_band": band, "percent": share, "source_id": "test-source"}
            for band, share in zip(("0-14", "15-64", "65+"), shares)]


def org(id_, founded=None, dissolved=None):
    return {"id": id_, "name": f"The {id_}", "founded": founded, "dissolved": dissolved,
            "kind": "intergovernmental", "source_id": "test-source"}


FAILING = [
    fails("digit-too-many", "values_are_in_line_with_their_series",
          r"KGZ population 2024: 62,197,510 is 10.2× the 2023 value 6,122,781 \(line 3\) and 10.9× the 2022 value "
          r"5,700,000 \(line 2\); a digit too many\?",
          demo(*population(5_700_000, 6_122_781, 62_197_510, start=2022)), lines=(4, 2, 3), resource="demographics"),
    fails("middle-of-series", "values_are_in_line_with_their_series", r"KGZ population 2022: 6,100 is 1/1,016 of the 2023 value 6,200,000 \(line 4\).*thousands written for persons",
          demo(*population(6_000_000, 6_100, 6_200_000)), lines=(3, 2, 4)),
    fails("fraction-for-percent", "values_are_in_line_with_their_series",
          r"military_expenditure_pct_gdp 2022: 0.03 .*percentage written as a fraction",
          {"indicators": DEFS, "forces": [value("KGZ", "military_expenditure_pct_gdp", 2021, 2.8),
                                          value("KGZ", "military_expenditure_pct_gdp", 2022, 0.03),
                                          value("KGZ", "military_expenditure_pct_gdp", 2023, 3.5)]}, lines=(3, 2, 4)),
    fails("two-values-told-apart", "values_are_in_line_with_their_series", r"KGZ airports 2021: 28,000 is 1,000×",
          {"indicators": DEFS, "countries": [*KGZ, country("KAZ", land_area_km2=2_699_700)],
           "demographics": [*population(6_200_000), value("KAZ", "population", 2021, 20_000_000)],
           "infrastructure": [value("KGZ", "airports", 2021, 28_000), value("KGZ", "airports", 2025, 28),
                              value("KAZ", "airports", 2021, 100), value("KAZ", "airports", 2023, 96)]},
          lines=(2, 3), resource="infrastructure"),
    fails("two-values-undecided", "values_are_in_line_with_their_series",
          r"KGZ railways_km 2018: 424 is 1/10 of the 2022 value 4,240 \(line 3\); one of these two values is out of "
          r"line: check both against the source",
          {"indicators": DEFS, "countries": KGZ, "demographics": population(6_200_000),
           "infrastructure": [value("KGZ", "railways_km", 2018, 424), value("KGZ", "railways_km", 2022, 4240)]},
          lines=(2, 3), resource="infrastructure", count=2),
    fails("thousands", "population_density_is_plausible", r"KGZ population 2024: 620 on 191,801 km² of land",
          demo(value("KGZ", "population", 2024, 620))),
    fails("labour-in-thousands", "workforce_is_a_plausible_share_of_population",
          r"KGZ labor_force 2024: 3,197 is 0.052% of population 6,200,000 in 2024 .*expected at least 7.0%",
          demo(value("KGZ", "population", 2024, 6_200_000), value("KGZ", "labor_force", 2024, 3_197)), lines=(3, 2)),
    fails("population-out-of-series-blamed", "workforce_is_a_plausible_share_of_population",
          r"the population is out of line with its own series",
          demo(*population(6_100_000, 6_150_000, 6_200_000_000), value("KGZ", "manpower_available", 2023, 2_900_000)),
          lines=(4, 5)),
    fails("cohort", "workforce_is_a_plausible_share_of_population", r"expected at most 6.0% of the population",
          demo(value("KGZ", "population", 2010, 5_000_000),
               value("KGZ", "manpower_reaching_military_age", 2010, 1_000_000))),
    fails("airports-per-km2", "infrastructure_per_km2_is_plausible",
          r"KGZ airports 2025: 280,000 on 191,801 km² of land .*expected at most 0.6 per km²",
          {"indicators": DEFS, "countries": KGZ, "infrastructure": [value("KGZ", "airports", 2025, 280_000)]},
          resource="infrastructure"),
    fails("ports-per-inhabitant", "infrastructure_per_inhabitant_is_plausible",
          r"KGZ ports 2024: 200,000 for population 6,200,000 .*expected at most 0.01 per inhabitant",
          demo(value("KGZ", "population", 2024, 6_200_000),
               infrastructure=[value("KGZ", "ports", 2024, 200_000)]), resource="infrastructure"),
    fails("ethnic-fractions", "shares_are_percentages_not_fractions",
          r"ethnic groups of KGZ in 2021 add up to 1 \(lines 2, 3, 4\): fractions written for percentages",
          {"ethnic_groups": ethnic(0.738, 0.148, 0.114)}, lines=(2, 3, 4)),
    fails("age-fractions", "shares_are_percentages_not_fractions", r"age bands of KGZ in 2024 add up to 1",
          {"age_structure": ages(0.3, 0.65, 0.05)}),
    fails("dissolved-before-founded", "date_pairs_are_in_order",
          r"organizations OTS: dissolved 2002 is before founded 2009",
          {"organizations": [org("CIS", 1991), org("OTS", 2009, 2002)]}, lines=(3,), resource="organizations"),
]

PASSING = [
    passes("growing", "values_are_in_line_with_their_series", demo(*population(5_000_000, 6_000_000, 7_000_000))),
    passes("real-break-within-limit", "values_are_in_line_with_their_series",
           {"indicators": DEFS, "forces": [value("VEN", "military_expenditure_pct_gdp", 2019, 5.2),
                                           value("VEN", "military_expenditure_pct_gdp", 2020, 1.6),
                                           value("VEN", "military_expenditure_pct_gdp", 2021, 0.3)]}),
    passes("far-apart", "values_are_in_line_with_their_series", demo(value("KGZ", "labor_force", 1990, 100_000),
                                                                      value("KGZ", "labor_force", 2024, 3_000_000))),
    passes("density", "population_density_is_plausible", demo(value("KGZ", "population", 2024, 6_200_000))),
    passes("shares", "workforce_is_a_plausible_share_of_population",
           demo(value("KGZ", "population", 2024, 6_200_000), value("KGZ", "labor_force", 2024, 3_197_000),
                value("KGZ", "manpower_reaching_military_age", 2024, 120_000))),
    passes("airports", "infrastructure_per_km2_is_plausible",
           {"indicators": DEFS, "countries": KGZ, "infrastructure": [value("KGZ", "airports", 2025, 28)]}),
    passes("airports", "infrastructure_per_inhabitant_is_plausible",
           demo(value("KGZ", "population", 2024, 6_200_000), infrastructure=[value("KGZ", "airports", 2025, 28)])),
    passes("percent", "shares_are_percentages_not_fractions",
           {"ethnic_groups": ethnic(73.8, 14.8, 11.4), "age_structure": ages(30, 65, 5)}),
    passes("single-small-group-is-not-a-fraction-list", "shares_are_percentages_not_fractions",
           {"ethnic_groups": ethnic(99.2, 0.8)}),
    passes("ordered", "date_pairs_are_in_order", {"organizations": [org("USSR", 1922, 1991), org("OTS", 2009)]}),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)


@pytest.mark.parametrize("ratio_, unit, named", [
    (10.1, "persons", "a digit too many?"), (1 / 9.9, "persons", "a digit too few?"),
    (1000, "persons", "persons written for thousands?"), (1 / 1000, "persons", "thousands written for persons?"),
    (1 / 100, "percent_of_gdp", "a percentage written as a fraction (0.03 for 3%)?"), (3, "persons", None),
    (1000, "km", "metres written for km?"),
])
def test_factors_of_ten_are_named(ratio_, unit, named):
    assert slip(100 * ratio_, 100, unit) == named


def test_the_larger_part_of_a_series_is_the_series():
    """Two slipped values next to each other are blamed, not the three right ones around them."""
    points = [Point(2019 + i, v, i) for i, v in enumerate([100, 104, 10_400, 10_800, 110])]
    assert sorted(o.point.ref for o in out_of_line(points, 5, 10)) == [2, 3]


def test_a_tie_is_broken_by_a_clear_plausibility():
    points = [Point(2021, 28_000, "a"), Point(2025, 28, "b")]
    far_from_30 = lambda p: abs(math.log10(p.value / 30))  # noqa: E731
    found = out_of_line(points, 8, 10, far_from_30, margin=0.5)
    assert [(o.point.ref, o.undecided) for o in found] == [("a", False)]


@pytest.mark.parametrize("plausibility", [
    pytest.param(None, id="nothing-known"),
    pytest.param(lambda p: abs(math.log10(p.value / 1000)), id="both-about-as-far"),
    pytest.param(lambda p: None if p.ref == "a" else 0.1, id="one-unknown"),
])
def test_a_tie_the_data_cannot_break_reports_both_values(plausibility):
    """424 and 4,240 km of railway: either may be the slip, so each row is reported, quoting the other."""
    points = [Point(2018, 424, "a"), Point(2022, 4240, "b")]
    found = out_of_line(points, 8, 10, plausibility, margin=0.5)
    assert sorted((o.point.ref, o.undecided, o.neighbours[0].ref) for o in found) == [("a", True, "b"), ("b", True, "a")]
    text = describe(found[0], lambda p: f"line {p.ref}", "km", str)
    assert "one of these two values is out of line: check both against the source" in text


def test_population_in_thousands_is_blamed_by_the_comparisons_with_it():
    """The labour force and personnel comparisons blame the population row that is out of its series."""
    tables = demo(*population(6_100_000, 6_150_000, 6_200), value("KGZ", "labor_force", 2023, 3_197_000),
                  forces=[value("KGZ", "total_personnel", 2023, 25_000)])
    for rule in ("workforce_is_at_most_population", "personnel_is_a_plausible_share_of_population"):
        (found,) = findings_of(rule, tables)
        assert (found.resource, found.line) == ("demographics", 4), found.message
        assert "out of line with its own series" in found.message


def test_the_value_of_a_sum_a_power_of_ten_off_is_named():
    # Paved airports typed 180 for 18: the part, not the total, is a factor of ten from what fits.
    assert slips_in_a_sum({"paved": 180, "unpaved": 10}, 28) == [("paved", "a digit too many?", 18)]
    # Land typed ten times: land is exactly 10x what fits, the total only roughly a tenth; land first.
    found = slips_in_a_sum({"land": 1_918_010, "water": 8_150}, 199_951)
    assert [key for key, *_ in found] == ["land", None]
    assert slips_in_a_sum({"active": 15_000, "paramilitary": 10_000}, 250_000)[0][:2] == (None, "a digit too many?")


def test_a_sum_off_by_no_power_of_ten_names_nothing():
    assert slips_in_a_sum({"paved": 20, "unpaved": 15}, 28) == []
