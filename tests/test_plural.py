"""Counts read as words: "1 flag", "2 flags", in every report that prints them."""

import pytest

from country_profiles.plural import count_of


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "flag", "0 flags"),
        (1, "flag", "1 flag"),
        (2, "flag", "2 flags"),
        (1, "country", "1 country"),
        (3, "country", "3 countries"),
        (2, "match", "2 matches"),
        (1, "more finding", "1 more finding"),
    ],
)
def test_a_count_agrees_with_its_noun(count, noun, expected):
    assert count_of(count, noun) == expected


def test_reports_print_one_flag_and_one_error_in_the_singular():
    from country_profiles import diff

    report = diff.DiffReport("main", "HEAD", 5.0, [], [diff.Flag("unit_slip", "t", "p", ("K",), "value", 2, "m")],
                             diff.FindingsDiff())
    text = diff.render_text(report)
    assert "Flags: 1 flag\n" in text and "(0 errors)" in text
    assert "**1 flag**" in diff.render_markdown(report)
