"""Borders: symmetric, equally long from both sides, adding up to the country's land boundaries."""

import pytest
from rules_helpers import assert_fails, assert_passes, country, fails, passes


def border(a, b, km):
    return {"country": a, "neighbor": b, "length_km": km, "source_id": "test-source"}


def both(a, b, km, km_back=None):
    return [border(a, b, km), border(b, a, km if km_back is None else km_back)]


FAILING = [
    fails("self", "no_country_borders_itself", r"KGZ is listed as its own neighbor",
          {"borders": [border("KGZ", "KGZ", 10)]}, lines=(2,)),
    fails("one-direction", "borders_are_symmetric",
          r"KGZ borders TJK, but no row says TJK borders KGZ; expected the border listed from both sides",
          {"borders": both("KGZ", "CHN", 1063) + [border("KGZ", "TJK", 984)]}, lines=(4,), resource="borders"),
    fails("lengths-differ", "border_lengths_agree",
          r"the border KGZ-CHN is 1,063 km \(line 2\) but CHN-KGZ is 1,100 km \(line 5\); expected equal within "
          r"11 km", {"borders": ([border("KGZ", "CHN", 1063), *both("KAZ", "KGZ", 1212), border("CHN", "KGZ", 1100)],
                                 [2, 3, 4, 5])}, lines=(2, 5), count=2),
    fails("length-typed-wrong", "border_lengths_agree",
          r"the border KAZ-KGZ is 1,212 km \(line 4\) but KGZ-KAZ is 12,120 km \(line 5\).*KGZ's borders do not add up "
          r"to its land_boundaries_km while the other country's do: line 5 is the one out of line "
          r"\(a digit too many\?\)",
          {"countries": [country("KGZ", land_boundaries_km=2275), country("KAZ", land_boundaries_km=1212)],
           "borders": [*both("KGZ", "CHN", 1063), border("KAZ", "KGZ", 1212), border("KGZ", "KAZ", 12120)]},
          lines=(5, 4), resource="borders"),
    fails("missing-border", "borders_add_up_to_land_boundaries",
          r"KGZ has land_boundaries_km 4,573, but its 2 borders in borders.csv \(lines 2, 4\) add up to 2,275 km; "
          r"expected equal within 45.73 km",
          {"countries": [country("KGZ", land_boundaries_km=4573)],
           "borders": both("KGZ", "CHN", 1063) + both("KGZ", "KAZ", 1212)}, lines=(2,), resource="countries"),
    fails("no-borders-at-all", "borders_add_up_to_land_boundaries",
          r"KGZ has land_boundaries_km 4,573, but borders.csv lists no border for it",
          {"countries": [country("KGZ", land_boundaries_km=4573)], "borders": []}),
]

PASSING = [
    passes("neighbours", "no_country_borders_itself", {"borders": both("KGZ", "CHN", 1063)}),
    passes("both-directions", "borders_are_symmetric", {"borders": both("KGZ", "CHN", 1063) + both("KGZ", "TJK", 984)}),
    passes("same-length", "border_lengths_agree", {"borders": both("KGZ", "CHN", 1063)}),
    passes("rounded-differently", "border_lengths_agree", {"borders": both("RUS", "KAZ", 7644, 7600)}),
    passes("rounded-by-a-km", "border_lengths_agree", {"borders": both("AND", "FRA", 56, 55)}),
    passes("adds-up", "borders_add_up_to_land_boundaries",
           {"countries": [country("KGZ", land_boundaries_km=4573), country("CHN", land_boundaries_km=None)],
            "borders": both("KGZ", "CHN", 1063) + both("KGZ", "KAZ", 1212) + both("KGZ", "TJK", 984)
            + both("KGZ", "UZB", 1314)}),
    passes("island", "borders_add_up_to_land_boundaries",
           {"countries": [country("ISL", land_boundaries_km=0)], "borders": []}),
    passes("length-unknown", "borders_add_up_to_land_boundaries",
           {"countries": [country("KGZ", land_boundaries_km=4573)],
            "borders": [border("KGZ", "CHN", None), border("CHN", "KGZ", 1063)]}),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)
