"""Indicator values: definitions, comparisons between indicators, plausibility against the country."""

import pytest
from rules_helpers import assert_fails, assert_passes, country, fails, findings_of, indicators, passes, value

DEFS = indicators()


def demo(*rows):
    return {"indicators": DEFS, "demographics": list(rows)}


def kgz(**tables):
    """The article's Kyrgyzstan: population 6 million, 25,000 personnel, plus the given rows."""
    base = {
        "indicators": DEFS,
        "demographics": [value("KGZ", "population", 2023, 6_000_000)],
        "forces": [value("KGZ", "total_personnel", 2023, 25_000)],
    }
    for name, rows in tables.items():
        base[name] = base.get(name, []) + rows
    return base


LAND = {"countries": [country("KGZ", land_area_km2=191_801)]}

FAILING = [
    fails("half-person", "integer_indicators_hold_whole_numbers", r"population of KGZ in 2023 has value 6,000,000.5; "
          r"expected a whole number", demo(value("KGZ", "population", 2023, 6_000_000.5)), lines=(2,),
          resource="demographics"),
    fails("range-end", "integer_indicators_hold_whole_numbers", r"has value_max 12.5",
          {"indicators": DEFS, "forces": [value("KGZ", "tanks", 2023, 10, 12.5)]}),
    fails("above-maximum", "indicator_values_are_within_bounds",
          r"population of KGZ in 2023 has value 3,000,000,000; expected at least 0 and at most 2,000,000,000 "
          r"\(indicators.csv line \d+\)", demo(value("KGZ", "population", 2023, 3e9)), resource="demographics"),
    fails("negative", "indicator_values_are_within_bounds", r"tanks of KGZ in 2023 has value -1; expected at least 0 "
          r"and no maximum", {"indicators": DEFS, "forces": [value("KGZ", "tanks", 2023, -1)]}),
    fails("wrong-table", "indicators_are_used_in_their_table", r"population of KGZ in 2023 is in forces; expected in "
          r"demographics", {"indicators": DEFS, "forces": [value("KGZ", "population", 2023, 6e6)]}, resource="forces"),
    fails("reversed-range", "value_ranges_are_ordered", r"tanks of KGZ in 2023 ranges from 15,000 down to 10,000",
          {"indicators": DEFS, "forces": [value("KGZ", "tanks", 2023, 15_000, 10_000)]}),
    fails("labor-force", "workforce_is_at_most_population",
          r"labor_force of KGZ in 2023 is 7,000,000, more than population 6,000,000 in 2024 \(demographics.csv line 3\)",
          demo(value("KGZ", "labor_force", 2023, 7e6), value("KGZ", "population", 2024, 6e6)), lines=(2, 3)),
    fails("manpower-nearest-year", "workforce_is_at_most_population", r"more than population 6,000,000 in 2012",
          demo(value("KGZ", "manpower_available", 2010, 6.5e6), value("KGZ", "population", 2012, 6e6),
               value("KGZ", "population", 2024, 7e6)), lines=(2, 3)),
    fails("fit-for-service", "manpower_subsets_are_at_most_manpower_available",
          r"manpower_fit_for_service of KGZ in 2010 is 3,500,000, more than manpower_available 3,000,000",
          demo(value("KGZ", "manpower_available", 2010, 3e6), value("KGZ", "manpower_fit_for_service", 2010, 3.5e6)),
          lines=(3, 2)),
    fails("active-over-total", "personnel_parts_are_at_most_total",
          r"active_personnel of KGZ in 2023 is 30,000, more than total_personnel 25,000",
          kgz(forces=[value("KGZ", "active_personnel", 2023, 30_000)]), lines=(3, 2)),
    fails("parts-short", "personnel_parts_add_up_to_total",
          r"active 15,000 \(2023\), reserve 0 \(2023\), paramilitary 5,000 \(2023\) add up to 20,000, but "
          r"total_personnel in 2023 is 25,000; expected equal within 1%",
          kgz(forces=[value("KGZ", "active_personnel", 2023, 15_000), value("KGZ", "reserve_personnel", 2023, 0),
                      value("KGZ", "paramilitary_personnel", 2023, 5_000)]), lines=(2, 3, 4, 5)),
    fails("total-a-digit-too-many", "personnel_parts_add_up_to_total",
          r"add up to 25,000, but total_personnel in 2023 is 250,000; .*line 5 is the row out of line \(a digit too "
          r"many\?\)",
          {"indicators": DEFS, "forces": [value("KGZ", "active_personnel", 2023, 15_000),
                                          value("KGZ", "reserve_personnel", 2023, 0),
                                          value("KGZ", "paramilitary_personnel", 2023, 10_000),
                                          value("KGZ", "total_personnel", 2023, 250_000)]}, lines=(5, 2, 3, 4)),
    fails("part-a-digit-too-many", "personnel_parts_add_up_to_total",
          r"line 4 is the row out of line \(a digit too many\?\)",
          {"indicators": DEFS, "forces": [value("KGZ", "active_personnel", 2023, 15_000),
                                          value("KGZ", "reserve_personnel", 2023, 0),
                                          value("KGZ", "paramilitary_personnel", 2023, 100_000),
                                          value("KGZ", "total_personnel", 2023, 25_000)]}, lines=(4, 2, 3, 5)),
    fails("half-the-country", "personnel_is_a_plausible_share_of_population",
          r"total_personnel of KGZ in 2023 is 3,000,000, 50.0% of population 6,000,000 in 2023 "
          r"\(demographics.csv line 2\); expected at most 35% of the population",
          {"indicators": DEFS, "demographics": [value("KGZ", "population", 2023, 6e6)],
           "forces": [value("KGZ", "total_personnel", 2023, 3e6)]}, lines=(2,), resource="forces"),
    fails("article-vehicles", "equipment_per_soldier_is_plausible",
          r"armored_vehicles of KGZ in 2023 is 5,000,268 for total_personnel 25,000 in 2023 \(forces.csv line 2\): "
          r"200.0 per soldier; expected at most 0.5 per soldier",
          kgz(forces=[value("KGZ", "armored_vehicles", 2023, 5_000_268)]), lines=(2, 3), resource="forces"),
    fails("active-when-no-total", "equipment_per_soldier_is_plausible", r"for active_personnel 15,000",
          {"indicators": DEFS, "forces": [value("KGZ", "active_personnel", 2023, 15_000),
                                          value("KGZ", "tanks", 2023, 9_000)]}),
    fails("article-vehicles", "equipment_per_inhabitant_is_plausible",
          r"armored_vehicles of KGZ in 2023 is 5,000,268 for population 6,000,000 in 2023 \(demographics.csv line 2\): "
          r"0.8334 per inhabitant; expected at most 0.02 per inhabitant",
          kgz(forces=[value("KGZ", "armored_vehicles", 2023, 5_000_268)]), lines=(3,), resource="forces"),
    fails("airports", "paved_and_unpaved_are_at_most_total",
          r"KGZ: airports_paved 20 \(2024\) \+ airports_unpaved 15 \(2024\) = 35, more than airports 28 in 2025; "
          r"expected at most 28.56 \(the total plus 2%\)",
          {"indicators": DEFS, "infrastructure": [value("KGZ", "airports", 2025, 28),
                                                  value("KGZ", "airports_paved", 2024, 20),
                                                  value("KGZ", "airports_unpaved", 2024, 15)]}, lines=(2, 3, 4)),
    fails("paved-a-digit-too-many", "paved_and_unpaved_are_at_most_total",
          r"airports_paved 180 \(2021\) \+ airports_unpaved 10 \(2021\) = 190, more than airports 28 in 2021; .*"
          r"line 3 is the row out of line \(a digit too many\?\)",
          {"indicators": DEFS, "infrastructure": [value("KGZ", "airports", 2021, 28),
                                                  value("KGZ", "airports_paved", 2021, 180),
                                                  value("KGZ", "airports_unpaved", 2021, 10)]}, lines=(3, 2, 4)),
    fails("unpaved-over-the-total-alone", "paved_and_unpaved_are_at_most_total",
          r"roadways_unpaved_km 77,000 \(2020\) = 99,600, more than roadways_km 34,000 in 2022; .*line 4 is more than "
          r"the total on its own: the row out of line",
          {"indicators": DEFS, "infrastructure": [value("KGZ", "roadways_km", 2022, 34_000),
                                                  value("KGZ", "roadways_paved_km", 2020, 22_600),
                                                  value("KGZ", "roadways_unpaved_km", 2020, 77_000)]},
          lines=(4, 2, 3)),
    fails("roads-paved-only", "paved_and_unpaved_are_at_most_total",
          r"roadways_paved_km 40,000 \(2020\) = 40,000, more than roadways_km 34,000 in 2022",
          {"indicators": DEFS, "infrastructure": [value("KGZ", "roadways_km", 2022, 34_000),
                                                  value("KGZ", "roadways_paved_km", 2020, 40_000)]}, lines=(2, 3)),
    fails("roads-in-metres", "network_density_is_physically_plausible",
          r"roadways_km of KGZ in 2022 is 34,000,000 km on 191,801 km² of land \(countries.csv line 2\): "
          r"177.3 km per km²; expected at most 30 km per km²",
          {**LAND, "infrastructure": [value("KGZ", "roadways_km", 2022, 34_000_000)]}, lines=(2,),
          resource="infrastructure"),
    fails("rail-in-metres", "network_density_is_physically_plausible", r"railways_km .* expected at most 0.5 km per km²",
          {**LAND, "infrastructure": [value("KGZ", "railways_km", 2022, 424_000)]}),
    fails("all-of-gdp", "military_expenditure_is_below_gdp",
          r"military_expenditure_pct_gdp of KGZ in 2022 is 100% of GDP; expected below 100%",
          {"indicators": DEFS, "forces": [value("KGZ", "military_expenditure_pct_gdp", 2022, 100)]}),
]

PASSING = [
    passes("whole", "integer_indicators_hold_whole_numbers", demo(value("KGZ", "population", 2023, 6e6))),
    passes("decimal-km", "integer_indicators_hold_whole_numbers",
           {"indicators": DEFS, "infrastructure": [value("KGZ", "railways_km", 2022, 424.5)]}),
    passes("within", "indicator_values_are_within_bounds", demo(value("KGZ", "population", 2023, 6e6))),
    passes("unknown-indicator-is-a-key-error", "indicator_values_are_within_bounds",
           demo(value("KGZ", "happiness", 2023, -5))),
    passes("own-table", "indicators_are_used_in_their_table", demo(value("KGZ", "population", 2023, 6e6))),
    passes("ordered", "value_ranges_are_ordered", {"indicators": DEFS,
                                                   "forces": [value("KGZ", "tanks", 2023, 10_000, 15_000)]}),
    passes("article", "workforce_is_at_most_population",
           demo(value("KGZ", "population", 2023, 6e6), value("KGZ", "manpower_available", 2023, 3e6))),
    passes("years-too-far-apart", "workforce_is_at_most_population",
           demo(value("KGZ", "labor_force", 2010, 7e6), value("KGZ", "population", 2024, 6e6))),
    passes("other-country", "workforce_is_at_most_population",
           demo(value("KAZ", "labor_force", 2023, 7e6), value("KGZ", "population", 2023, 6e6))),
    passes("range-of-population", "workforce_is_at_most_population",
           demo(value("KGZ", "labor_force", 2023, 6.5e6), value("KGZ", "population", 2023, 6e6, 7e6))),
    passes("article", "manpower_subsets_are_at_most_manpower_available",
           demo(value("KGZ", "manpower_available", 2023, 3e6), value("KGZ", "manpower_fit_for_service", 2023, 2.4e6))),
    passes("article", "personnel_parts_are_at_most_total",
           kgz(forces=[value("KGZ", "active_personnel", 2023, 15_000)])),
    passes("article", "personnel_parts_add_up_to_total",
           kgz(forces=[value("KGZ", "active_personnel", 2023, 15_000), value("KGZ", "reserve_personnel", 2023, 0),
                       value("KGZ", "paramilitary_personnel", 2023, 10_000)])),
    passes("a-part-missing", "personnel_parts_add_up_to_total",
           kgz(forces=[value("KGZ", "active_personnel", 2023, 15_000)])),
    passes("article", "personnel_is_a_plausible_share_of_population", kgz()),
    passes("article-tanks", "equipment_per_soldier_is_plausible", kgz(forces=[value("KGZ", "tanks", 2023, 215)])),
    passes("no-personnel", "equipment_per_soldier_is_plausible",
           {"indicators": DEFS, "forces": [value("KGZ", "tanks", 2023, 215)]}),
    passes("article-tanks", "equipment_per_inhabitant_is_plausible", kgz(forces=[value("KGZ", "tanks", 2023, 215)])),
    passes("article-roads", "paved_and_unpaved_are_at_most_total",
           {"indicators": DEFS, "infrastructure": [value("KGZ", "roadways_km", 2022, 34_000),
                                                   value("KGZ", "roadways_paved_km", 2020, 22_600),
                                                   value("KGZ", "roadways_unpaved_km", 2020, 7_700)]}),
    passes("same-edition-total", "paved_and_unpaved_are_at_most_total",
           {"indicators": DEFS, "infrastructure": [
               value("KGZ", "airports", 2021, 28, source_id="edition-2024"),
               value("KGZ", "airports", 2025, 20, source_id="edition-2026"),
               value("KGZ", "airports_paved", 2024, 18, source_id="edition-2024"),
               value("KGZ", "airports_unpaved", 2024, 10, source_id="edition-2024")]}),
    passes("within-tolerance", "paved_and_unpaved_are_at_most_total",
           {"indicators": DEFS, "infrastructure": [value("KGZ", "roadways_km", 2022, 34_000),
                                                   value("KGZ", "roadways_paved_km", 2020, 26_600),
                                                   value("KGZ", "roadways_unpaved_km", 2020, 8_000)]}),
    passes("article", "network_density_is_physically_plausible",
           {**LAND, "infrastructure": [value("KGZ", "roadways_km", 2022, 34_000),
                                       value("KGZ", "railways_km", 2022, 424)]}),
    passes("macau", "network_density_is_physically_plausible",
           {"countries": [country("MAC", land_area_km2=28.2)],
            "infrastructure": [value("MAC", "roadways_km", 2022, 428)]}),
    passes("real", "military_expenditure_is_below_gdp",
           {"indicators": DEFS, "forces": [value("KGZ", "military_expenditure_pct_gdp", 2022, 1.5)]}),
    passes("above-maximum-is-a-bounds-error", "military_expenditure_is_below_gdp",
           {"indicators": DEFS, "forces": [value("KGZ", "military_expenditure_pct_gdp", 2022, 150)]}),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)


def test_window_is_a_threshold():
    tables = demo(value("KGZ", "labor_force", 2010, 7e6), value("KGZ", "population", 2024, 6e6))
    assert not findings_of("workforce_is_at_most_population", tables)
    found = findings_of("workforce_is_at_most_population", tables, {"nearest_year_window_years": 20})
    assert [f.lines for f in found] == [(2, 3)]


def test_a_value_above_100_pct_of_gdp_is_reported_once():
    tables = {"indicators": DEFS, "forces": [value("KGZ", "military_expenditure_pct_gdp", 2022, 150)]}
    rules = ("indicator_values_are_within_bounds", "military_expenditure_is_below_gdp")
    assert [f.rule for rule in rules for f in findings_of(rule, tables)] == ["indicator_values_are_within_bounds"]


def test_the_article_forces_fail_only_on_vehicles():
    """Every other figure of the article's forces is plausible; the vehicles are not, twice over."""
    forces = [value("KGZ", name, 2023, number) for name, number in [
        ("active_personnel", 15_000), ("reserve_personnel", 0), ("paramilitary_personnel", 10_000),
        ("aircraft", 6), ("tanks", 215), ("armored_vehicles", 5_000_268), ("self_propelled_artillery", 64),
        ("towed_artillery", 311), ("rocket_projectors", 21)]]
    tables = kgz(forces=forces)
    from country_profiles.validation.rules import CHECKS

    found = [f for check in CHECKS if check.topic == "counts" for f in findings_of(check.id, tables)]
    assert sorted(f.rule for f in found) == ["equipment_per_inhabitant_is_plausible", "equipment_per_soldier_is_plausible"]
    assert all(f.value == 5_000_268 for f in found)


def test_pairing_prefers_the_same_edition_then_the_nearest_year():
    import pandas as pd

    from country_profiles.validation.rules._framework import pair_nearest_year

    left = pd.DataFrame({"country": ["KGZ", "KGZ", "KAZ"], "year": pd.array([2024, 2010, 2020], dtype="Int64"),
                         "source_id": ["a", "a", "a"], "line": [2, 3, 4]})
    right = pd.DataFrame({"country": ["KGZ", "KGZ", "KGZ", "KGZ"], "year": pd.array([2021, 2025, 2012, 2008],
                          dtype="Int64"), "source_id": ["a", "b", "b", "b"], "line": [10, 11, 12, 13]})
    pairs = pair_nearest_year(left, right, window=5, suffix="_whole")
    # 2024 takes 2021 of its own edition over the nearer 2025; 2010 has a tie (2008, 2012) and
    # takes the later year; KAZ has no partner and is dropped.
    assert pairs[["line", "line_whole", "gap", "same_source"]].values.tolist() == [[2, 10, 3, True], [3, 12, 2, False]]
    kept = pair_nearest_year(left, right, window=5, suffix="_whole", keep_unpaired=True)
    assert kept["line"].tolist() == [2, 3, 4] and pd.isna(kept["line_whole"].iloc[2])
