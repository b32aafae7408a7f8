"""The import as a whole: curated records, contributed rows kept, reproducibility."""

import csv
import io
import subprocess
from pathlib import Path

import pytest

from country_profiles import tables
from country_profiles.importer import build
from country_profiles.provenance import ImportedSources

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
        (build.CURATED_BORDERS, schemas["borders"][1]),
        (build.EXCLUSIONS, tables.json_file(REPO / "schemas/exclusions.schema.json")),
        (build.CELL_CORRECTIONS, tables.json_file(REPO / "schemas/corrections-cells.schema.json")),
    ):
        rows = build._typed_rows(REPO, path, schema)
        assert rows, f"{path} is empty"
        assert {r["source_id"] for r in rows} <= sources, path
        assert list(tables.read_rows(REPO / path)[0]) == [f["name"] for f in schema["fields"]], path


def imported_rows_that_differ(committed: Path, rebuilt: Path) -> list[str]:
    """Rows citing an imported source that are in one package's data/ and not the other's, each
    named by file and line: the import must reproduce exactly those rows. Contributed rows (any
    other source) are not compared: the import keeps them as they are."""
    imported = ImportedSources.of(committed)
    differences = []
    for path in sorted((committed / "data").glob("*.csv")):
        def imported_lines(root: Path) -> dict[str, int]:
            text = (root / "data" / path.name).read_text(encoding="utf-8")
            records = list(csv.reader(io.StringIO(text, newline="")))
            header, lines = records[0], text.splitlines()
            if "source_id" not in header:  # hand-maintained: indicators, sources
                return {}
            at = header.index("source_id")
            return {line: number for number, (line, record) in enumerate(zip(lines[1:], records[1:]), start=2)
                    if record[at] in imported}
        ours, theirs = imported_lines(committed), imported_lines(rebuilt)
        differences += [f"data/{path.name}:{n}: not what the import gives: {line}" for line, n in ours.items() if line not in theirs]
        differences += [f"data/{path.name}: missing a row the import gives: {line}" for line in theirs if line not in ours]
    return differences


@pytest.mark.slow
@pytest.mark.skipif(not SOURCES.is_dir(), reason="the shared sources folder is not beside the repository")
def test_import_reproduces_the_imported_rows_of_the_committed_data(tmp_path):
    result = build.run(SOURCES, REPO, tmp_path)
    differences = imported_rows_that_differ(REPO, tmp_path)
    assert not differences, "rows citing an imported source must come from the import:\n" + "\n".join(differences[:20])
    assert (REPO / build.IMPORT_REPORT).read_text(encoding="utf-8") == (tmp_path / build.IMPORT_REPORT).read_text(encoding="utf-8")
    assert result.contributed["forces"] >= 8  # the article's figures
    assert not result.conflicts
    independent = [c for c in result.tables["countries"] if c["independent"]]
    assert len(independent) == 196


def test_the_reproducibility_check_names_an_edited_imported_row_and_ignores_a_contributed_one(tmp_path):
    committed, rebuilt = tmp_path / "committed", tmp_path / "rebuilt"
    for root in (committed, rebuilt):
        (root / "data").mkdir(parents=True)
        (root / "data/demographics.csv").write_text(
            "country,indicator,year,value,value_max,note,source_id\n"
            "KGZ,population,2025,6219751,,,factbook-2026-01-22\n", encoding="utf-8")
    with (committed / "data/demographics.csv").open("a", encoding="utf-8") as table:
        table.write("KGZ,population,2026,7200000,,,nsc-kgz-2026\n")
    assert imported_rows_that_differ(committed, rebuilt) == []
    (committed / "data/demographics.csv").write_text(
        "country,indicator,year,value,value_max,note,source_id\n"
        "KGZ,population,2025,7000000,,,factbook-2026-01-22\n", encoding="utf-8")
    assert imported_rows_that_differ(committed, rebuilt) == [
        "data/demographics.csv:2: not what the import gives: KGZ,population,2025,7000000,,,factbook-2026-01-22",
        "data/demographics.csv: missing a row the import gives: KGZ,population,2025,6219751,,,factbook-2026-01-22",
    ]


DEMOGRAPHICS = {
    "fields": [{"name": n, "type": t} for n, t in (("country", "string"), ("indicator", "string"), ("year", "integer"),
                                                  ("value", "number"), ("value_max", "number"), ("note", "string"),
                                                  ("source_id", "string"))],
    "primaryKey": ["country", "indicator", "year"],
}
HEADER = "country,indicator,year,value,value_max,note,source_id"


def demographics_row(year, value, source_id):
    return {"country": "KGZ", "indicator": "population", "year": year, "value": value, "value_max": None,
            "note": None, "source_id": source_id}


def test_contributed_rows_are_kept_and_a_conflict_is_reported_with_both_lines(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data/demographics.csv").write_text(
        f"{HEADER}\nKGZ,population,2025,6300000,,,nsc-kgz-2026\nKGZ,population,2026,7200000,,,nsc-kgz-2026\n"
        "KGZ,population,2024,1,,,factbook-2025-04-17\n", encoding="utf-8")
    built = {"demographics": [demographics_row(2024, 6172101, "factbook-2025-04-17"),
                              demographics_row(2025, 6219751, "factbook-2026-01-22")]}
    kept, conflicts = build._keep_contributed_rows(
        built, tmp_path, {"demographics": ("data/demographics.csv", DEMOGRAPHICS)}, ImportedSources())
    assert kept == {"demographics": 2}
    assert built["demographics"] == [demographics_row(2024, 6172101, "factbook-2025-04-17"),
                                     demographics_row(2025, 6300000, "nsc-kgz-2026"),
                                     demographics_row(2026, 7200000, "nsc-kgz-2026")]
    assert [(c.contributed, c.imported) for c in conflicts] == [
        ("data/demographics.csv:2: KGZ,population,2025,6300000,,,nsc-kgz-2026",
         "KGZ,population,2025,6219751,,,factbook-2026-01-22")]


def test_rows_citing_a_membership_correction_source_belong_to_the_import():
    imported = ImportedSources.of(REPO)
    assert "factbook-2026-01-22" in imported and "cow-igo-v3" in imported
    assert "eur-lex-withdrawal-agreement" in imported  # cited by corrections/memberships.json
    assert "eastern-herald-2023" not in imported and "nsc-kgz-2026" not in imported


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


@pytest.mark.slow
@pytest.mark.skipif(not SOURCES.is_dir(), reason="the shared sources folder is not beside the repository")
def test_a_contributors_edit_to_demographics_survives_a_reimport_and_every_check(tmp_path):
    """Done when: a contributor adds a 2026 population citing a new source in a real git
    repository; the import keeps the row, and validate, fmt --check, diff and the
    reproducibility check accept it."""
    import shutil
    import sys

    from conftest import copy_package

    command = str(Path(sys.executable).with_name("country-profiles"))
    clone = copy_package(REPO, tmp_path / "clone")
    for folder in ("corrections", "curated", "docs"):
        shutil.copytree(REPO / folder, clone / folder)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=clone, check=True)
    subprocess.run([*git, "add", "-A"], cwd=clone, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "main"], cwd=clone, check=True)
    new_row = "KGZ,population,2026,7281800,,resident population at 1 January,nsc-kgz-2026"
    with (clone / "data/sources.csv").open("a", encoding="utf-8") as sources:
        sources.write("nsc-kgz-2026,Population of the Kyrgyz Republic at 1 January 2026,National Statistical Committee "
                      "of the Kyrgyz Republic,https://www.stat.gov.kg/en/,2026-02-15,2026-03-01,All rights reserved,\n")
    with (clone / "data/demographics.csv").open("a", encoding="utf-8") as demographics:
        demographics.write(new_row + "\n")

    def run(*args):
        return subprocess.run([command, *args], cwd=clone, capture_output=True, text=True, timeout=600)

    assert run("fmt", ".").returncode == 0
    edited = (clone / "data/demographics.csv").read_text(encoding="utf-8")
    assert new_row in edited

    result = build.run(SOURCES, clone)  # the re-import, in place
    assert (clone / "data/demographics.csv").read_text(encoding="utf-8") == edited  # the row is kept, nothing moved
    assert result.contributed["demographics"] == 1 and not result.conflicts

    assert run("fmt", "--check", ".").returncode == 0
    validated = run("validate", ".")
    assert validated.returncode == 0 and "\n0 errors" in "\n" + validated.stdout.splitlines()[-1], validated.stdout[-500:]
    diffed = run("diff", "main", "--no-validate")
    assert diffed.returncode == 0, diffed.stderr
    assert "value_without_its_source" not in diffed.stdout and "Flags: 0 flags" in diffed.stdout
    assert "demographics" in diffed.stdout and "KGZ/population/2026" in diffed.stdout.replace(" ", "")
    rebuilt = tmp_path / "rebuilt"
    build.run(SOURCES, clone, rebuilt)
    assert imported_rows_that_differ(clone, rebuilt) == []


def test_the_import_refuses_a_data_file_that_links_out_of_the_package_and_writes_nothing_there(tmp_path):
    from country_profiles import safe_io

    outside = tmp_path / "outside.csv"
    outside.write_text("untouched\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    (out / "data" / "countries.csv").symlink_to(outside)
    with pytest.raises(safe_io.PackagePathError, match="outside the package"):
        build._write_if_changed(out, "data/countries.csv", "iso3\nKGZ\n")
    assert outside.read_text(encoding="utf-8") == "untouched\n"


def test_the_import_writes_only_what_changed(tmp_path):
    build._write_if_changed(tmp_path, "data/countries.csv", "iso3\nKGZ\n")
    written = tmp_path / "data" / "countries.csv"
    assert written.read_text(encoding="utf-8") == "iso3\nKGZ\n"
    before = written.stat().st_mtime_ns, written.stat().st_ino
    build._write_if_changed(tmp_path, "data/countries.csv", "iso3\nKGZ\n")
    assert (written.stat().st_mtime_ns, written.stat().st_ino) == before  # unchanged: not rewritten
    build._write_if_changed(tmp_path, "data/countries.csv", "iso3\nKAZ\n")
    assert written.read_text(encoding="utf-8") == "iso3\nKAZ\n"


def test_a_curated_file_that_is_a_link_out_of_the_package_is_refused(tmp_path):
    from country_profiles import safe_io

    outside = tmp_path / "borders.csv"
    outside.write_text("country,neighbor,length_km,source_id\n", encoding="utf-8")
    root = tmp_path / "package"
    (root / "curated").mkdir(parents=True)
    (root / "curated" / "borders.csv").symlink_to(outside)
    schemas = tables.schemas_by_resource(REPO)
    with pytest.raises(safe_io.PackagePathError):
        build._typed_rows(root, build.CURATED_BORDERS, schemas["borders"][1])
