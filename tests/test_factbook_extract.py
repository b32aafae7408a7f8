"""extract_factbook on a hand-written sources folder (tests/fixtures/factbook), and once on the real one."""

import json
import shutil
from pathlib import Path

import pytest

from country_profiles.importer.codes import SourceError, read_code_table
from country_profiles.importer.factbook import SNAPSHOTS, YEAR_FROM_SNAPSHOT, extract_factbook

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "factbook"
SCHEMAS = REPO_ROOT / "schemas"
REAL_SOURCES = REPO_ROOT.parent / "shared" / "sources"


@pytest.fixture(scope="module")
def extract():
    return extract_factbook(FIXTURE)


def rows_of(rows, **match):
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


def one(rows, **match):
    found = rows_of(rows, **match)
    assert len(found) == 1, f"expected one row for {match}, got {found}"
    return found[0]


def problems_of(extract, **match):
    return [p for p in extract.problems if all(getattr(p, k) == v for k, v in match.items())]


@pytest.mark.parametrize(
    "table", ["countries", "borders", "demographics", "forces", "infrastructure", "ethnic_groups", "age_structure"]
)
def test_rows_have_exactly_the_schema_columns(extract, table):
    columns = [f["name"] for f in json.loads((SCHEMAS / f"{table}.schema.json").read_text())["fields"]]
    rows = getattr(extract, table)
    assert rows, f"no {table} rows from the fixture"
    assert all(list(row) == columns for row in rows)


def test_countries_are_the_mapped_profiles_without_eu_antarctica_oceans_world(extract):
    assert sorted(r["iso3"] for r in extract.countries) == ["ALP", "BET", "DLT", "GAM", "PSE", "UNC", "XKX"]


def test_independence_from_the_code_table_plus_kosovo(extract):
    independent = {r["iso3"]: r["independent"] for r in extract.countries}
    assert independent == {"ALP": True, "BET": True, "GAM": True, "XKX": True, "DLT": False, "UNC": False, "PSE": False}


def test_country_geography(extract):
    alphaland = one(extract.countries, iso3="ALP")
    assert (alphaland["area_km2"], alphaland["land_area_km2"], alphaland["water_area_km2"]) == (199951, 191801, 8150)
    assert (alphaland["coastline_km"], alphaland["landlocked"], alphaland["land_boundaries_km"]) == (0, True, 1545.5)
    assert (alphaland["gec"], alphaland["iso2"], alphaland["region"]) == ("AL", "AP", "Central Asia")
    assert alphaland["source_id"] == "factbook-2026-01-22"
    betania = one(extract.countries, iso3="BET")
    assert (betania["area_km2"], betania["name"], betania["landlocked"]) == (1284000, "Bétania", False)


def test_name_falls_back_to_the_code_table_when_the_factbook_says_none(extract):
    assert one(extract.countries, iso3="GAM")["name"] == "Gammaria"


def test_negligible_water_is_a_problem_not_a_zero(extract):
    assert one(extract.countries, iso3="GAM")["water_area_km2"] is None
    assert [p.reason for p in problems_of(extract, country="GAM", field="Geography/Area/water")] == [
        "negligible (NEGL): no figure"
    ]


def test_west_bank_and_gaza_strip_are_added_up_into_pse(extract):
    pse = one(extract.countries, iso3="PSE")
    assert (pse["gec"], pse["name"]) == ("WE", "Palestinian Territories")
    assert (pse["area_km2"], pse["land_area_km2"], pse["coastline_km"], pse["landlocked"]) == (6220, 6000, 40, False)
    assert one(extract.demographics, country="PSE", indicator="population", year=2025)["value"] == 5_000_000
    reasons = [p.reason for p in problems_of(extract, country="PSE")]
    assert "shares of gz and we are not merged into PSE" in reasons
    assert "airports 2025 given by we only (not gz); not added up" in reasons
    assert rows_of(extract.infrastructure, country="PSE") == []


def test_borders_one_row_per_direction_with_segments_added_up(extract):
    borders = {(r["country"], r["neighbor"]): r for r in extract.borders}
    assert set(borders) == {
        ("ALP", "BET"),
        ("ALP", "GAM"),
        ("BET", "ALP"),
        ("BET", "PSE"),
        ("GAM", "ALP"),
        ("GAM", "PSE"),
        ("PSE", "BET"),
        ("PSE", "GAM"),
    }
    assert borders[("ALP", "GAM")]["length_km"] == 345.5
    assert borders[("ALP", "GAM")]["note"] == "sum of Gammaria (north) 300 km and Gammaria (south) 45.5 km"
    assert borders[("BET", "PSE")]["length_km"] == borders[("PSE", "BET")]["length_km"] == 389
    assert borders[("GAM", "PSE")]["note"] == "Gaza Strip 13 km"
    assert borders[("ALP", "BET")]["note"] is None


def test_neighbours_that_are_not_countries_are_reported(extract):
    found = problems_of(extract, field="Geography/Land boundaries/border countries")
    assert [(p.country, p.text) for p in found] == [("ALP", "UN Buffer Zone 10 km")]


def test_population_is_a_time_series_from_every_snapshot(extract):
    population = {
        r["year"]: (r["value"], r["source_id"])
        for r in rows_of(extract.demographics, country="ALP", indicator="population")
    }
    assert population == {
        2025: (6219751, "factbook-2026-01-22"),
        2024: (6172101, "factbook-2025-04-17"),
        2023: (6122781, "factbook-2024-02-15"),  # 2023-06-01 gives it too: one row, the newest edition
        2022: (6071750, "factbook-2022-06-02"),
        2021: (6018789, "factbook-2021-06-01"),
        2020: (5964897, "factbook-2020-11-27"),
        2015: (5664939, "factbook-2016-11-06"),  # dated by the note that ends the 2016 entry
    }


def test_former_gec_code_of_2016_maps_to_the_current_profile(extract):
    assert one(extract.demographics, country="UNC", year=2015)["value"] == 146836


def test_manpower_adds_males_and_females_and_takes_the_entry_year(extract):
    row = one(extract.demographics, country="ALP", indicator="manpower_available")
    assert (row["year"], row["value"], row["source_id"]) == (2010, 2927198, "factbook-2016-11-06")
    assert one(extract.demographics, country="ALP", indicator="manpower_reaching_military_age")["value"] == 110662
    assert [
        p.reason for p in problems_of(extract, country="BET", field="Military/Manpower available for military service")
    ] == ["males and females are not both given; not added up"]


def test_military_expenditure_prefers_the_newer_snapshot_for_the_same_year(extract):
    spending = {
        r["year"]: (r["value"], r["source_id"])
        for r in rows_of(extract.forces, country="ALP", indicator="military_expenditure_pct_gdp")
    }
    assert spending == {
        2024: (3, "factbook-2026-01-22"),
        2023: (3.5, "factbook-2026-01-22"),  # 2025-04-17 says 3.4
        2022: (3, "factbook-2025-04-17"),
        2019: (2.3, "factbook-2022-06-02"),  # 2020-11-27 and 2021-06-01 say 1.5: reported
        2018: (2.3, "factbook-2022-06-02"),
        2017: (1.6, "factbook-2020-11-27"),  # the 2020 layout: '1.5% of GDP (2019) / 1.6% of GDP (2018) / ...'
        2011: (3.74, "factbook-2016-11-06"),
    }
    disagreements = [d.reason for d in extract.decisions if d.country == "ALP" and "2019:" in d.reason]
    assert disagreements == [
        "military_expenditure_pct_gdp 2019: this edition gives 1.5, the newer 2022-06-02 gives 2.3; the newer kept"
    ] * 2
    assert len(problems_of(extract, country="ALP", field="Military/Military expenditures")) == 2  # the two NA years


def test_personnel_ranges_and_paramilitary(extract):
    active = one(extract.forces, country="ALP", indicator="active_personnel", year=2025)
    assert (active["value"], active["value_max"]) == (10000, 15000)
    assert "10-15,000 active Armed Forces" in active["note"]
    assert one(extract.forces, country="ALP", indicator="paramilitary_personnel")["value"] == 5000
    assert one(extract.forces, country="ALP", indicator="active_personnel", year=2023)["value"] == 15000
    assert rows_of(extract.forces, country="BET") == []
    assert len(problems_of(extract, country="BET")) >= 2  # spending in words, personnel without 'active'


def test_infrastructure_from_its_snapshots(extract):
    values = {
        (r["indicator"], r["year"]): (r["value"], r["source_id"][9:])
        for r in rows_of(extract.infrastructure, country="ALP")
    }
    assert values == {
        ("airports", 2025): (28, "2026-01-22"),
        ("heliports", 2025): (1, "2026-01-22"),
        ("railways_km", 2022): (424, "2026-01-22"),
        ("roadways_km", 2020): (34000, "2025-04-17"),  # undated line, dated by its entry
        ("roadways_paved_km", 2020): (22600, "2025-04-17"),
        ("roadways_unpaved_km", 2020): (11400, "2025-04-17"),
        ("waterways_km", 2022): (576, "2025-04-17"),
        ("pipelines_km", 2022): (4211, "2025-04-17"),
        ("airports", 2021): (28, "2024-02-15"),
        ("airports_paved", 2021): (18, "2024-02-15"),  # 18 + 10 = the 28 airports of 2021
        ("airports_unpaved", 2021): (10, "2024-02-15"),
        ("railways_km", 2021): (1497, "2022-06-02"),  # '1,497 km (2021) (2019)'
        ("railways_km", 2018): (424, "2020-11-27"),
        ("waterways_km", 2010): (600, "2020-11-27"),
        ("airports", 2013): (28, "2021-06-01"),  # 'Airports': {'total': ...}; 2020-11-27 gives it alike
    }
    assert one(extract.infrastructure, country="BET", indicator="ports")["value"] == 17


def test_paved_and_unpaved_that_do_not_add_up_are_reported_not_dated(extract):
    betania = {
        r["indicator"]: r for r in rows_of(extract.infrastructure, country="BET", source_id="factbook-2024-02-15")
    }
    assert (betania["airports"]["year"], betania["airports"]["value"]) == (2021, 10)
    assert "airports_paved" not in betania and "airports_unpaved" not in betania
    reported = [p for p in extract.problems if p.country == "BET" and "runways" in p.field]
    assert len(reported) == 2
    assert all("paved + unpaved (8)" in p.reason and "year unknown" in p.reason for p in reported)


def test_ethnic_groups(extract):
    groups = {
        r["group"]: (r["percent"], r["percent_max"], r["note"])
        for r in rows_of(extract.ethnic_groups, country="ALP", year=2021)
    }
    assert groups == {
        "Alphan": (80.5, None, None),
        "Betan": (10, None, None),
        "Gamman": (0, 1, "less than 1%"),
        "other": (9.5, None, "includes Deltan, Epsilan"),
    }
    assert {r["year"] for r in rows_of(extract.ethnic_groups, country="ALP")} == {2021, 2009}


def test_undated_ethnic_list_repeated_by_an_older_snapshot_is_kept_once(extract):
    betania = rows_of(extract.ethnic_groups, country="BET")
    assert sorted({(r["year"], r["source_id"]) for r in betania}) == [
        (2016, "factbook-2016-11-06"),  # a different list
        (2024, "factbook-2024-02-15"),  # the first edition that gives it; 2026-01-22 repeats it
    ]
    assert all(r["note"] == YEAR_FROM_SNAPSHOT for r in betania)


def test_group_named_twice_in_one_list_is_reported_not_kept(extract):
    assert [r["group"] for r in rows_of(extract.ethnic_groups, country="GAM")] == ["other"]
    assert [p.reason for p in problems_of(extract, country="GAM", field="People and Society/Ethnic groups")] == [
        "group 'Gam' appears twice in one list; both left out"
    ]


def test_age_structure_both_layouts(extract):
    current = {r["age_band"]: r["percent"] for r in rows_of(extract.age_structure, country="ALP", year=2024)}
    assert current == {"0-14": 29.1, "15-64": 64, "65+": 6.9}
    old = {r["age_band"]: (r["percent"], r["note"]) for r in rows_of(extract.age_structure, country="ALP", year=2015)}
    assert old == {
        "0-14": (29.92, None),
        "15-64": (65.07, "sum of the 15-24, 25-54 and 55-64 bands"),
        "65+": (5.01, None),
    }
    assert len(problems_of(extract, country="BET", snapshot="2026-01-22")) >= 3  # three NA bands


def test_every_problem_names_snapshot_country_field_and_reason(extract):
    assert extract.problems
    for problem in extract.problems:
        assert problem.snapshot in SNAPSHOTS
        assert problem.country and problem.field and problem.reason


# --- bad input: a clear message naming the file and line ----------------------------------------


def test_invalid_json_names_file_and_line(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURE, sources)
    broken = sources / "factbook" / "2024-02-15" / "central-asia" / "al.json"
    broken.write_text('{\n  "People and Society": {\n    "Population": oops\n}\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"al\.json:3: invalid JSON"):
        extract_factbook(sources)


def test_missing_snapshot_folder_is_named(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURE, sources)
    shutil.rmtree(sources / "factbook" / "2016-11-06")
    with pytest.raises(SourceError, match=r"2016-11-06: folder not found"):
        extract_factbook(sources)


def test_code_table_without_a_column_names_file_and_line(tmp_path):
    table = tmp_path / "Countrycodes.csv"
    table.write_text('"ISO_3166_2","ISO_3166_3","NAME.EN"\n"AP","ALP","Alphaland"\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"Countrycodes\.csv:1: missing column\(s\) FIPS_GEC, independent"):
        read_code_table(table)


def test_code_table_with_a_bad_flag_names_the_line(tmp_path):
    table = tmp_path / "Countrycodes.csv"
    table.write_text(
        '"ISO_3166_2","ISO_3166_3","FIPS_GEC","independent","NAME.EN"\n'
        '"AP","ALP","AL","TRUE","Alphaland"\n"BE","BET","BE","maybe","Betania"\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"Countrycodes\.csv:3: independent must be"):
        read_code_table(table)


# --- the real sources, when present -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not (REAL_SOURCES / "factbook").is_dir(), reason="raw sources not present next to the repository")
def test_real_snapshots():
    real = extract_factbook(REAL_SOURCES)
    independent = {r["iso3"] for r in real.countries if r["independent"]}
    assert len(independent) >= 196
    # The Comoros' area includes Mayotte, which France's also counts: left out (AREA_INCLUDES_ANOTHER).
    assert all(r["area_km2"] is not None for r in real.countries if r["independent"] and r["iso3"] != "COM")
    population = {r["country"] for r in real.demographics if r["indicator"] == "population"}
    airports = {r["country"] for r in real.infrastructure if r["indicator"] == "airports"}
    with_area = {r["iso3"] for r in real.countries if r["area_km2"] is not None}
    assert len(population & airports & with_area) >= 190
    assert one(real.countries, iso3="KGZ")["area_km2"] == 199951
    assert sorted(r["neighbor"] for r in rows_of(real.borders, country="KGZ")) == ["CHN", "KAZ", "TJK", "UZB"]
