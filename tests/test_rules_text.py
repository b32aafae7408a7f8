"""Text cells: no surrounding whitespace, nothing a spreadsheet would run. Every string field of every table."""

import pytest
from rules_helpers import assert_fails, assert_passes, country, fails, passes, value

FAILING = [
    fails("name", "text_has_no_surrounding_whitespace",
          r"name ' Kyrgyzstan' begins or ends with whitespace; expected the text without it",
          {"countries": [country("KAZ"), country("KGZ", name=" Kyrgyzstan")]}, lines=(3,), resource="countries"),
    fails("code", "text_has_no_surrounding_whitespace", r"country 'KGZ\\t'",
          {"demographics": [value("KGZ\t", "population", 2024, 7e6)]}, resource="demographics"),
    fails("group", "text_has_no_surrounding_whitespace", r"group 'Uzbek '",
          {"ethnic_groups": [{"country": "KGZ", "year": 2023, "group": "Uzbek ", "percent": 6,
                              "source_id": "test-source"}]}),
    fails("equals", "text_is_not_a_formula",
          r"note '=HYPERLINK\(\"x\"\)' begins with '=', which makes a spreadsheet run it as a formula",
          {"demographics": [value("KGZ", "population", 2024, 7e6, note='=HYPERLINK("x")')]}, lines=(2,)),
    fails("minus", "text_is_not_a_formula", r"begins with '-'",
          {"forces": [value("KGZ", "tanks", 2023, 215, note="-2 since 2020")]}),
    fails("at", "text_is_not_a_formula", r"begins with '@'", {"sources": [{"id": "x", "title": "@SUM(1)"}]}),
]

PASSING = [
    passes("clean", "text_has_no_surrounding_whitespace",
           {"countries": [country("KGZ", name="Kyrgyzstan")], "ethnic_groups": [
               {"country": "KGZ", "year": 2023, "group": "Crimean Tatar", "percent": 1, "source_id": "s"}]}),
    passes("negative-number-is-not-text", "text_is_not_a_formula",
           {"forces": [value("KGZ", "tanks", 2023, -1, note="a dash inside - is fine")]}),
    passes("empty-cells", "text_is_not_a_formula", {"demographics": [value("KGZ", "population", 2024, 7e6)]}),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)
