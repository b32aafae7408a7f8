"""Ethnic groups and age bands: each rule with data that breaks it and data that satisfies it."""

import pytest
from rules_helpers import assert_fails, assert_passes, fails, passes

from country_profiles.validation.rules.percentages import normalized_group


def ethnic(*groups, country="KGZ", year=2023):
    """Rows from (group, percent) or (group, percent, percent_max)."""
    rows = []
    for group, pct, *upper in groups:
        rows.append({"country": country, "year": year, "group": group, "percent": pct,
                     "percent_max": upper[0] if upper else None, "source_id": "test-source"})
    return rows


def ages(young, middle, old, country="KGZ", year=2024):
    bands = [("0-14", young), ("15-64", middle), ("65+", old)]
    return [{"country": country, "year": year, "age_band": band, "percent": pct, "source_id": "test-source"}
            for band, pct in bands if pct is not None]


FAILING = [
    fails("over-100", "ethnic_percentages_sum_to_at_most_100",
          r"KGZ in 2023 add up to 105%; expected at most 101%",
          {"ethnic_groups": ethnic(("Kyrgyz", 75), ("Uzbek", 20), ("Russian", 10))}, lines=(2, 3, 4)),
    fails("lower-ends-over-100", "ethnic_percentages_sum_to_at_most_100", r"add up to 105% to 120% \(the list has ranges\)",
          {"ethnic_groups": ethnic(("Arab", 75, 80), ("Kurdish", 20, 25), ("other", 10, 15))}),
    fails("residual-short", "ethnic_percentages_with_residual_sum_to_100",
          r"include a residual group but add up to 90%; expected 100% within 1.0 points",
          {"ethnic_groups": ethnic(("Kyrgyz", 70), ("Uzbek", 15), ("Other ", 5))}),
    fails("residual-unspecified", "ethnic_percentages_with_residual_sum_to_100", r"add up to 95.5%",
          {"ethnic_groups": ethnic(("Hungarian", 80.3), ("Romani", 2.1), ("unspecified", 13.1))}),
    fails("spacing-and-case", "ethnic_groups_are_distinct",
          r"KGZ in 2023 lists the same group 2 times as 'Uzbek', 'uzbek ' \(lines 12, 13\)",
          {"ethnic_groups": (ethnic(("Kyrgyz", 75), ("Uzbek", 15), ("uzbek ", 6)), [11, 12, 13])}, lines=(12, 13)),
    fails("accents", "ethnic_groups_are_distinct", r"'Üzbek', 'Uzbek'",
          {"ethnic_groups": ethnic(("Üzbek", 15), ("Uzbek", 6))}, lines=(2, 3)),
    fails("inner-spaces", "ethnic_groups_are_distinct", r"same group 2 times",
          {"ethnic_groups": ethnic(("Crimean  Tatar", 1), ("crimean tatar", 1))}),
    fails("missing-band", "age_bands_are_complete", r"KGZ in 2024 lacks band\(s\) 65\+; expected all of",
          {"age_structure": ages(30.1, 64.0, None)}, lines=(2, 3)),
    fails("bands-sum-95", "age_bands_sum_to_100", r"add up to 95%; expected 100% within 0.5 points",
          {"age_structure": ages(30, 60, 5)}, lines=(2, 3, 4)),
    fails("bands-sum-101", "age_bands_sum_to_100", r"add up to 101%",
          {"age_structure": ages(30, 65, 6)}),
    fails("band-as-a-fraction", "age_bands_sum_to_100",
          r"add up to 71.19%.*; line 5 has 0.291% where 2023 had 29.54% for the same band \(a percentage written as a "
          r"fraction", {"age_structure": ages(29.54, 63.86, 6.6, year=2023) + ages(0.291, 64, 6.9)}, lines=(5, 6, 7)),
    fails("band-a-digit-too-many", "age_bands_sum_to_100",
          r"line 7 has 69% where 2023 had 6.6% for the same band \(a digit too many\?\)",
          {"age_structure": ages(29.54, 63.86, 6.6, year=2023) + ages(29.1, 64, 69)}, lines=(7, 5, 6)),
    fails("band-without-history", "age_bands_sum_to_100",
          r"line 4 has 69% where 6.9% would make the list add up \(a digit too many\?\)",
          {"age_structure": ages(29.1, 64, 69)}, lines=(4, 2, 3)),
    fails("share-a-digit-too-many", "ethnic_percentages_sum_to_at_most_100",
          r"line 7 has 51% where 2009 had 7.7% for the same group \(a digit too many\?\)",
          {"ethnic_groups": ethnic(("Kyrgyz", 70.9), ("Russian", 7.7), ("Uzbek", 14.3), ("other", 7.1), year=2009)
           + ethnic(("Kyrgyz", 73.8), ("Russian", 51), ("Uzbek", 14.8), ("other", 5.2), year=2021)},
          lines=(7, 6, 8, 9)),
    fails("share-as-a-fraction", "ethnic_shares_are_not_slipped_in_scale",
          r"KGZ in 2023 include a residual group but add up to 25.84%; line 2 has 0.738% where 74.9% would make the "
          r"list add up \(a percentage written as a fraction",
          {"ethnic_groups": ethnic(("Kyrgyz", 0.738), ("Uzbek", 14.8), ("Russian", 5.1), ("other", 5.2))},
          lines=(2,)),
    fails("share-a-digit-too-few", "ethnic_shares_are_not_slipped_in_scale", r"line 3 has 1.48% .*a digit too few",
          {"ethnic_groups": ethnic(("Kyrgyz", 73.8), ("Uzbek", 1.48), ("Russian", 5.1), ("other", 5.2))},
          lines=(3,)),
    fails("zero-group", "percentages_are_positive", r"'Russian' is 0%; expected a share above 0%",
          {"ethnic_groups": ethnic(("Kyrgyz", 75), ("Russian", 0))}, lines=(3,), resource="ethnic_groups"),
    fails("zero-range", "percentages_are_positive", r"'European' is 0%", {"ethnic_groups": ethnic(("European", 0, 0))}),
    fails("zero-band", "percentages_are_positive", r"'65\+' is 0%", {"age_structure": ages(35, 65, 0)},
          resource="age_structure", lines=(4,)),
    fails("reversed-range", "percent_ranges_are_ordered", r"'Arab' ranges from 75% down to 70%",
          {"ethnic_groups": ethnic(("Arab", 75, 70))}, lines=(2,)),
]

PASSING = [
    passes("article-96", "ethnic_percentages_sum_to_at_most_100",
           {"ethnic_groups": ethnic(("Kyrgyz", 75), ("Uzbek", 15), ("Russian", 6))}),
    passes("rounding", "ethnic_percentages_sum_to_at_most_100",
           {"ethnic_groups": ethnic(("Kyrgyz", 73.8), ("Uzbek", 14.8), ("Russian", 5.1), ("other", 7.1))}),
    passes("years-apart", "ethnic_percentages_sum_to_at_most_100",
           {"ethnic_groups": ethnic(("Kyrgyz", 75), year=2009) + ethnic(("Kyrgyz", 77), year=2021)}),
    passes("no-residual-short", "ethnic_percentages_with_residual_sum_to_100",
           {"ethnic_groups": ethnic(("Kyrgyz", 70), ("Uzbek", 15))}),
    passes("range-reaches-100", "ethnic_percentages_with_residual_sum_to_100",
           {"ethnic_groups": ethnic(("Arab", 70, 80), ("Kurdish", 15), ("other", 5))}),
    passes("other-white-is-a-group", "ethnic_percentages_with_residual_sum_to_100",
           {"ethnic_groups": ethnic(("Irish", 80), ("other White", 9.9))}),
    passes("short-by-no-factor-of-ten", "ethnic_shares_are_not_slipped_in_scale",
           {"ethnic_groups": ethnic(("Kyrgyz", 70), ("Uzbek", 15), ("Other ", 5))}),
    passes("short-without-residual", "ethnic_shares_are_not_slipped_in_scale",
           {"ethnic_groups": ethnic(("Kyrgyz", 0.738), ("Uzbek", 14.8), ("Russian", 5.1))}),
    passes("all-fractions-is-another-rule", "ethnic_shares_are_not_slipped_in_scale",
           {"ethnic_groups": ethnic(("Kyrgyz", 0.738), ("Uzbek", 0.148), ("Russian", 0.051), ("other", 0.052))}),
    passes("different-groups", "ethnic_groups_are_distinct",
           {"ethnic_groups": ethnic(("Uzbek", 15), ("Uzbeks of Osh", 1))}),
    passes("identical-spelling-is-a-key-error", "ethnic_groups_are_distinct",
           {"ethnic_groups": ethnic(("Uzbek", 15), ("Uzbek", 6))}),
    passes("same-group-other-year", "ethnic_groups_are_distinct",
           {"ethnic_groups": ethnic(("Uzbek", 15), year=2009) + ethnic(("uzbek", 14), year=2021)}),
    passes("three-bands", "age_bands_are_complete", {"age_structure": ages(30.1, 64.0, 5.9)}),
    passes("rounded-bands", "age_bands_sum_to_100", {"age_structure": ages(29.9, 65.2, 5.0)}),
    passes("incomplete-is-not-summed", "age_bands_sum_to_100", {"age_structure": ages(30, 40, None)}),
    passes("small-share", "percentages_are_positive", {"ethnic_groups": ethnic(("Dungan", 0.1))}),
    passes("less-than-1-percent", "percentages_are_positive", {"ethnic_groups": ethnic(("European", 0, 1))}),
    passes("missing-share-is-a-structure-error", "percentages_are_positive",
           {"ethnic_groups": ethnic(("Dungan", None))}),
    passes("ordered-range", "percent_ranges_are_ordered", {"ethnic_groups": ethnic(("Arab", 70, 75))}),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)


@pytest.mark.parametrize(
    ("a", "b"), [("Uzbek", " uzbek "), ("Üzbek", "Uzbek"), ("Crimean  Tatar", "crimean tatar"), ("ＫＹＲＧＹＺ", "kyrgyz")]
)
def test_group_names_normalize_alike(a, b):
    assert normalized_group(a) == normalized_group(b)


def test_residual_vocabulary_comes_from_thresholds():
    rows = ethnic(("Kyrgyz", 70), ("Uzbek", 15), ("misc", 5))
    assert_passes({"rule": "ethnic_percentages_with_residual_sum_to_100", "tables": {"ethnic_groups": rows},
                   "thresholds": None})
    assert_fails({"rule": "ethnic_percentages_with_residual_sum_to_100", "tables": {"ethnic_groups": rows},
                  "thresholds": {"ethnic_residual_groups": ["misc"]}, "match": "add up to 90%", "lines": None,
                  "resource": None, "count": 1})
