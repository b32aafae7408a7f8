"""The import as a whole: curated records, the rules' veto on curated figures, reproducibility."""

import filecmp
from pathlib import Path

import pytest

from country_profiles import tables
from country_profiles.importer import build

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO.parent / "shared" / "sources"
AGE_SCHEMA = {"fields": [{"name": n} for n in ("country", "year", "age_band")], "primaryKey": ["country", "year", "age_band"]}
BORDER_SCHEMA = {"fields": [{"name": n} for n in ("country", "neighbor")], "primaryKey": ["country", "neighbor"]}


def ages(*keys):
    return [{"country": c, "year": y, "age_band": b} for c, y, b in keys]


def test_an_exclusion_drops_every_row_its_key_prefix_names():
    built = {"age_structure": ages(("CXR", 2017, "0-14"), ("CXR", 2017, "65+"), ("CXR", 2021, "0-14"))}
    record = {"table": "age_structure", "key": "CXR|2017", "reason": "r", "source_id": "s"}
    done = build._exclude(built, [record], {"age_structure": ("data/age_structure.csv", AGE_SCHEMA)})
    assert built["age_structure"] == ages(("CXR", 2021, "0-14"))
    assert done == [(record, 2)]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        pytest.param({"table": "age_structure", "key": "CXR|2016"}, r"curated/exclusions.csv:2: age_structure has no row with key 'CXR\|2016'", id="matches-nothing"),
        pytest.param({"table": "nope", "key": "CXR"}, r"curated/exclusions.csv:2: no table 'nope'", id="unknown-table"),
    ],
)
def test_an_exclusion_that_matches_nothing_fails_the_import(record, message):
    built = {"age_structure": ages(("CXR", 2017, "0-14"))}
    with pytest.raises(build.ImportError_, match=message):
        build._exclude(built, [{**record, "reason": "r", "source_id": "s"}], {"age_structure": ("p", AGE_SCHEMA)})


def test_curated_rows_are_added_unless_the_source_now_has_them():
    rows = [{"country": "BRA", "neighbor": "FRA"}]
    added = [{"country": "FRA", "neighbor": "BRA"}]
    assert build._add_rows(rows, added, BORDER_SCHEMA, Path("curated/borders.csv")) == rows + added
    with pytest.raises(build.ImportError_, match=r"curated/borders.csv: the sources now give these rows themselves"):
        build._add_rows(rows + added, added, BORDER_SCHEMA, Path("curated/borders.csv"))


def test_every_curated_file_cites_known_sources_and_fits_its_schema():
    sources = {row["id"] for row in tables.read_rows(REPO / "data" / "sources.csv")}
    schemas = tables.schemas_by_resource(REPO)
    for path, schema in (
        (build.CURATED_FIGURES, tables.json_file(REPO / "schemas/figures.schema.json")),
        (build.CURATED_BORDERS, schemas["borders"][1]),
        (build.EXCLUSIONS, tables.json_file(REPO / "schemas/exclusions.schema.json")),
        (build.CELL_CORRECTIONS, tables.json_file(REPO / "schemas/corrections-cells.schema.json")),
    ):
        rows = build._typed_rows(REPO / path, schema)
        assert rows, f"{path} is empty"
        assert {r["source_id"] for r in rows} <= sources, path
        assert list(tables.read_rows(REPO / path)[0]) == [f["name"] for f in schema["fields"]], path


@pytest.mark.slow
@pytest.mark.skipif(not SOURCES.is_dir(), reason="the shared sources folder is not beside the repository")
def test_import_reproduces_the_committed_data_byte_for_byte(tmp_path):
    result = build.run(SOURCES, REPO, tmp_path)
    names = sorted(p.name for p in (REPO / "data").glob("*.csv"))
    match, mismatch, errors = filecmp.cmpfiles(REPO / "data", tmp_path / "data", names, shallow=False)
    assert not mismatch and not errors, f"import output differs from data/: {mismatch + errors}"
    assert filecmp.cmp(REPO / build.IMPORT_REPORT, tmp_path / build.IMPORT_REPORT, shallow=False)
    verdicts = {(v.figure["indicator"], v.accepted) for v in result.figures}
    assert ("armored_vehicles", False) in verdicts  # the article's 5,000,268 vehicles
    assert ("tanks", True) in verdicts
    independent = [c for c in result.tables["countries"] if c["independent"]]
    assert len(independent) == 196


def test_import_refuses_a_folder_without_the_sources(tmp_path, capsys):
    from country_profiles.cli import main

    assert main(["import", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    assert "no folder 'factbook'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


COUNTRY_SCHEMA = {"fields": [{"name": "iso3", "type": "string"}, {"name": "name", "type": "string"}], "primaryKey": ["iso3"]}


def correction(**fields):
    return {"table": "countries", "key": "DOM", "field": "name", "old": "The Dominican", "new": "Dominican Republic",
            "reason": "r", "source_id": "s", **fields}


def test_a_cell_correction_replaces_the_value_it_names():
    built = {"countries": [{"iso3": "DOM", "name": "The Dominican"}, {"iso3": "DMA", "name": "Dominica"}]}
    build._correct_cells(built, [correction()], {"countries": ("p", COUNTRY_SCHEMA)})
    assert built["countries"] == [{"iso3": "DOM", "name": "Dominican Republic"}, {"iso3": "DMA", "name": "Dominica"}]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        pytest.param(correction(old="Dominican Rep."), r"countries DOM name is now 'The Dominican', not 'Dominican Rep.'", id="stale-old-value"),
        pytest.param(correction(key="XXX"), r"countries has no row with key 'XXX'", id="no-row"),
        pytest.param(correction(field="capital"), r"countries has no column 'capital'", id="no-column"),
        pytest.param(correction(table="nope"), r"no table 'nope'", id="no-table"),
    ],
)
def test_a_cell_correction_that_no_longer_matches_fails_the_import(record, message):
    built = {"countries": [{"iso3": "DOM", "name": "The Dominican"}]}
    with pytest.raises(build.ImportError_, match=r"curated/corrections.csv:2: " + message):
        build._correct_cells(built, [record], {"countries": ("p", COUNTRY_SCHEMA)})
