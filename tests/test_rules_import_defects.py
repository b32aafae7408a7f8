"""Import defects: copied years, a border two countries count, combined figures marked wherever shared."""

import pytest
from rules_helpers import assert_fails, assert_passes, fails, passes, value


def spending(country, year, pct, note=None, source="factbook-2016-11-06"):
    return value(country, "military_expenditure_pct_gdp", year, pct, note=note, source_id=source)


def labour(country, year, number, note=None):
    return value(country, "labor_force", year, number, note=note)


def border(a, b, km):
    return {"country": a, "neighbor": b, "length_km": km, "source_id": "test-source"}


FAILING = [
    fails("2016-copy", "a_value_repeated_under_another_year_is_marked",
          r"SSD military_expenditure_pct_gdp 2010 is 10.32, the same value factbook-2016-11-06 gives for 2012; "
          r"expected it left out as a copy, or a note 'same value as 2012'",
          {"forces": [spending("SSD", 2012, 10.32), spending("SSD", 2011, 5.8), spending("SSD", 2010, 10.32)]},
          lines=(4,), resource="forces"),
    fails("counted-twice", "no_border_is_counted_by_two_countries",
          r"ESH and MAR both list a 1,564 km border with MRT \(lines 2, 3\), which lists only MAR; "
          r"expected the border counted by one of them",
          {"borders": [border("ESH", "MRT", 1564), border("MAR", "MRT", 1564), border("MRT", "MAR", 1564)]},
          lines=(2, 3)),
    fails("note-dropped", "a_combined_figure_is_marked_wherever_it_is_shared",
          r"JEY labor_force 2024 is 82,400, the same figure as GGY; expected a note that it is combined",
          {"demographics": [labour("GGY", 2024, 82400, "combined figure of several territories"),
                            labour("JEY", 2024, 82400)]}, lines=(3,), resource="demographics"),
    fails("precise-without-any-note", "a_combined_figure_is_marked_wherever_it_is_shared",
          r"GGY labor_force 2021 is 86,800, the same figure as JEY",
          {"demographics": [labour("GGY", 2021, 86800), labour("JEY", 2021, 86800)]}, count=2),
]

PASSING = [
    passes("noted-repeat", "a_value_repeated_under_another_year_is_marked",
           {"forces": [spending("SSD", 2024, 2, source="factbook-2026-01-22"),
                       spending("SSD", 2023, 2, "same value as 2024 in the same entry of this edition",
                                source="factbook-2026-01-22")]}),
    passes("other-sources", "a_value_repeated_under_another_year_is_marked",
           {"forces": [spending("KGZ", 2019, 1.5, source="factbook-2020-11-27"),
                       spending("KGZ", 2018, 1.5, source="factbook-2025-04-17")]}),
    passes("copy-left-out", "a_value_repeated_under_another_year_is_marked",
           {"forces": [spending("SSD", 2012, 10.32), spending("SSD", 2011, 5.8)]}),
    passes("two-real-borders", "no_border_is_counted_by_two_countries",
           {"borders": [border("AAA", "CCC", 100), border("BBB", "CCC", 100),
                        border("CCC", "AAA", 100), border("CCC", "BBB", 100)]}),
    passes("territory-apart", "no_border_is_counted_by_two_countries",
           {"borders": [border("ESH", "MRT", 1564), border("MRT", "ESH", 1564), border("MAR", "ESH", 444),
                        border("ESH", "MAR", 444)]}),
    passes("marked-everywhere", "a_combined_figure_is_marked_wherever_it_is_shared",
           {"demographics": [labour("GGY", 2024, 82400, "combined figure of several territories; shared by GGY and JEY"),
                             labour("JEY", 2024, 82400, "entry includes Jersey and Guernsey")]}),
    passes("round-coincidence", "a_combined_figure_is_marked_wherever_it_is_shared",
           {"forces": [value("ALB", "active_personnel", 2025, 7500), value("EST", "active_personnel", 2025, 7500)]}),
    passes("different-years", "a_combined_figure_is_marked_wherever_it_is_shared",
           {"demographics": [labour("GGY", 2021, 86800), labour("JEY", 2022, 86800)]}),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)


@pytest.mark.parametrize(
    ("figure", "precise"),
    [(86_800, True), (1_234, True), (1_230, True), (12_345, True), (7_500, False), (1_500, False), (1_000, False),
     (2_000, False), (999, False), (12_345.5, False), (float("nan"), False), (-86_800, False)],
)
def test_a_precise_count_has_three_significant_digits_and_is_not_whole_thousands(figure, precise):
    import pandas as pd

    from country_profiles.validation.rules.import_defects import _precise_counts

    assert bool(_precise_counts(pd.Series([figure], dtype="float64"))[0]) is precise
