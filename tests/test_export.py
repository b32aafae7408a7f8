"""`country-profiles export`: every format read back and compared with the CSVs, JSON checked by its schema."""

import importlib.util
import json
import runpy
import sqlite3
import sys
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import referencing

from country_profiles import api, export
from country_profiles.cli import main

support = runpy.run_path(str(Path(__file__).parent / "fixtures" / "downstream" / "support.py"))
REPO = Path(__file__).resolve().parents[1]
PROFILE_SCHEMA = json.loads((REPO / "schemas/profile.schema.json").read_text(encoding="utf-8"))
INDICATOR_TABLES = ("demographics", "forces", "infrastructure")


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return support["make_package"](tmp_path_factory.mktemp("downstream") / "package")


@pytest.fixture(scope="module")
def tables(package):
    """table -> rows straight from the CSV (the reference)."""
    return {name: support["csv_values"](package, name) for name in support["schemas"](package)}


# --- JSON -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def json_out(package, tmp_path_factory):
    out = tmp_path_factory.mktemp("json") / "out"
    assert main(["export", "--format", "json", str(out), "--package", str(package)]) == 0
    return out


def test_json_writes_one_profile_per_country_and_one_with_all(json_out, tables):
    codes = sorted(r["iso3"] for r in tables["countries"])
    assert sorted(p.stem for p in (json_out / "profiles").iterdir()) == codes
    everything = json.loads((json_out / "profiles.json").read_text(encoding="utf-8"))
    assert [p["country"]["iso3"] for p in everything] == codes
    for profile in everything:
        single = json.loads((json_out / "profiles" / f"{profile['country']['iso3']}.json").read_text(encoding="utf-8"))
        assert single == profile


def test_every_json_profile_is_valid_against_the_schema(json_out):
    validator = jsonschema.Draft202012Validator(PROFILE_SCHEMA, format_checker=jsonschema.FormatChecker())
    checked = 0
    for path in sorted((json_out / "profiles").glob("*.json")):
        errors = [f"{path.name}: {e.json_path}: {e.message}" for e in validator.iter_errors(json.loads(path.read_text("utf-8")))]
        assert errors == []
        checked += 1
    assert checked == 6


def test_the_all_profiles_file_is_valid_as_the_schemas_collection(json_out):
    registry = referencing.Registry().with_resource(
        PROFILE_SCHEMA["$id"], referencing.Resource.from_contents(PROFILE_SCHEMA)
    )
    collection = {"$ref": PROFILE_SCHEMA["$id"] + "#/$defs/collection"}
    validator = jsonschema.Draft202012Validator(collection, registry=registry)
    everything = json.loads((json_out / "profiles.json").read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(everything)] == []
    assert not validator.is_valid([{"country": {}}])  # the collection schema does check items


def test_the_schema_rejects_a_profile_missing_a_part(json_out):
    validator = jsonschema.Draft202012Validator(PROFILE_SCHEMA)
    profile = json.loads((json_out / "profiles/KGZ.json").read_text(encoding="utf-8"))
    del profile["borders"]
    profile["indicators"]["tanks"]["value"] = "215"
    messages = sorted(e.message for e in validator.iter_errors(profile))
    assert messages == ["'215' is not of type 'number'", "'borders' is a required property"]


def _latest(rows):
    return max(rows, key=lambda r: r["year"])


def assert_profile_matches_csvs(profile, tables):
    """Rebuilt from the CSVs with plain Python: every part of the profile equals what the CSVs say."""
    indicator_units = {r["id"]: r["unit"] for r in tables["indicators"]}
    names = {r["iso3"]: r["name"] for r in tables["countries"]}
    code = profile["country"]["iso3"]
    assert profile["country"] == next(r for r in tables["countries"] if r["iso3"] == code)

    expected_indicators = {}
    for table in INDICATOR_TABLES:
        by_indicator = {}
        for row in tables[table]:
            if row["country"] == code:
                by_indicator.setdefault(row["indicator"], []).append(row)
        for indicator, rows in by_indicator.items():
            row = _latest(rows)
            rest = {k: v for k, v in row.items() if k not in ("country", "indicator")}
            expected_indicators[indicator] = {"table": table, "unit": indicator_units[indicator], **rest}
    assert profile["indicators"] == expected_indicators  # ints compare equal to the CSV floats

    borders = [{k: v for k, v in r.items() if k != "country"} for r in tables["borders"] if r["country"] == code]
    assert [{k: v for k, v in b.items() if k != "name"} for b in profile["borders"]] == borders
    assert [b["name"] for b in profile["borders"]] == [names[b["neighbor"]] for b in borders]

    for table, items in (("ethnic_groups", "groups"), ("age_structure", "bands")):
        rows = [r for r in tables[table] if r["country"] == code]
        if not rows:
            assert profile[table] is None
            continue
        year = _latest(rows)["year"]
        expected = [{k: v for k, v in r.items() if k not in ("country", "year")} for r in rows if r["year"] == year]
        assert profile[table]["year"] == year
        assert sorted(map(json.dumps, profile[table][items])) == sorted(map(json.dumps, expected))

    memberships = [{k: v for k, v in r.items() if k != "country"} for r in tables["memberships"] if r["country"] == code]
    assert [{k: v for k, v in m.items() if k != "name"} for m in profile["memberships"]] == memberships

    parts = [[profile["country"]], profile["indicators"].values(), profile["borders"], profile["memberships"],
             (profile["ethnic_groups"] or {}).get("groups", []), (profile["age_structure"] or {}).get("bands", [])]
    cited = {v for part in parts for item in part for k, v in item.items() if k.endswith("source_id") and v}
    sources = {r["id"]: r for r in tables["sources"]}
    assert profile["sources"] == {
        s: {k: sources[s][k] for k in ("title", "publisher", "url", "published", "license")} for s in sorted(cited)
    }


def test_json_profiles_hold_the_csv_values_of_the_latest_rows(json_out, tables):
    for country in tables["countries"]:
        profile = json.loads((json_out / "profiles" / f"{country['iso3']}.json").read_text(encoding="utf-8"))
        assert_profile_matches_csvs(profile, tables)


def test_json_keeps_unicode_as_text(json_out):
    text = (json_out / "profiles/CIV.json").read_text(encoding="utf-8")
    assert '"name": "Côte d\'Ivoire"' in text


def test_json_export_replaces_stale_profiles_and_keeps_other_files(package, tmp_path):
    out = tmp_path / "out"
    (out / "profiles").mkdir(parents=True)
    (out / "profiles/XXX.json").write_text("{}", encoding="utf-8")
    (out / "profiles/README.txt").write_text("mine", encoding="utf-8")
    export.export("json", out, package)
    assert not (out / "profiles/XXX.json").exists()
    assert (out / "profiles/README.txt").read_text(encoding="utf-8") == "mine"


# --- SQLite -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def database(package, tmp_path_factory):
    out = tmp_path_factory.mktemp("sqlite") / "out"
    assert main(["export", "--format", "sqlite", str(out), "--package", str(package)]) == 0
    connection = sqlite3.connect(out / export.SQLITE_NAME)
    yield connection
    connection.close()


def test_sqlite_has_one_table_per_resource(database, tables):
    names = {r[0] for r in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names == set(tables)


def assert_sqlite_table_matches_csv(database, tables, table):
    schema = support["schemas"](REPO)[table][1]
    columns = [f["name"] for f in schema["fields"]]
    booleans = {f["name"] for f in schema["fields"] if f["type"] == "boolean"}
    cursor = database.execute(f"SELECT {', '.join(export.quote(c) for c in columns)} FROM {export.quote(table)} ORDER BY rowid")
    actual = [dict(zip(columns, row)) for row in cursor]
    expected = [{k: (int(v) if k in booleans and v is not None else v) for k, v in row.items()} for row in tables[table]]
    assert actual == expected
    for row in actual:  # NUMERIC columns give whole numbers as ints, fractions as floats; INTEGER ones ints
        for field in schema["fields"]:
            value = row[field["name"]]
            if value is not None and field["type"] == "number":
                assert isinstance(value, int) if float(value).is_integer() else isinstance(value, float)
            if value is not None and field["type"] == "integer":
                assert isinstance(value, int)


@pytest.mark.parametrize("table", list(support["schemas"](REPO)))
def test_sqlite_tables_hold_exactly_the_csv_rows(database, tables, table):
    assert_sqlite_table_matches_csv(database, tables, table)


@pytest.mark.parametrize("table", list(support["schemas"](REPO)))
def test_sqlite_declares_the_primary_and_foreign_keys(database, table):
    schema = support["schemas"](REPO)[table][1]
    info = database.execute(f"PRAGMA table_info({export.quote(table)})").fetchall()
    key = sorted((pk, name) for _, name, _, _, _, pk in info if pk)
    assert [name for _, name in key] == api.primary_key(schema)
    declared = sorted(
        (tuple(fields), referenced, tuple(ref_fields)) for fields, referenced, ref_fields in api.foreign_keys(schema, table)
    )
    rows = database.execute(f"PRAGMA foreign_key_list({export.quote(table)})").fetchall()
    found = sorted((( r[3],), r[2], (r[4],)) for r in rows)  # (id, seq, table, from, to, ...)
    assert found == declared


def test_sqlite_foreign_keys_all_resolve(database):
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []


def test_sqlite_enforces_required_fields_and_enums(database):
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
        database.execute("INSERT INTO countries (iso3) VALUES ('XYZ')")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        database.execute(
            "INSERT INTO age_structure VALUES ('KGZ', 2030, '80+', 1.0, NULL, 'fx-factbook')"
        )
    database.rollback()


def test_sqlite_keeps_descriptions_in_the_table_definitions(database):
    sql = database.execute("SELECT sql FROM sqlite_master WHERE name = 'borders'").fetchone()[0]
    assert "-- Length of the land boundary between the two" in sql


def test_sqlite_keyword_columns_are_quoted_and_queryable(database):
    rows = database.execute(
        'SELECT "group", percent FROM ethnic_groups WHERE country = ? AND year = 2021 ORDER BY percent DESC', ("KGZ",)
    ).fetchall()
    assert rows[0] == ("Kyrgyz", 73.8)


def test_sqlite_export_fails_on_a_broken_foreign_key_and_leaves_no_file(package, tmp_path, capsys):
    root = support["make_package"](tmp_path / "package")
    path = root / "data/borders.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("KGZ,KAZ,1212", "KGZ,UZB,1212"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["export", "--format", "sqlite", str(out), "--package", str(root)]) == 1
    err = capsys.readouterr().err
    assert "data/borders.csv line 7: refers to a row missing from countries" in err
    assert files_under(out) == set()


def test_sqlite_export_replaces_an_earlier_export(package, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / export.SQLITE_NAME).write_text("not a database", encoding="utf-8")
    export.export("sqlite", out, package)
    with sqlite3.connect(out / export.SQLITE_NAME) as connection:
        assert connection.execute("SELECT count(*) FROM countries").fetchone() == (6,)


def test_creation_order_puts_referenced_tables_first():
    schemas = {name: schema for name, (_, schema) in support["schemas"](REPO).items()}
    order = export.creation_order(schemas)
    assert sorted(order) == sorted(schemas)
    for name in order:
        for _, referenced, _ in api.foreign_keys(schemas[name], name):
            assert order.index(referenced) <= order.index(name), (name, referenced)


# --- Parquet ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parquet_out(package, tmp_path_factory):
    out = tmp_path_factory.mktemp("parquet") / "out"
    assert main(["export", "--format", "parquet", str(out), "--package", str(package)]) == 0
    return out


def assert_parquet_table_matches_csv(parquet_out, package, tables, table):
    frame = pd.read_parquet(parquet_out / "parquet" / f"{table}.parquet")
    loaded = api.load(table, package).reset_index()
    assert list(frame.columns) == list(loaded.columns)
    for column in frame.columns:
        if str(loaded[column].dtype).startswith("datetime64"):  # stored as date32: read as datetime.date
            continue
        assert str(frame[column].dtype) == str(loaded[column].dtype), column
        if str(frame[column].dtype) == "category":
            assert list(frame[column].cat.categories) == list(loaded[column].cat.categories), column
    actual = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in api._rows(frame)]
    assert actual == tables[table]


@pytest.mark.parametrize("table", list(support["schemas"](REPO)))
def test_parquet_round_trips_values_and_dtypes(parquet_out, package, tables, table):
    assert_parquet_table_matches_csv(parquet_out, package, tables, table)


def test_parquet_stores_dates_as_dates_and_descriptions_as_metadata(parquet_out):
    import pyarrow.parquet as pq

    schema = pq.read_schema(parquet_out / "parquet/sources.parquet")
    assert str(schema.field("published").type) == "date32[day]"
    assert schema.field("title").metadata[b"description"] == b"Title of the work"
    assert json.loads(schema.metadata[b"country_profiles"])["primary_key"] == ["id"]
    assert pq.read_schema(parquet_out / "parquet/borders.parquet").field("length_km").metadata[b"unit"] == b"km"


def test_parquet_without_pyarrow_says_what_to_install(package, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` fail
    assert main(["export", "--format", "parquet", str(tmp_path / "out"), "--package", str(package)]) == 1
    assert "pip install 'country-profiles[parquet]'" in capsys.readouterr().err


# --- all formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_export_writes_only_under_out_and_leaves_no_temporary_files(package, tmp_path, fmt):
    before_package = {p: p.read_bytes() for p in files_under(package)}
    out = tmp_path / "nested" / "out"
    written = export.export(fmt, out, package)
    assert written and all(p.is_relative_to(out) and p.is_file() for p in written)
    assert files_under(tmp_path) == set(written)
    assert not [p for p in files_under(out) if p.name.startswith(".")]
    assert {p: p.read_bytes() for p in files_under(package)} == before_package


def test_export_of_a_package_with_a_bad_cell_exits_1_naming_the_line(tmp_path, capsys):
    root = support["make_package"](tmp_path / "package")
    path = root / "data/demographics.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("KGZ,population,2025,6172101", "KGZ,population,2025,6.1m"),
                    encoding="utf-8")
    assert main(["export", "--format", "json", str(tmp_path / "out"), "--package", str(root)]) == 1
    err = capsys.readouterr().err
    assert "data/demographics.csv line 10, column value: '6.1m' is not a number" in err
    assert "Traceback" not in err


def test_export_needs_a_format(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["export", str(tmp_path)])
    assert caught.value.code == 2
    assert "--format" in capsys.readouterr().err


# --- the real package, once imported ---------------------------------------------------------



@pytest.mark.slow
def test_real_package_exports_round_trip(tmp_path):
    tables = {name: support["csv_values"](REPO, name) for name in support["schemas"](REPO)}
    out = tmp_path / "out"
    formats = ["json", "sqlite"] + (["parquet"] if importlib.util.find_spec("pyarrow") else [])
    for fmt in formats:
        export.export(fmt, out, REPO)
    validator = jsonschema.Draft202012Validator(PROFILE_SCHEMA, format_checker=jsonschema.FormatChecker())
    profiles = json.loads((out / "profiles.json").read_text(encoding="utf-8"))
    assert len(profiles) == len(tables["countries"])
    for profile in profiles:
        assert [e.message for e in validator.iter_errors(profile)] == [], profile["country"]["iso3"]
        assert_profile_matches_csvs(profile, tables)
    with sqlite3.connect(out / export.SQLITE_NAME) as database:
        assert database.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in tables:
            assert_sqlite_table_matches_csv(database, tables, table)
    if "parquet" in formats:
        for table in tables:
            assert_parquet_table_matches_csv(out, REPO, tables, table)


def test_sqlite_stores_whole_numbers_as_integers_and_fractions_as_reals(tmp_path):
    import sqlite3

    from country_profiles.export import export_sqlite

    (database,) = export_sqlite(tmp_path)
    with sqlite3.connect(database) as db:
        population = db.execute("SELECT typeof(value), value FROM demographics WHERE indicator = 'population' "
                                "AND country = 'KGZ' ORDER BY year DESC LIMIT 1").fetchone()
        share = db.execute("SELECT typeof(percent) FROM age_structure WHERE percent <> CAST(percent AS INTEGER) LIMIT 1").fetchone()
        declared = {row[1]: row[2] for row in db.execute("PRAGMA table_info(demographics)")}
    assert population[0] == "integer" and isinstance(population[1], int)
    assert share == ("real",)
    assert declared["year"] == "INTEGER" and declared["value"] == "NUMERIC"
