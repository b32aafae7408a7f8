"""The Python API (load, load_package, wide, profile) and `country-profiles show`, on the fixture package."""

import csv
import json
import runpy
import subprocess
import sys
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

import country_profiles
from country_profiles import api, paths
from country_profiles.cli import main

support = runpy.run_path(str(Path(__file__).parent / "fixtures" / "downstream" / "support.py"))
REPO = Path(__file__).resolve().parents[1]
REPO_SCHEMAS = support["schemas"](REPO)
PROFILE_SCHEMA = json.loads((REPO / "schemas/profile.schema.json").read_text(encoding="utf-8"))
PROFILE_VALIDATOR = jsonschema.Draft202012Validator(PROFILE_SCHEMA, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return support["make_package"](tmp_path_factory.mktemp("downstream") / "package")


@pytest.fixture(scope="module")
def frames(package):
    return api.load_package(package)


# --- load: dtypes and index from the schemas -------------------------------------------------

FIELDS = [
    pytest.param(table, field, id=f"{table}.{field['name']}")
    for table, (_, schema) in REPO_SCHEMAS.items()
    for field in schema["fields"]
]


@pytest.mark.parametrize(("table", "field"), FIELDS)
def test_every_field_gets_the_dtype_its_type_calls_for(frames, table, field):
    codes = api.code_fields({name: schema for name, (_, schema) in REPO_SCHEMAS.items()})[table]
    flat = frames[table].reset_index()
    assert str(flat[field["name"]].dtype) == api.field_dtype(field, field["name"] in codes)


@pytest.mark.parametrize("table", list(REPO_SCHEMAS))
def test_index_is_the_primary_key_and_columns_the_rest(frames, table):
    schema = REPO_SCHEMAS[table][1]
    key = api.primary_key(schema)
    frame = frames[table]
    assert list(frame.index.names) == key
    assert list(frame.columns) == [f["name"] for f in schema["fields"] if f["name"] not in key]


@pytest.mark.parametrize("table", list(REPO_SCHEMAS))
def test_load_keeps_every_value_of_the_csv(package, frames, table):
    expected = support["csv_values"](package, table)
    assert expected, "the fixture has rows for every table"
    actual = api._rows(frames[table])
    assert actual == [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in expected
    ]


def test_codes_are_categories_with_the_enum_in_declared_order(frames):
    bands = frames["age_structure"].index.get_level_values("age_band")
    assert list(bands.categories) == ["0-14", "15-64", "65+"]
    regions = frames["countries"]["region"]
    assert "South Asia" in regions.cat.categories  # declared, though no fixture country is there
    assert list(frames["borders"].index.get_level_values("neighbor").categories) == ["CHN", "KAZ", "KGZ"]


def test_missing_values_are_nulls_of_the_column_dtype(frames):
    countries = frames["countries"]
    assert countries.loc["ATA", "landlocked"] is pd.NA
    assert pd.isna(countries.loc["CUW", "water_area_km2"])
    assert frames["memberships"].loc[("KGZ", "UN", "member"), "until"] is pd.NA
    assert pd.isna(frames["sources"].loc["fx-igo", "published"])


def test_unicode_large_and_small_numbers_survive(frames):
    assert frames["countries"].loc["CIV", "name"] == "Côte d'Ivoire"
    assert frames["demographics"].loc[("CHN", "population", 2025), "value"] == 1416043271
    assert frames["forces"].loc[("KAZ", "military_expenditure_pct_gdp", 2024), "value"] == 0.0000012
    assert frames["infrastructure"].loc[("KAZ", "pipelines_km", 2025), "value"] == 23456.78901234568


def test_load_one_table_equals_the_same_table_from_load_package(package, frames):
    pd.testing.assert_frame_equal(api.load("borders", package), frames["borders"])


def test_load_accepts_the_descriptor_path_as_well_as_its_folder(package):
    pd.testing.assert_frame_equal(api.load("sources", package / "datapackage.json"), api.load("sources", package))


def test_unknown_table_is_a_key_error_naming_the_tables(package):
    with pytest.raises(KeyError, match="unknown table 'border'; did you mean borders"):
        api.load("border", package)


def test_a_folder_without_descriptor_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="no datapackage.json"):
        api.load("countries", tmp_path)


BAD_CELLS = [
    pytest.param("forces.csv", "KGZ,tanks,2023,", "KGZ,tanks,20x3,", r"forces.csv line 7, column year: '20x3' is not an integer",
                 id="integer"),
    pytest.param("forces.csv", "KGZ,tanks,2023,215,", "KGZ,tanks,2023,\"2,15\",",
                 r"forces.csv line 7, column value: '2,15' is not a number", id="number"),
    pytest.param("forces.csv", "KGZ,tanks,2023,215,", "KGZ,tanks,2023,inf,",
                 r"forces.csv line 7, column value: 'inf' is not a number", id="infinite"),
    pytest.param("forces.csv", "KGZ,tanks,2023,215,", "KGZ,tanks,2023,1e309,",
                 r"forces.csv line 7, column value: '1e309' is too large to be a number", id="overflow"),
    pytest.param("forces.csv", "KGZ,tanks,2023,215,", "KGZ,tanks,2023,Infinity,",
                 r"forces.csv line 7, column value: 'Infinity' is not a number", id="infinity-is-spelled-INF"),
    pytest.param("forces.csv", "KGZ,tanks,2023,", "KGZ,tanks,٢٠٢٣,",
                 r"forces.csv line 7, column year: '٢٠٢٣' is not an integer \(write digits as 0-9", id="arabic-indic-digits"),
    pytest.param("countries.csv", "Central Asia,true,199951", "Central Asia,yes,199951",
                 r"countries.csv line 7, column independent: 'yes' is not a boolean", id="boolean"),
    pytest.param("sources.csv", ",2023-10-04,", ",04/10/2023,",
                 r"sources.csv line 2, column published: '04/10/2023' is not a date", id="date"),
    pytest.param("age_structure.csv", "KGZ,2016,65+", "KGZ,2016,65-",
                 r"age_structure.csv line 4, column age_band: '65-' is not one of", id="enum"),
    pytest.param("borders.csv", "KGZ,KAZ,1212,", "KGZ,KAZ,1212,,,", r"borders.csv line 7: 7 cells, the header has 5",
                 id="cell-count"),
    pytest.param("borders.csv", "country,neighbor,length_km", "country,neighbour,length_km",
                 r"borders.csv line 1: the header does not match the schema; missing \['neighbor'\]", id="header"),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), BAD_CELLS)
def test_cells_that_do_not_parse_are_named_by_file_line_and_column(tmp_path, file, old, new, message):
    root = support["make_package"](tmp_path / "package")
    path = root / "data" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(api.PackageError, match=message):
        api.load_package(root)


def test_a_bom_and_a_long_cell_load_as_validation_accepts_them(tmp_path):
    root = support["make_package"](tmp_path / "package")
    path = root / "data" / "sources.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    long_note = "x" * 200_000
    rows[-1]["note"] = long_note
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # writes a BOM first
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    sources = api.load("sources", root)
    assert len(sources) == len(rows)
    assert sources["note"].iloc[-1] == long_note


def test_every_bad_cell_is_reported_at_once(tmp_path):
    root = support["make_package"](tmp_path / "package")
    path = root / "data/forces.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",2023,", ",soon,"), encoding="utf-8")
    with pytest.raises(api.PackageError) as caught:
        api.load("forces", root)
    assert str(caught.value).count("is not an integer") == 2


def test_a_missing_table_file_says_how_to_build_it(tmp_path):
    root = support["make_package"](tmp_path / "package")
    (root / "data/borders.csv").unlink()
    with pytest.raises(api.PackageError, match=r"data/borders.csv: no such file \(run `country-profiles import`"):
        api.load("borders", root)


# --- wide -------------------------------------------------------------------------------------


def test_wide_has_one_column_per_indicator_of_the_table_in_definition_order(package):
    frame = api.wide("forces", package)
    assert list(frame.columns) == ["active_personnel", "military_expenditure_pct_gdp", "tanks"]
    assert list(frame.index.names) == ["country", "year"]
    assert {k: str(v) for k, v in frame.dtypes.items()} == {
        "active_personnel": "Int64", "military_expenditure_pct_gdp": "float64", "tanks": "Int64",
    }


def test_wide_cells_are_the_long_values(package, frames):
    frame = api.wide("demographics", package)
    long = frames["demographics"]["value"]
    assert frame.notna().sum().sum() == len(long)
    for (country, indicator, year), value in long.items():
        assert frame.loc[(country, year), indicator] == value
    assert pd.isna(frame.loc[("KAZ", 2025), "labor_force"])


def test_wide_can_show_the_upper_ends_of_ranges(package):
    frame = api.wide("demographics", package, column="value_max")
    assert frame.loc[("KGZ", 2022), "labor_force"] == 2900000
    assert frame["labor_force"].notna().sum() == 1


def test_wide_keeps_indicators_without_values_as_empty_columns(package):
    frame = api.wide("infrastructure", package)
    assert list(frame.columns) == ["airports", "pipelines_km", "railways_km"]
    only_kgz = api.wide("forces", package).loc[["KAZ"]]
    assert only_kgz["tanks"].isna().all()


@pytest.mark.parametrize("table", ["countries", "population", "ethnic_groups"])
def test_wide_refuses_tables_without_indicators(package, table):
    with pytest.raises(KeyError, match="unknown indicator table"):
        api.wide(table, package)


def test_wide_reports_a_fraction_in_an_integer_indicator(tmp_path):
    root = support["make_package"](tmp_path / "package")
    path = root / "data/forces.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("KGZ,tanks,2023,215,", "KGZ,tanks,2023,215.5,"),
                    encoding="utf-8")
    with pytest.raises(api.PackageError, match="tanks is declared integer but KGZ 2023 has 215.5"):
        api.wide("forces", root)


# --- profile ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kgz(package):
    return api.profile("KGZ", package)


def test_profile_validates_against_its_schema(kgz):
    errors = [e.message for e in PROFILE_VALIDATOR.iter_errors(kgz)]
    assert errors == []


def test_profile_takes_each_indicators_latest_year(kgz):
    population = kgz["indicators"]["population"]
    assert (population["value"], population["year"], population["source_id"]) == (6172101, 2025, "fx-factbook")
    labor = kgz["indicators"]["labor_force"]
    assert (labor["value"], labor["value_max"], labor["year"]) == (2800000, 2900000, 2022)
    spending = kgz["indicators"]["military_expenditure_pct_gdp"]
    assert (spending["value"], spending["year"], spending["unit"]) == (1.6, 2024, "percent_of_gdp")
    assert list(kgz["indicators"]) == [
        "active_personnel", "airports", "labor_force", "military_expenditure_pct_gdp",
        "pipelines_km", "population", "railways_km", "tanks",
    ]


def test_profile_values_of_integer_indicators_are_json_integers(kgz):
    assert isinstance(kgz["indicators"]["tanks"]["value"], int)
    assert isinstance(kgz["indicators"]["railways_km"]["value"], float)


def test_profile_cites_exactly_the_sources_it_uses(kgz):
    assert set(kgz["sources"]) == {"fx-article", "fx-factbook", "fx-igo"}
    assert kgz["sources"]["fx-article"]["publisher"] == "Éditions d'exemple"
    assert kgz["sources"]["fx-igo"]["published"] is None
    assert kgz["sources"]["fx-factbook"]["published"] == "2026-01-22"


def test_profile_cites_sources_of_other_source_columns_too(package):
    kaz = api.profile("KAZ", package)  # only its CSTO membership's since_source_id cites the article
    assert "fx-article" in kaz["sources"]


def test_profile_borders_name_the_neighbours(kgz):
    assert [(b["neighbor"], b["name"], b["length_km"]) for b in kgz["borders"]] == [
        ("CHN", "China", 1063.0), ("KAZ", "Kazakhstan", 1212.0),
    ]


def test_profile_ethnic_groups_and_ages_are_of_the_latest_year(kgz):
    ethnic = kgz["ethnic_groups"]
    assert ethnic["year"] == 2021
    assert [g["group"] for g in ethnic["groups"]] == ["Kyrgyz", "Uzbek", "Russian", "other", "Dungan"]
    assert ethnic["groups"][3]["percent_max"] == 5.5
    ages = kgz["age_structure"]
    assert ages["year"] == 2024
    assert [(b["age_band"], b["percent"]) for b in ages["bands"]] == [("0-14", 31.4), ("15-64", 63.0), ("65+", 5.6)]


def test_profile_memberships_keep_ended_ones(kgz):
    by_key = {(m["organization"], m["status"]): m for m in kgz["memberships"]}
    assert by_key[("OTS", "observer")]["until"] == 2010
    assert by_key[("CSTO", "member")] == {
        "organization": "CSTO", "name": "Collective Security Treaty Organization", "status": "member",
        "since": 2002, "until": None, "note": None, "source_id": "fx-igo", "since_source_id": "fx-article",
    }


def test_a_country_without_data_has_empty_parts_and_still_validates(package):
    profile = api.profile("ATA", package)
    assert (profile["indicators"], profile["borders"], profile["memberships"]) == ({}, [], [])
    assert profile["ethnic_groups"] is None and profile["age_structure"] is None
    assert profile["country"]["landlocked"] is None
    assert list(PROFILE_VALIDATOR.iter_errors(profile)) == []


def test_profile_accepts_lower_case_codes(package, kgz):
    assert api.profile(" kgz ", package) == kgz


@pytest.mark.parametrize(("code", "message"), [
    pytest.param("KGX", r"unknown country code 'KGX'; did you mean KGZ \(Kyrgyzstan\)", id="typo"),
    pytest.param("Kyrgyzstan", r"'Kyrgyzstan': that is the name of KGZ; pass the code", id="name"),
    pytest.param("Curacao", r"did you mean CUW \(Curaçao\)", id="name-without-accent"),
    pytest.param("ZZZ", r"unknown country code 'ZZZ' \(codes are ISO 3166-1 alpha-3", id="nothing-close"),
])
def test_unknown_country_is_a_key_error_with_suggestions(package, code, message):
    with pytest.raises(KeyError, match=message):
        api.profile(code, package)


def test_profiles_cover_every_country_in_code_order(package):
    assert [p["country"]["iso3"] for p in api.profiles(package)] == ["ATA", "CHN", "CIV", "CUW", "KAZ", "KGZ"]


# --- the profile schema agrees with the Table Schemas -----------------------------------------


def test_profile_country_part_has_every_countries_field_nullable_unless_required():
    schema = REPO_SCHEMAS["countries"][1]
    part = PROFILE_SCHEMA["$defs"]["country"]["properties"]
    assert list(part) == [f["name"] for f in schema["fields"]]
    for field in schema["fields"]:
        types = part[field["name"]]["type"]
        nullable = isinstance(types, list) and "null" in types
        assert nullable == (not field.get("constraints", {}).get("required")), field["name"]


PROFILE_PARTS = [
    # (definition in profile.schema.json, table, fields the profile adds, fields it states elsewhere)
    pytest.param("indicator_value", "demographics", ["table", "unit"], ("country", "indicator"), id="indicators"),
    pytest.param("indicator_value", "forces", ["table", "unit"], ("country", "indicator"), id="forces"),
    pytest.param("indicator_value", "infrastructure", ["table", "unit"], ("country", "indicator"), id="infrastructure"),
    pytest.param("border", "borders", ["neighbor", "name"], ("country", "neighbor"), id="borders"),
    pytest.param("ethnic_group", "ethnic_groups", [], ("country", "year"), id="ethnic_groups"),
    pytest.param("age_band", "age_structure", [], ("country", "year"), id="age_structure"),
    pytest.param("membership", "memberships", ["organization", "name"], ("country", "organization"), id="memberships"),
]


@pytest.mark.parametrize(("definition", "table", "added", "stated"), PROFILE_PARTS)
def test_profile_schema_parts_have_every_field_of_their_table(definition, table, added, stated):
    fields = [f["name"] for f in REPO_SCHEMAS[table][1]["fields"] if f["name"] not in stated]
    assert list(PROFILE_SCHEMA["$defs"][definition]["properties"]) == added + fields


@pytest.mark.parametrize(("table", "field", "where"), [
    ("countries", "region", ("country", "region")),
    ("age_structure", "age_band", ("age_band", "age_band")),
    ("memberships", "status", ("membership", "status")),
])
def test_profile_schema_enums_match_the_table_schemas(table, field, where):
    declared = next(f for f in REPO_SCHEMAS[table][1]["fields"] if f["name"] == field)["constraints"]["enum"]
    definition, name = where
    assert PROFILE_SCHEMA["$defs"][definition]["properties"][name]["enum"] == declared


# --- show -------------------------------------------------------------------------------------


def test_show_prints_latest_figures_borders_groups_ages_and_memberships(package, capsys):
    assert main(["show", "KGZ", "--package", str(package)]) == 0
    text = capsys.readouterr().out
    for expected in [
        "Kyrgyzstan (KGZ, KG)",
        "population             6,172,101  (2025, fx-factbook)",
        "labor_force  2,800,000-2,900,000  (2022, fx-factbook)",
        "1.6 % of GDP  (2024, fx-factbook)",
        "China (CHN): 1,063 km",
        "Ethnic groups (2021)",
        "other        5-5.5 %",
        "Age structure (2024)",
        "CSTO (Collective Security Treaty Organization): member since 2002",
        "OTS (Organization of Turkic States): observer 2009-2010",
        "fx-article: Figures quoted in a news article, fixture (Éditions d'exemple, 2023-10-04)",
    ]:
        assert expected in text
    assert "2016" not in text  # older years are not shown


def test_show_json_is_the_profile(package, kgz, capsys):
    assert main(["show", "kgz", "--json", "--package", str(package)]) == 0
    assert json.loads(capsys.readouterr().out) == kgz


def test_show_unknown_code_exits_1_with_a_suggestion_and_no_traceback(package, capsys):
    assert main(["show", "KGX", "--package", str(package)]) == 1
    err = capsys.readouterr().err
    assert "country-profiles show: unknown country code 'KGX'; did you mean KGZ (Kyrgyzstan)?" in err
    assert "Traceback" not in err


# --- installation -----------------------------------------------------------------------------


def test_importing_the_package_does_not_import_pandas():
    code = "import sys, country_profiles; assert 'pandas' not in sys.modules, 'pandas imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api_is_reexported():
    assert (country_profiles.load, country_profiles.profile, country_profiles.wide) == (api.load, api.profile, api.wide)
    assert country_profiles.load_package is api.load_package


def test_default_package_prefers_the_clone_then_the_wheels_copy(tmp_path, monkeypatch):
    clone, packaged = tmp_path / "clone", tmp_path / "packaged"
    for root in (clone, packaged):
        root.mkdir()
        (root / "datapackage.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(paths, "REPO_ROOT", clone)
    monkeypatch.setattr(paths, "PACKAGED_ROOT", packaged)
    assert paths.default_package() == clone / "datapackage.json"
    (clone / "datapackage.json").unlink()
    assert paths.default_package() == packaged / "datapackage.json"


def test_in_this_clone_the_default_package_is_the_repository():
    assert paths.default_package() == REPO / "datapackage.json"


# --- the real package, once imported ---------------------------------------------------------


def test_real_package_loads_and_every_profile_validates():
    frames = api.load_package()
    assert len(frames["countries"]) > 200
    everything = api.profiles()
    assert len(everything) == len(frames["countries"])
    errors = [(p["country"]["iso3"], e.message) for p in everything for e in PROFILE_VALIDATOR.iter_errors(p)]
    assert errors == []
    for table in api.INDICATOR_TABLES:
        assert api.wide(table).shape[0] > 0
