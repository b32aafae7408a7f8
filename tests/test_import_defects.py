"""The systematic import defects of issue 14, each on a small hand-written variant of the fixture.

Every test copies tests/fixtures/factbook and rewrites one or two profiles in the shape the real
editions have (written here by hand), then checks the rows extract_factbook makes of them.
"""

import json
import shutil
from pathlib import Path

import pytest

from country_profiles.importer import factbook
from country_profiles.importer.factbook import COMBINED_NOTE, extract_factbook

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "factbook"


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "sources"
    shutil.copytree(FIXTURE, folder)
    return folder


def edit(sources: Path, snapshot: str, relative: str, change) -> None:
    """Apply `change` to the parsed profile and write it back."""
    path = sources / "factbook" / snapshot / relative
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    change(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def rows(extracted, table, **match):
    return [r for r in getattr(extracted, table) if all(r[k] == v for k, v in match.items())]


def test_the_2016_oldest_expenditure_equal_to_the_newest_is_a_copy_left_out(sources):
    def copy_2012_as_2010(data):
        data["Military"]["Military expenditures"] = {
            "text": "2.1% of GDP (2012) ++ 1.9% of GDP (2011) ++ 2.1% of GDP (2010)"
        }

    edit(sources, "2016-11-06", "central-asia/al.json", copy_2012_as_2010)
    extracted = extract_factbook(sources)
    years = {r["year"]: r["value"] for r in rows(extracted, "forces", country="ALP", source_id="factbook-2016-11-06")}
    assert years == {2012: 2.1, 2011: 1.9}
    (decision,) = [d for d in extracted.decisions if d.country == "ALP" and d.snapshot == "2016-11-06"]
    assert decision.reason.startswith("2010 left out: the same value as 2012 in the same entry")


def test_a_newer_edition_repeating_a_yearly_value_keeps_it_with_a_note(sources):
    def same_two_years(data):
        data["Military and Security"]["Military expenditures"] = {
            "Military Expenditures 2024": {"text": "2% of GDP (2024 est.)"},
            "Military Expenditures 2023": {"text": "2% of GDP (2023 est.)"},
        }

    edit(sources, "2026-01-22", "central-asia/al.json", same_two_years)
    extracted = extract_factbook(sources)
    (row,) = rows(extracted, "forces", country="ALP", indicator="military_expenditure_pct_gdp", year=2023)
    assert (row["value"], row["note"]) == (2, "same value as 2024 in the same entry of this edition")


def test_a_combined_labour_force_of_two_profiles_of_one_territory_is_not_added_up(sources):
    def combined(data):
        data["Economy"] = {
            "Labor force": {
                "text": "1.391 million (2022 est.)",
                "note": "<b>note:</b> people ages 15 or older; entry includes West Bank and Gaza Strip",
            }
        }

    edit(sources, "2026-01-22", "middle-east/gz.json", combined)
    edit(sources, "2026-01-22", "middle-east/we.json", combined)
    extracted = extract_factbook(sources)
    (row,) = rows(extracted, "demographics", country="PSE", indicator="labor_force")
    assert row["value"] == 1_391_000  # not 2,782,000
    assert row["note"].startswith(COMBINED_NOTE) and "not added up" in row["note"]
    assert any(d.country == "PSE" and "kept once, not added up" in d.reason for d in extracted.decisions)


def test_a_figure_two_countries_share_says_so_in_both_rows(sources):
    def channel_islands(data):
        data["Economy"] = {
            "Labor force": {
                "text": "82,400 (2024 est.)",
                "note": "<b>note:</b> people ages 15 or older;entry includes Alphaland and Betania",
            }
        }

    def same_figure_without_the_note(data):
        data["Economy"] = {"Labor force": {"text": "86,800 (2021 est.)"}}

    edit(sources, "2026-01-22", "central-asia/al.json", channel_islands)
    edit(sources, "2026-01-22", "central-asia/be.json", channel_islands)
    edit(sources, "2024-02-15", "central-asia/al.json", same_figure_without_the_note)
    edit(sources, "2024-02-15", "central-asia/be.json", same_figure_without_the_note)
    extracted = extract_factbook(sources)
    labour = rows(extracted, "demographics", indicator="labor_force")
    assert {(r["country"], r["year"]) for r in labour} == {("ALP", 2024), ("BET", 2024), ("ALP", 2021), ("BET", 2021)}
    for row in labour:
        assert COMBINED_NOTE in row["note"] and "shared by ALP and BET" in row["note"], row


def test_geography_from_the_edition_before_another_territory_was_counted_in(sources, monkeypatch):
    monkeypatch.setattr(factbook, "GEOGRAPHY_SNAPSHOT", {"al": ("2020-11-27", "later editions count Deltaland in")})
    extracted = extract_factbook(sources)
    (alphaland,) = rows(extracted, "countries", iso3="ALP")
    assert (alphaland["area_km2"], alphaland["land_boundaries_km"], alphaland["source_id"]) == (
        150000,
        1200,
        "factbook-2020-11-27",
    )
    assert {(r["neighbor"], r["source_id"]) for r in rows(extracted, "borders", country="ALP")} == {
        ("BET", "factbook-2020-11-27")
    }
    assert any(d.country == "ALP" and d.reason == "later editions count Deltaland in" for d in extracted.decisions)


def test_an_area_that_includes_another_territory_is_left_out(sources, monkeypatch):
    monkeypatch.setattr(factbook, "AREA_INCLUDES_ANOTHER", {"be": "includes Unicorn Isle, which has its own row"})
    extracted = extract_factbook(sources)
    (betania,) = rows(extracted, "countries", iso3="BET")
    assert (betania["area_km2"], betania["land_area_km2"], betania["water_area_km2"]) == (None, None, 24800)
    assert any("includes Unicorn Isle" in d.reason for d in extracted.decisions if d.country == "BET")


def test_a_total_area_rounded_below_its_land_is_land_plus_water(sources):
    def holy_see(data):
        data["Geography"]["Area"] = {"total ": {"text": "0 sq km"}, "land": {"text": "0.44 sq km"}, "water": {"text": "0 sq km"}}

    edit(sources, "2026-01-22", "europe/gm.json", holy_see)
    (gammaria,) = rows(extract_factbook(sources), "countries", iso3="GAM")
    assert (gammaria["area_km2"], gammaria["land_area_km2"]) == (0.44, 0.44)


def test_undated_unpaved_airports_take_the_year_of_the_total_they_add_up_to(sources):
    def algeria(data):
        data["Transportation"]["Airports - with paved runways"] = {"total": {"text": "5 (2023)"}}
        data["Transportation"]["Airports - with unpaved runways"] = {"text": "5"}

    edit(sources, "2024-02-15", "central-asia/be.json", algeria)
    extracted = extract_factbook(sources)
    years = {r["indicator"]: r["year"] for r in rows(extracted, "infrastructure", country="BET", source_id="factbook-2024-02-15")}
    assert years == {"airports": 2021, "airports_paved": 2023, "airports_unpaved": 2021}  # not the edition's 2024


def test_an_undated_value_is_kept_once_from_the_first_edition_that_gives_it(sources):
    def undated_waterways(data):
        data.setdefault("Transportation", {})["Waterways"] = {"text": "700 km"}

    for snapshot in ("2021-06-01", "2023-06-01"):
        edit(sources, snapshot, "central-asia/al.json", undated_waterways)
    extracted = extract_factbook(sources)
    undated = rows(extracted, "infrastructure", country="ALP", indicator="waterways_km", value=700)
    assert [(r["year"], r["source_id"], r["note"]) for r in undated] == [
        (2021, "factbook-2021-06-01", factbook.YEAR_FROM_SNAPSHOT)
    ]


def test_a_value_dated_after_its_edition_is_reported_not_kept(sources):
    extracted = extract_factbook(sources)
    assert not rows(extracted, "infrastructure", country="ALP", indicator="roadways_km", year=2081)
    assert any("dated 2081, after the edition itself" in p.reason for p in extracted.problems)
