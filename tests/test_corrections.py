"""Curated corrections: the real file against its JSON Schema and sources, and every kind of change."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest

from country_profiles.importer.corrections import (
    CorrectionError,
    apply_corrections,
    load_corrections,
    validation_errors,
)
from country_profiles.importer.memberships import extract_memberships

REPO = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO / "schemas" / "corrections.schema.json"
CORRECTIONS = REPO / "corrections" / "memberships.json"
SOURCES_CSV = REPO / "data" / "sources.csv"
FIXTURES = REPO / "tests" / "fixtures" / "memberships"


def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# --- the real corrections file --------------------------------------------------------------------


def test_real_corrections_match_the_schema():
    document = json.loads(CORRECTIONS.read_text(encoding="utf-8"))
    assert validation_errors(document, schema()) == []
    assert len(document["corrections"]) >= 20  # something was checked


def test_real_corrections_cite_known_sources_with_a_url():
    records = load_corrections(CORRECTIONS, SCHEMA_PATH, SOURCES_CSV)
    with SOURCES_CSV.open(encoding="utf-8", newline="") as handle:
        sources = {row["id"]: row for row in csv.DictReader(handle)}
    cited = {record["source_id"] for record in records}
    assert cited <= set(sources)
    assert all(sources[source_id]["url"] for source_id in cited), "every correction source has a url"


def test_real_corrections_file_is_canonically_formatted():
    text = CORRECTIONS.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_sources_table_stays_sorted_by_id():
    with SOURCES_CSV.open(encoding="utf-8", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


# --- the schema rejects malformed records -------------------------------------------------------------

GOOD = {
    "id": "gbr-eu-until-2020", "change": "set_until", "country": "GBR", "organization": "EU",
    "status": "member", "until": 2020, "reason": "left the EU in 2020", "source_id": "some-source",
}


def with_changes(**changes):
    record = {**GOOD, **changes}
    return {"corrections": [{k: v for k, v in record.items() if v is not None}]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(with_changes(reason=None), "'reason' is a required property", id="no-reason"),
        pytest.param(with_changes(source_id=None), "'source_id' is a required property", id="no-source"),
        pytest.param(with_changes(change="rename"), "'rename' is not one of", id="unknown-change"),
        pytest.param(with_changes(until=None), "'until' is a required property", id="set-until-without-until"),
        pytest.param(with_changes(country="gb"), "does not match", id="country-not-iso3"),
        pytest.param(with_changes(status="member state"), "is not one of", id="status-outside-vocabulary"),
        pytest.param(with_changes(until=1700), "less than the minimum", id="year-too-early"),
        pytest.param(with_changes(since=2000), "False schema does not allow 2000", id="since-on-set-until"),
        pytest.param(with_changes(id="GBR EU"), "does not match", id="id-not-a-slug"),
        pytest.param(with_changes(colour="red"), "Additional properties are not allowed", id="unknown-field"),
        pytest.param(
            with_changes(change="add_organization", name="X", kind="intergovernmental", until=None),
            "False schema does not allow 'GBR'", id="organization-change-with-country",
        ),
        pytest.param(with_changes(change="set_status"), "'new_status' is a required property", id="set-status-without-new"),
        pytest.param({"corrections": []}, "should be non-empty", id="empty-file"),
    ],
)
def test_schema_rejects(document, message):
    errors = validation_errors(document, schema())
    assert any(message in error for error in errors), errors


def test_schema_errors_name_the_correction():
    errors = validation_errors(with_changes(until=None), schema())
    assert errors == ["corrections/0 (correction gbr-eu-until-2020): 'until' is a required property"]


# --- loading ----------------------------------------------------------------------------------------


def fixture_countries() -> dict[str, str]:
    with (FIXTURES / "sources" / "country-codes-gec" / "Countrycodes.csv").open(encoding="utf-8", newline="") as handle:
        return {row["FIPS_GEC"]: row["ISO_3166_3"] for row in csv.DictReader(handle) if row["FIPS_GEC"]}


def write(tmp_path: Path, document) -> Path:
    path = tmp_path / "corrections.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def test_invalid_json_names_file_and_line(tmp_path):
    path = write(tmp_path, '{"corrections": [\n  {"id": "x",}\n]}')
    with pytest.raises(CorrectionError, match=r"corrections\.json:2:\d+: not valid JSON"):
        load_corrections(path, SCHEMA_PATH)


def test_duplicate_ids_are_refused(tmp_path):
    document = {"corrections": [GOOD, GOOD]}
    with pytest.raises(CorrectionError, match="correction ids used twice: gbr-eu-until-2020"):
        load_corrections(write(tmp_path, document), SCHEMA_PATH)


def test_unknown_source_is_refused(tmp_path):
    with pytest.raises(CorrectionError, match="gbr-eu-until-2020 cites 'some-source'"):
        load_corrections(write(tmp_path, {"corrections": [GOOD]}), SCHEMA_PATH, SOURCES_CSV)


# --- applying, one kind of change at a time ----------------------------------------------------------


def organization(id_, **extra):
    return {"id": id_, "name": id_ + " name", "founded": None, "dissolved": None, "kind": "intergovernmental",
            "note": None, "source_id": "country-codes-gec", **extra}


def membership(country, org, status, **extra):
    return {"country": country, "organization": org, "status": status, "since": None, "until": None,
            "note": None, "source_id": "factbook-2026-01-22", **extra}


ORGS = [organization("EU"), organization("SCO")]
ROWS = [membership("GBR", "EU", "member", since=1993, note="since from COW IGO v3 (cow-igo-v3)"),
        membership("BLR", "SCO", "dialogue_partner", note="Factbook: dialogue member")]


def record(id_, change, **fields):
    return {"id": id_, "change": change, "reason": "a reason of ten letters", "source_id": "src", **fields}


def apply(*records):
    orgs, rows = copy.deepcopy(ORGS), copy.deepcopy(ROWS)
    result = apply_corrections(orgs, rows, list(records))
    assert (orgs, rows) == (ORGS, ROWS), "inputs unchanged"
    return result


def memberships_of(result):
    return {(m["country"], m["organization"], m["status"]): m for m in result.memberships}


def test_add():
    result = apply(record("ind-sco", "add", country="IND", organization="SCO", status="member", since=2017))
    row = memberships_of(result)["IND", "SCO", "member"]
    assert row == {**membership("IND", "SCO", "member", since=2017, note="correction ind-sco", source_id="src"),
                   "since_source_id": "src"}
    assert result.applied == ["ind-sco"]


def test_remove():
    result = apply(record("gbr-out", "remove", country="GBR", organization="EU", status="member"))
    assert ("GBR", "EU", "member") not in memberships_of(result)


def test_set_status():
    result = apply(record("blr", "set_status", country="BLR", organization="SCO", status="dialogue_partner",
                          new_status="member", since=2024))
    row = memberships_of(result)["BLR", "SCO", "member"]
    assert (row["since"], row["source_id"], row["since_source_id"]) == (2024, "src", "src")
    assert row["note"] == ("Factbook: dialogue member; status dialogue_partner -> member from src; "
                           "since from src; correction blr")
    assert ("BLR", "SCO", "dialogue_partner") not in memberships_of(result)


def test_set_since_replaces_the_origin_of_since():
    result = apply(record("gbr-since", "set_since", country="GBR", organization="EU", status="member", since=1973))
    row = memberships_of(result)["GBR", "EU", "member"]
    assert row["since"] == 1973
    assert row["note"] == "status from factbook-2026-01-22; since from src; correction gbr-since"


def test_set_until_then_set_since_name_each_source_once():
    result = apply(
        record("gbr-until", "set_until", country="GBR", organization="EU", status="member", until=2020),
        {**record("gbr-since", "set_since", country="GBR", organization="EU", status="member", since=1973),
         "source_id": "other"},
    )
    row = memberships_of(result)["GBR", "EU", "member"]
    assert (row["since"], row["until"], row["source_id"]) == (1973, 2020, "other")
    assert row["note"] == ("status from factbook-2026-01-22; until from src; correction gbr-until; "
                           "since from other; correction gbr-since")


def test_set_note_keeps_the_row_source():
    result = apply(record("gbr-note", "set_note", country="GBR", organization="EU", status="member", note="a remark"))
    row = memberships_of(result)["GBR", "EU", "member"]
    assert row["source_id"] == "factbook-2026-01-22"
    assert row["note"] == "since from COW IGO v3 (cow-igo-v3); a remark; correction gbr-note (src)"


def test_add_organization():
    result = apply(record("ots", "add_organization", organization="OTS", name="Organization of Turkic States",
                          kind="intergovernmental", founded=2009))
    row = {o["id"]: o for o in result.organizations}["OTS"]
    assert row == {"id": "OTS", "name": "Organization of Turkic States", "founded": 2009, "dissolved": None,
                   "kind": "intergovernmental", "note": "correction ots", "source_id": "src",
                   "founded_source_id": "src"}


def test_set_organization():
    result = apply(
        record("sco-founded", "set_organization", organization="SCO", founded=2001),
        record("eu-name", "set_organization", organization="EU", name="European Union"),
    )
    rows = {o["id"]: o for o in result.organizations}
    assert (rows["SCO"]["founded"], rows["SCO"]["source_id"]) == (2001, "country-codes-gec")
    assert rows["SCO"]["founded_source_id"] == "src"
    assert rows["SCO"]["note"] == "founded from src; correction sco-founded"
    assert (rows["EU"]["name"], rows["EU"]["source_id"]) == ("European Union", "src")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        pytest.param(record("nope", "set_until", country="FRA", organization="EU", status="member", until=2020),
                     "correction nope: matches no membership row FRA EU member", id="no-row"),
        pytest.param(record("nope", "remove", country="GBR", organization="EU", status="observer"),
                     "correction nope: matches no membership row GBR EU observer", id="status-differs"),
        pytest.param(record("nope", "set_organization", organization="NATO", founded=1949),
                     "correction nope: matches no organization NATO", id="no-organization"),
        pytest.param(record("nope", "add", country="KGZ", organization="OTS", status="member"),
                     "correction nope: organization OTS is not in the table", id="add-to-unknown-organization"),
        pytest.param(record("nope", "add", country="GBR", organization="EU", status="member"),
                     "correction nope: membership GBR EU member already exists", id="add-duplicate"),
        pytest.param(record("nope", "add_organization", organization="EU", name="EU", kind="intergovernmental"),
                     "correction nope: organization EU already exists", id="add-organization-duplicate"),
        pytest.param(record("nope", "set_until", country="GBR", organization="EU", status="member", until=1990),
                     "correction nope: since 1993 is after until 1990", id="until-before-since"),
    ],
)
def test_a_correction_that_cannot_apply_fails_with_its_id(bad, message):
    with pytest.raises(CorrectionError, match=message):
        apply(bad)


def test_a_correction_matching_no_row_fails_the_import(tmp_path):
    document = json.loads((FIXTURES / "corrections.json").read_text(encoding="utf-8"))
    document["corrections"].append(
        record("fra-eu-until", "set_until", country="FRA", organization="EU", status="member", until=2030)
        | {"source_id": "fixture-treaty"}
    )
    path = write(tmp_path, document)
    with pytest.raises(CorrectionError, match="correction fra-eu-until: matches no membership row FRA EU member"):
        extract_memberships(FIXTURES / "sources", fixture_countries(), path,
                            schema_path=SCHEMA_PATH, sources_csv=FIXTURES / "sources.csv")
