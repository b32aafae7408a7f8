"""The memberships importer on hand-written fixtures (tests/fixtures/memberships) and, slow, on the real sources."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from country_profiles.importer.memberships import (
    MEMBERSHIP_COLUMNS,
    ORGANIZATION_COLUMNS,
    STATUS_BY_WORDING,
    CowOrganization,
    Entry,
    SourceError,
    cow_since,
    cow_state_iso3,
    extract_memberships,
    normalize_status,
    organization_rows,
    parse_participation,
    read_cow,
    split_participation,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "memberships"
SOURCES = FIXTURES / "sources"
REAL_SOURCES = REPO.parent / "shared" / "sources"


def fixture_countries(sources: Path = SOURCES) -> dict[str, str]:
    """GEC -> ISO3 from the code table, as the lead builds it for the package."""
    with (sources / "country-codes-gec" / "Countrycodes.csv").open(encoding="utf-8", newline="") as handle:
        return {row["FIPS_GEC"]: row["ISO_3166_3"] for row in csv.DictReader(handle) if row["FIPS_GEC"]}


@pytest.fixture(scope="module")
def extract():
    return extract_memberships(
        SOURCES,
        fixture_countries(),
        FIXTURES / "corrections.json",
        schema_path=REPO / "schemas" / "corrections.schema.json",
        sources_csv=FIXTURES / "sources.csv",
    )


def rows_by_key(extract):
    return {(m["country"], m["organization"], m["status"]): m for m in extract.memberships}


# --- status wording -------------------------------------------------------------------------------

# Every wording the Factbook 2026-01-22 uses, with the status decided for it (written out, not read
# from the table, so that a change of the table shows here).
WORDINGS = [
    ("", "member"),
    ("observer", "observer"),
    ("associate observer", "observer"),
    ("signatory", "observer"),
    ("NGOs", "member"),
    ("national committees", "member"),
    ("nonregional member", "member"),
    ("nonregional members", "member"),
    ("regional", "member"),
    ("compliant country", "member"),
    ("implementing country", "member"),
    ("permanent", "member"),
    ("temporary", "member"),
    ("Chinese Taipei", "member"),
    ("de facto member", "member"),
    ("associate", "associate"),
    ("associate member", "associate"),
    ("associated member", "associate"),
    ("correspondent", "associate"),
    ("subscriber", "associate"),
    ("participating member", "associate"),
    ("subbureau", "associate"),
    ("partner", "partner"),
    ("partners", "partner"),
    ("enhanced engagement", "partner"),
    ("cooperating state", "partner"),
    ("dialogue partner", "dialogue_partner"),
    ("dialogue member", "dialogue_partner"),
    ("sectoral dialogue partner", "dialogue_partner"),
    ("candidate", "candidate"),
    ("candidates", "candidate"),
    ("candidate country", "candidate"),
    ("accession candidate", "candidate"),
    ("pending member", "candidate"),
    ("suspended", "suspended"),
    ("temporarily suspended", "suspended"),
    ("excluded from formal participation since 1962", "suspended"),
]


@pytest.mark.parametrize(("wording", "status"), WORDINGS, ids=[w or "(none)" for w, _ in WORDINGS])
def test_status_wording_is_normalized(wording, status):
    assert normalize_status(wording) == status


def test_every_wording_of_the_table_is_tested():
    assert {w.lower() for w, _ in WORDINGS} == set(STATUS_BY_WORDING)


@pytest.mark.parametrize(
    ("wording", "status"),
    [
        pytest.param("associate member, has not ratified the charter", "associate", id="remark-after-comma"),
        pytest.param("  Dialogue   Partner ", "dialogue_partner", id="case-and-blanks"),
        pytest.param("2024", None, id="year-unknown"),
        pytest.param("honorary guest", None, id="unknown-wording"),
        pytest.param("honorary guest, since 2001", None, id="unknown-head-with-remark"),
    ],
)
def test_status_wording_edge_cases(wording, status):
    assert normalize_status(wording) == status


# --- parsing one list -------------------------------------------------------------------------------


def test_list_splits_at_commas_outside_parentheses_and_drops_entities():
    preamble, items = split_participation("CIS (associate member, has not ratified it), UN,&nbsp; UNESCO, <b>WHO</b>")
    assert preamble is None
    assert items == ["CIS (associate member, has not ratified it)", "UN", "UNESCO", "WHO"]


def test_preamble_before_a_colon_becomes_a_note():
    entries, problems = parse_participation("X is a member of the following but does not attend: UN, SCO (observer)")
    assert problems == []
    assert [(e.organization, e.status) for e in entries] == [("UN", "member"), ("SCO", "observer")]
    assert all("does not attend" in e.note for e in entries)


def test_unknown_wording_is_a_problem_not_a_row():
    entries, problems = parse_participation("UN, WTO (2024)")
    assert [e.organization for e in entries] == ["UN"]
    assert problems == [("WTO (2024)", "unknown status wording '2024'")]


def test_suspension_overrides_other_wordings_and_both_are_noted():
    entries, _ = parse_participation("EITI (compliant country) (suspended)")
    assert entries == [Entry("EITI", "suspended", "Factbook: compliant country; suspended")]


def test_aliases_merge_and_the_repeat_is_reported():
    entries, problems = parse_participation("EAEU (observer), EEU (observer), CABEI, BCIE")
    assert [(e.organization, e.status) for e in entries] == [("EAEU", "observer"), ("BCIE", "member")]
    assert [reason for _, reason in problems] == ["repeats 'EAEU (observer)'; kept once", "repeats 'CABEI'; kept once"]


def test_two_statuses_for_one_organization_are_kept_and_reported():
    entries, problems = parse_participation("OPCW, OPCW (signatory)")
    assert [(e.organization, e.status) for e in entries] == [("OPCW", "member"), ("OPCW", "observer")]
    assert problems == [("OPCW (signatory)", "also listed as 'OPCW'; both kept")]


def test_none_means_no_memberships():
    assert parse_participation("none") == ([], [])


# --- COW since years --------------------------------------------------------------------------------

E = ""  # state not in the system


def cow(values: dict[str, list], first: int = 2005) -> CowOrganization:
    series = {state: {first + i: str(v) for i, v in enumerate(column)} for state, column in values.items()}
    return CowOrganization(founded=first, dissolved=None, values=series)


STATES = {"alpha": "AAA", "newstate": "NEW", "wgermany": "OLD", "germany": "DEU"}


@pytest.mark.parametrize(
    ("column", "status", "values", "expected"),
    [
        pytest.param("alpha", "member", [1] * 10, 2005, id="member-since-organization-start"),
        pytest.param("alpha", "member", [0, 0, 0, 1, 1, 1, 1, 1, 1, 1], 2008, id="joined-after-none"),
        pytest.param("alpha", "member", [1, 1, 0, 0, 1, 1, 1, 1, 1, 1], 2005, id="coding-gap-bridged"),
        pytest.param("alpha", "member", [1, 0, 0, 0, 0, 1, 1, 1, 1, 1], 2010, id="withdrawal-latest-run-only"),
        pytest.param("newstate", "member", [E, E, 1, 1, 1, 1, 1, 1, 1, 1], 2007, id="state-enters-system"),
        pytest.param("alpha", "member", [1, 1, -9, -9, 1, 1, 1, 1, 1, 1], 2005, id="missing-gap-bridged"),
        pytest.param("alpha", "member", [0, 0, -9, -9, 1, 1, 1, 1, 1, 1], None, id="start-inside-missing-gap"),
        pytest.param("alpha", "member", [-9, -9, 1, 1, 1, 1, 1, 1, 1, 1], None, id="missing-from-start"),
        pytest.param("alpha", "observer", [0, 0, 0, 3, 3, 3, 3, 3, 3, 3], 2008, id="observer-code-3"),
        pytest.param("alpha", "associate", [2, 2, 1, 1, 2, 2, 2, 2, 2, 2], 2009, id="associate-code-2"),
        pytest.param("alpha", "member", [3, 3, 3, 3, 3, 3, 3, 3, 1, 1], 2013, id="observer-then-member"),
        pytest.param("alpha", "member", [1, 1, 1, 1, 1, 1, 1, 1, 1, 0], None, id="left-before-2014"),
        pytest.param("alpha", "observer", [1] * 10, None, id="status-differs"),
        pytest.param("alpha", "partner", [1] * 10, None, id="status-cow-does-not-code"),
    ],
)
def test_since_from_cow(column, status, values, expected):
    assert cow_since(cow({column: values}), STATES, STATES[column], status)[0] == expected


def test_a_bridged_coding_gap_is_named_in_the_note():
    since, note = cow_since(cow({"alpha": [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]}), STATES, "AAA", "member")
    assert (since, note) == (2005, "COW IGO codes no membership in 2007-2008 between years of membership: a coding gap, bridged")
    assert cow_since(cow({"alpha": [1] * 10}), STATES, "AAA", "member") == (2005, None)


def test_since_continues_a_predecessor_state():
    organization = cow({"germany": [E, E, E, 1, 1, 1, 1, 1, 1, 1], "wgermany": [0, 1, 1, E, E, E, E, E, E, E]})
    assert cow_since(organization, STATES, "DEU", "member") == (2006, None)


def test_no_since_without_cow_data_or_state():
    assert cow_since(None, STATES, "AAA", "member") == (None, None)
    assert cow_since(cow({"alpha": [1] * 10}), STATES, "ZZZ", "member") == (None, None)


def test_cow_states_map_by_name_and_table_and_skip_dead_states():
    mapping = cow_state_iso3(SOURCES / "cow-igo-v3" / "states2016.csv", SOURCES / "country-codes-gec" / "Countrycodes.csv")
    assert mapping["kyrgyzstan"] == "KGZ"  # by name
    assert mapping["usa"] == "USA"  # by COW_STATE_ISO3: "United States of America" is not the table's name
    assert "hanover" not in mapping and "wgermany" not in mapping  # not in the system in 2014


def test_cow_reads_only_mapped_organizations():
    found = read_cow(SOURCES / "cow-igo-v3" / "igo_year_format3.csv", {"UN": "UN", "CSTO": "CSTO"})
    assert set(found) == {"UN", "CSTO"}
    assert found["CSTO"].founded == 2007
    assert found["UN"].values["afghanistan"][2009] == "-9"
    assert found["UN"].values["germany"][2005] == ""


def test_bad_cow_value_names_file_and_line(tmp_path):
    path = tmp_path / "igo_year_format3.csv"
    path.write_text("ioname,orgname,year,uk,sdate,deaddate\nUN,United Nations,2014.0,one,1945.0,\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"igo_year_format3\.csv:2: 'one' is not a number"):
        read_cow(path, {"UN": "UN"})


def test_missing_columns_and_files_are_named(tmp_path):
    states = tmp_path / "states2016.csv"
    states.write_text("ccode,stateabb,statenme\n2,USA,United States of America\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"states2016\.csv:1: missing column\(s\) state, endyear"):
        cow_state_iso3(states, SOURCES / "country-codes-gec" / "Countrycodes.csv")
    with pytest.raises(SourceError, match=r"factbook/2026-01-22: Factbook snapshot folder not found"):
        extract_memberships(tmp_path, {"KG": "KGZ"}, FIXTURES / "corrections.json",
                            schema_path=REPO / "schemas" / "corrections.schema.json",
                            sources_csv=FIXTURES / "sources.csv")


# --- organizations ----------------------------------------------------------------------------------


def test_organization_names_kinds_and_cow_years():
    appendix = {"UN": "United Nations", "AG": "Australia Group", "ARCTIC_COUNCIL": "Arctic Council", "ICC": "Chamber"}
    cow_orgs = {
        "UN": CowOrganization(founded=1945, dissolved=None, values={}, last_year=2014),
        "G-3": CowOrganization(founded=1995, dissolved=2006, values={}, last_year=2006),
        "OIF": CowOrganization(founded=1970, dissolved=2005, values={}, last_year=2014),  # renamed, goes on
    }
    rows, unnamed = organization_rows(
        ["UN", "Australia Group", "Arctic Council", "ICC", "PFP", "AIIB", "G-3", "OIF", "XYZ"], appendix, cow_orgs
    )
    by_id = {row["id"]: row for row in rows}
    assert unnamed == {"PFP", "G-3", "OIF", "XYZ"}  # no name in this appendix nor in the name table
    assert by_id["UN"] == {
        "id": "UN", "name": "United Nations", "founded": 1945, "dissolved": None, "kind": "intergovernmental",
        "note": "founded/dissolved: COW IGO v3 (cow-igo-v3), which counts predecessor bodies",
        "source_id": "country-codes-gec", "founded_source_id": "cow-igo-v3",
    }
    assert by_id["Australia Group"]["name"] == "Australia Group"  # via APPENDIX_IDS
    assert by_id["Arctic Council"]["name"] == "Arctic Council"  # spaces as underscores
    assert by_id["ICC"]["kind"] == "nongovernmental"
    assert by_id["AIIB"]["source_id"] == "factbook-2026-01-22"  # name from the project's table
    rows, _ = organization_rows(["G-3", "OIF"], {"G-3": "Group of 3", "OIF": "Francophonie"}, cow_orgs)
    assert {row["id"]: row["dissolved"] for row in rows} == {"G-3": 2006, "OIF": None}


def test_columns_match_the_table_schemas():
    for columns, name in ((ORGANIZATION_COLUMNS, "organizations"), (MEMBERSHIP_COLUMNS, "memberships")):
        schema = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert list(columns) == [f["name"] for f in schema["fields"]]


# --- the whole extraction on the fixtures ----------------------------------------------------------


def test_rows_have_the_schema_columns(extract):
    assert extract.memberships and extract.organizations
    assert all(tuple(row) == MEMBERSHIP_COLUMNS for row in extract.memberships)
    assert all(tuple(row) == ORGANIZATION_COLUMNS for row in extract.organizations)


def test_statuses_and_since_years_from_the_fixtures(extract):
    rows = rows_by_key(extract)
    assert rows["KGZ", "ISO", "associate"]["note"] == "Factbook: correspondent"
    assert rows["KGZ", "UN", "member"]["since"] == 2007
    assert rows["KGZ", "CSTO", "member"]["since"] == 2007
    assert rows["AFG", "UN", "member"]["since"] == 2005  # -9 gap bridged
    assert rows["DEU", "EU", "member"]["since"] == 2005  # through West Germany
    assert rows["DEU", "NATO", "member"]["since"] is None  # not in the fixture COW
    assert rows["IND", "SCO", "observer"]["since"] == 2010  # COW code 3
    assert "since from COW IGO v3" in rows["KGZ", "UN", "member"]["note"]
    assert rows["KGZ", "UN", "member"]["since_source_id"] == "cow-igo-v3"
    assert rows["TKM", "CIS", "associate"]["note"].startswith("Factbook: associate member, has not ratified")
    assert rows["GBR", "UN Security Council", "member"]["note"] == "Factbook: permanent"
    assert ("VNM", "UNESCO", "member") in rows  # after an &nbsp;


def test_problems_name_country_and_reason(extract):
    assert sorted(extract.problems) == [
        ("ATA", "International organization participation", "ay.json", "no participation list in the Factbook"),
        ("TKM", "International organization participation", "EEU (observer)", "repeats 'EAEU (observer)'; kept once"),
        ("VNM", "International organization participation", "WTO (2024)", "unknown status wording '2024'"),
        ("VNM", "International organization participation", "XYZ", "organization without a name source"),
    ]


def test_every_membership_has_its_organization(extract):
    ids = {row["id"] for row in extract.organizations}
    assert {row["organization"] for row in extract.memberships} <= ids
    assert "OAS" in ids  # kept after its only membership was removed: organizations stand alone
    assert "XYZ" not in ids


def test_corrections_are_applied_last(extract):
    rows = rows_by_key(extract)
    assert extract.corrections_applied[0] == "ots-organization" and len(extract.corrections_applied) == 11
    assert rows["GBR", "EU", "member"]["until"] == 2020
    assert rows["KGZ", "EAEU", "member"]["since"] == 2015
    assert rows["KGZ", "OTS", "member"]["source_id"] == "fixture-org-site"
    assert rows["VNM", "WTO", "member"]["since"] == 2007
    assert ("GBR", "OAS", "observer") not in rows
    assert (rows["IND", "SCO", "observer"]["until"], rows["IND", "SCO", "member"]["since"]) == (2017, 2017)


@pytest.mark.slow
@pytest.mark.skipif(not (REAL_SOURCES / "factbook").is_dir(), reason="real sources not present at ../shared/sources")
def test_real_sources():
    countries = fixture_countries(REAL_SOURCES)
    countries = {gec: iso3 for gec, iso3 in countries.items() if iso3}
    result = extract_memberships(REAL_SOURCES, countries, REPO / "corrections" / "memberships.json")
    rows = rows_by_key(result)
    per_country = Counter(row["country"] for row in result.memberships)
    assert len(per_country) >= 190
    for organization in ("CSTO", "EAEU", "SCO", "OTS", "CIS-JADS"):
        assert ("KGZ", organization, "member") in rows, organization
    assert rows["GBR", "EU", "member"]["until"] == 2020
    assert rows["IND", "SCO", "member"]["since"] == 2017
    assert {"OTS", "CIS-JADS"} <= {row["id"] for row in result.organizations}
    assert len(result.corrections_applied) == len(
        json.loads((REPO / "corrections" / "memberships.json").read_text(encoding="utf-8"))["corrections"]
    )
    unknown = [p for p in result.problems if p[3].startswith(("unknown", "organization without"))]
    assert len(unknown) <= 5, unknown


def test_an_organization_cow_dates_from_its_predecessor_takes_its_own_founding_year():
    rows, unnamed = organization_rows({"SCO"}, {"SCO": "Shanghai Cooperation Organization"}, {"SCO": cow({}, first=1996)})
    (sco,) = rows
    assert (sco["founded"], sco["founded_source_id"], unnamed) == (2001, "sco-about", set())
    assert "Shanghai Five" in sco["note"]
