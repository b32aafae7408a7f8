"""A country's own figures: areas add up, landlocked agrees with the coastline."""

import pytest
from rules_helpers import assert_fails, assert_passes, country, fails, passes

KGZ_AREAS = {"land_area_km2": 191_801, "water_area_km2": 8_150}

FAILING = [
    fails("article-rounded-total", "land_and_water_add_up_to_area",
          r"KGZ: land 191,801 km² \+ water 8,150 km² = 199,951 km², but the total area is 200,000 km²; "
          r"expected equal within 1 km²",
          {"countries": [country("KAZ", area_km2=2_724_900, land_area_km2=2_699_700, water_area_km2=25_200),
                         country("KGZ", area_km2=200_000, **KGZ_AREAS)]}, lines=(3,), resource="countries"),
    fails("land-a-digit-too-many", "land_and_water_add_up_to_area",
          r"KGZ: land 1,918,010 km² .*; land_area_km2 is 10× the 191,801 km² the total minus water gives \(a digit too "
          r"many\?\)", {"countries": [country("KGZ", area_km2=199_951, land_area_km2=1_918_010, water_area_km2=8_150)]}),
    fails("water-a-digit-too-many", "land_and_water_add_up_to_area",
          r"water_area_km2 is 10× the 3,374 km² the total minus land gives \(a digit too many\?\)",
          {"countries": [country("FRA", area_km2=643_801, land_area_km2=640_427, water_area_km2=33_740)]}),
    fails("landlocked-with-coast", "landlocked_exactly_when_no_coastline",
          r"KGZ has landlocked true and a coastline of 12 km; expected landlocked false",
          {"countries": [country("KGZ", coastline_km=12, landlocked=True)]}, lines=(2,)),
    fails("coast-without-flag", "landlocked_exactly_when_no_coastline",
          r"KGZ has landlocked false and a coastline of 0 km; expected landlocked true",
          {"countries": [country("KGZ", coastline_km=0, landlocked=False)]}),
]

PASSING = [
    passes("exact", "land_and_water_add_up_to_area", {"countries": [country("KGZ", area_km2=199_951, **KGZ_AREAS)]}),
    passes("decimals", "land_and_water_add_up_to_area",
           {"countries": [country("VAT", area_km2=0, land_area_km2=0.44, water_area_km2=0)]}),
    passes("unknown-water", "land_and_water_add_up_to_area",
           {"countries": [country("KGZ", area_km2=200_000, land_area_km2=191_801)]}),
    passes("landlocked", "landlocked_exactly_when_no_coastline",
           {"countries": [country("KGZ", coastline_km=0, landlocked=True),
                          country("KAZ", coastline_km=0, landlocked=True),
                          country("CHN", coastline_km=14_500, landlocked=False)]}),
    passes("unknown-coastline", "landlocked_exactly_when_no_coastline",
           {"countries": [country("KGZ", landlocked=True)]}),
]


@pytest.mark.parametrize("spec", FAILING)
def test_breaking_data_is_reported(spec):
    assert_fails(spec)


@pytest.mark.parametrize("spec", PASSING)
def test_valid_data_passes(spec):
    assert_passes(spec)
