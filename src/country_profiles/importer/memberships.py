"""Build the `organizations` and `memberships` tables from the Factbook, COW IGO and curated corrections.

Sources (folder layout of ../shared/sources, see SOURCES.md there):
- status: the Factbook 2026-01-22, Government -> "International organization participation";
- organization names: country-codes-gec/CountrycodesOrgs.csv (the Factbook's Appendix B, 2020),
  else the small table ORGANIZATION_NAMES below;
- `since` and `founded`: cow-igo-v3 (1815-2014), for the organizations in COW_TO_FACTBOOK;
- last: corrections/memberships.json (see importer/corrections.py), which has the final word.

Status wording (the Factbook's parenthetical) -> status. The source's wording is kept in `note`.

| Factbook wording                                   | status           | why                                              |
|----------------------------------------------------|------------------|--------------------------------------------------|
| (none)                                             | member           |                                                  |
| observer                                           | observer         |                                                  |
| associate observer                                 | observer         | CPLP's second class of observers                 |
| signatory                                          | observer         | ICCt/OPCW signatories not party may sit as observers (Rome Statute art. 112) |
| NGOs, national committees                          | member           | the country's national bodies are the members    |
| nonregional member(s), regional                    | member           | full members of ADB/AfDB/WADB from in/out of region |
| compliant country, implementing country            | member           | EITI: the country implements the standard        |
| permanent, temporary                               | member           | UN Security Council seat, permanent or elected   |
| Chinese Taipei                                     | member           | Taiwan is a full member under that name          |
| de facto member                                    | member           | Schengen: micro-states inside the area without being party |
| associate, associate member, associated member     | associate        |                                                  |
| correspondent, subscriber                          | associate        | ISO's lesser member classes, without vote        |
| participating member                               | associate        | Ukraine in the CIS: took part, never ratified the charter |
| subbureau                                          | associate        | Interpol: a territory's office of the parent state's bureau |
| partner, partners, enhanced engagement, cooperating state | partner   | OECD key partners; ESA European Cooperating States |
| dialogue partner, dialogue member, sectoral dialogue partner | dialogue_partner |                                        |
| candidate, candidates, candidate country, accession candidate, pending member | candidate |                          |
| suspended, temporarily suspended, excluded from formal participation since 1962 | suspended | Cuba in the OAS |

Several parentheticals ("EITI (compliant country) (suspended)"): a suspension overrides, the others
must agree. A wording not in this table is a problem (row left out), never a guess. Text after the first comma of
a wording ("associate member, has not ratified ...") is a remark: the head decides, the note keeps all.
"""

from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from country_profiles.importer.codes import SourceError, csv_rows
from country_profiles.importer.corrections import apply_corrections, load_corrections
from country_profiles.importer.notes import join_notes

FACTBOOK_SNAPSHOT = Path("factbook/2026-01-22")
FACTBOOK_SOURCE = "factbook-2026-01-22"
APPENDIX_SOURCE = "country-codes-gec"
COW_SOURCE = "cow-igo-v3"
PARTICIPATION_FIELD = "International organization participation"
COW_LAST_YEAR = 2014

ORGANIZATION_COLUMNS = ("id", "name", "founded", "dissolved", "kind", "note", "source_id", "founded_source_id")
MEMBERSHIP_COLUMNS = ("country", "organization", "status", "since", "until", "note", "source_id", "since_source_id")

STATUS_BY_WORDING: dict[str, str] = {
    "": "member",
    "observer": "observer",
    "associate observer": "observer",
    "signatory": "observer",
    "ngos": "member",
    "national committees": "member",
    "nonregional member": "member",
    "nonregional members": "member",
    "regional": "member",
    "compliant country": "member",
    "implementing country": "member",
    "permanent": "member",
    "temporary": "member",
    "chinese taipei": "member",
    "de facto member": "member",
    "associate": "associate",
    "associate member": "associate",
    "associated member": "associate",
    "correspondent": "associate",
    "subscriber": "associate",
    "participating member": "associate",
    "subbureau": "associate",
    "partner": "partner",
    "partners": "partner",
    "enhanced engagement": "partner",
    "cooperating state": "partner",
    "dialogue partner": "dialogue_partner",
    "dialogue member": "dialogue_partner",
    "sectoral dialogue partner": "dialogue_partner",
    "candidate": "candidate",
    "candidates": "candidate",
    "candidate country": "candidate",
    "accession candidate": "candidate",
    "pending member": "candidate",
    "suspended": "suspended",
    "temporarily suspended": "suspended",
    "excluded from formal participation since 1962": "suspended",
}

STATUSES = ("member", "observer", "partner", "dialogue_partner", "candidate", "associate", "suspended")

# Other spellings in the Factbook lists -> the id the Factbook uses elsewhere for the same organization.
FACTBOOK_ALIASES: dict[str, str] = {
    "Australian Group": "Australia Group",
    "G- 9": "G-9",
    "ICCT": "ICCt",  # International Criminal Court; ICC is the International Chamber of Commerce
    "EEU": "EAEU",
    "UNSC": "UN Security Council",
    "Commonwealth of Nations": "C",
    "World Bank Group": "WBG",
    "Francophonie": "OIF",
    "CABEI": "BCIE",  # Central American Bank for Economic Integration, English and Spanish initials
}

# Factbook id -> org_id in CountrycodesOrgs.csv where upper-casing (spaces as _) does not find it.
APPENDIX_IDS: dict[str, str] = {"Australia Group": "AG"}

# Names for ids absent from CountrycodesOrgs.csv (Appendix B of 2020): the abbreviation is the
# Factbook's (2026-01-22 lists); the full name is the organization's own, supplied by this project.
ORGANIZATION_NAMES: dict[str, str] = {
    "ACS": "Association of Caribbean States",
    "AIIB": "Asian Infrastructure Investment Bank",
    "ALBA": "Bolivarian Alliance for the Peoples of Our America",
    "ATMIS": "African Union Transition Mission in Somalia",
    "CARIBCAN": "Caribbean-Canada Trade Agreement",
    "CARIFORUM": "Caribbean Forum of African, Caribbean and Pacific States",
    "CBI": "Caribbean Basin Initiative",
    "CSME": "CARICOM Single Market and Economy",
    "CSN": "South American Community of Nations",
    "ECCU": "Eastern Caribbean Currency Union",
    "EPA": "CARIFORUM-EU Economic Partnership Agreement",
    "ESCAP": "United Nations Economic and Social Commission for Asia and the Pacific",
    "FIFA": "International Federation of Association Football",
    "ICGLR": "International Conference on the Great Lakes Region",
    "ICSID": "International Centre for Settlement of Investment Disputes",
    "IORA": "Indian Ocean Rim Association",
    "ITC": "International Trade Centre",
    "LCBC": "Lake Chad Basin Commission",
    "MINURCAT": "United Nations Mission in the Central African Republic and Chad",
    "MINUSCA": "United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic",
    "MNJTF": "Multinational Joint Task Force",
    "MSG": "Melanesian Spearhead Group",
    "PROSUR": "Forum for the Progress and Development of South America",
    "Quad": "Quadrilateral Security Dialogue",
    "UN Women": "United Nations Entity for Gender Equality and the Empowerment of Women",
    "UNAMA": "United Nations Assistance Mission in Afghanistan",
    "UNCDF": "United Nations Capital Development Fund",
    "UNDP": "United Nations Development Programme",
    "UNECA": "United Nations Economic Commission for Africa",
    "UNEP": "United Nations Environment Programme",
    "UNFPA": "United Nations Population Fund",
    "UNHRC": "United Nations Human Rights Council",
    "UNICEF": "United Nations Children's Fund",
    "UNMHA": "United Nations Mission to Support the Hudaydah Agreement",
    "UNMIS": "United Nations Mission in Sudan",
    "UNMIT": "United Nations Integrated Mission in Timor-Leste",
    "UNOOSA": "United Nations Office for Outer Space Affairs",
    "UNOPS": "United Nations Office for Project Services",
    "UNSMIL": "United Nations Support Mission in Libya",
    "UNSOM": "United Nations Assistance Mission in Somalia",
    "UNSOS": "United Nations Support Office in Somalia",
    "UNVIM": "United Nations Verification and Inspection Mechanism for Yemen",
    "USMCA": "United States-Mexico-Canada Agreement",
    "WBG": "World Bank Group",
    "WFP": "World Food Programme",
    "Wassenaar Arrangement": (
        "Wassenaar Arrangement on Export Controls for Conventional Arms and Dual-Use Goods and Technologies"
    ),
}

# Members are national bodies (committees, societies, unions, parliaments), not states.
NONGOVERNMENTAL = frozenset({"FIFA", "GCTU", "ICC", "ICRM", "IFRCS", "IOC", "IPU", "ISO", "ITUC", "WFTU"})
# Treaty systems or organs inside another organization.
ARRANGEMENTS = frozenset({"EMU", "PFP", "Schengen Convention", "UN Security Council"})

# COW IGO `ioname` -> Factbook id: only organizations that are plainly the same body.
# Left out on purpose: ComSec (the Commonwealth Secretariat, founded 1965, is not the Commonwealth),
# SCHENGEN (the 1985-1999 group, not the convention), INTELSAT (ended 2001, ITSO is its remnant).
COW_TO_FACTBOOK: dict[str, str] = {
    "ABEDA": "ABEDA", "ACCT": "OIF", "ACP": "ACP", "ACS": "ACS", "AFESD": "AFESD", "AMF": "AMF",
    "AMU": "AMU", "ANZUS": "ANZUS", "APEC": "APEC", "ASEAN": "ASEAN", "AU": "AU", "AfDB": "AfDB",
    "Andean": "CAN", "ArticC": "Arctic Council", "AsDB": "ADB", "BENELUX": "Benelux", "BIS": "BIS",
    "BSEC": "BSEC", "CARICOM": "Caricom", "CBSS": "CBSS", "CDB": "CDB", "CEI": "CEI", "CEMAC": "CEMAC",
    "CEPGL": "CEPGL", "CERN": "CERN", "CICA": "CICA", "CIS": "CIS", "COE": "CE", "COLOMBO": "CP",
    "COMESA": "COMESA", "CPSC": "CPLP", "CSTO": "CSTO", "D8": "D-8", "EAC": "EAC", "EADB": "EADB",
    "EAEC": "EAEC", "EAPC": "EAPC", "EBRD": "EBRD", "ECB": "ECB", "ECO": "ECO", "ECOWAS": "ECOWAS",
    "EFTA": "EFTA", "EIB": "EIB", "ESA": "ESA", "EU": "EU", "Entente": "Entente", "FAO": "FAO",
    "G15": "G-15", "G24": "G-24", "G3": "G-3", "GCC": "GCC", "IADB": "IADB", "IAEA": "IAEA",
    "IBRD": "IBRD", "ICAO": "ICAO", "ICC": "ICCt", "IEA": "IEA", "IFAD": "IFAD", "IFC": "IFC",
    "IGAD": "IGAD", "IHO": "IHO", "ILO": "ILO", "IMF": "IMF", "IMO": "IMO", "IMSO": "IMSO",
    "INTERPOL": "Interpol", "IOCom": "InOC", "IOMig": "IOM", "IORARC": "IORA", "ISDB": "IDB",
    "ITU": "ITU", "LAIA": "LAIA", "LATIN": "Union Latina", "LCBC": "LCBC", "LOAS": "LAS",
    "MIGA": "MIGA", "Mercosur": "Mercosur", "NAM": "NAM", "NATO": "NATO", "NIB": "NIB",
    "NordC": "NC", "OAPEC": "OAPEC", "OAS": "OAS", "OECD": "OECD", "OECS": "OECS", "OIC": "OIC",
    "OPANAL": "OPANAL", "OPEC": "OPEC", "OSCE": "OSCE", "PCA": "PCA", "PIF": "PIF", "SAARC": "SAARC",
    "SACEP": "SACEP", "SACU": "SACU", "SADC": "SADC", "SCO": "SCO", "SELA": "LAES", "SICA": "SICA",
    "SPC": "SPC", "UEMOA": "WAEMU", "UN": "UN", "UNESCO": "UNESCO", "UNIDO": "UNIDO", "UPU": "UPU",
    "WCO": "WCO", "WHO": "WHO", "WIPO": "WIPO", "WMO": "WMO", "WTO": "WTO", "WTOURO": "UNWTO",
    "Wassen": "Wassenaar Arrangement",
}

# Organizations COW IGO dates from a predecessor body: (founding year, source id, the predecessor).
# Members' COW years before the founding year are the predecessor's, not the organization's.
PREDECESSOR_BODIES: dict[str, tuple[int, str, str]] = {
    "SCO": (2001, "sco-about", "the Shanghai Five of 1996"),
}

# COW value -> the status it records (0 none, -9 missing, empty = state not in the system).
COW_STATUS_CODES = {"member": "1", "associate": "2", "observer": "3"}
COW_MISSING = "-9"

# COW state columns whose COW name differs from the code table's English name (states alive in 2014).
COW_STATE_ISO3: dict[str, str] = {
    "bosnia": "BIH", "congobrazz": "COG", "czechrep": "CZE", "etimor": "TLS", "fyromacedonia": "MKD",
    "ivorycoast": "CIV", "micronesiafs": "FSM", "myanmar": "MMR", "saotome": "STP", "stkitts": "KNA",
    "stvincent": "VCT", "swaziland": "SWZ", "trinidad": "TTO", "usa": "USA", "yugoslaviaserb": "SRB",
    "zaire": "COD",
}
# A state whose memberships continue those of a predecessor with its own column: West Germany's
# memberships became Germany's in 1990, North Yemen's (UN since 1947) unified Yemen's.
COW_PREDECESSORS: dict[str, str] = {"germany": "wgermany", "yemen": "nyemen"}


@dataclass
class MembershipsExtract:
    organizations: list[dict]  # columns of organizations.schema.json, None for empty
    memberships: list[dict]  # columns of memberships.schema.json
    problems: list[tuple[str, str, str, str]] = field(default_factory=list)  # (country, field, text, reason)
    corrections_applied: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """One item of a Factbook participation list, before it becomes a row."""

    organization: str  # Factbook id after aliases
    status: str
    note: str | None


@dataclass
class CowOrganization:
    founded: int | None
    dissolved: int | None  # COW's deaddate: also set when a body was renamed and goes on (ACCT -> OIF)
    values: dict[str, dict[int, str]]  # state column -> year -> raw value
    last_year: int | None = None

    def ended(self) -> int | None:
        """The year it ended: only when COW's rows stop before 2014 too, not just renamed."""
        ended = self.last_year is not None and self.last_year < COW_LAST_YEAR
        return self.dissolved if ended else None


def extract_memberships(
    sources_dir: Path,
    countries: Mapping[str, str],
    corrections_path: Path,
    *,
    schema_path: Path | None = None,
    sources_csv: Path | None = None,
) -> MembershipsExtract:
    """Read the sources under `sources_dir` for the countries `countries` (GEC -> ISO3).

    `schema_path` and `sources_csv` default to the repository that holds `corrections_path`
    (schemas/corrections.schema.json and data/sources.csv next to corrections/).
    """
    root = corrections_path.parent.parent
    corrections = load_corrections(
        corrections_path,
        schema_path or root / "schemas" / "corrections.schema.json",
        sources_csv or root / "data" / "sources.csv",
    )
    # load
    entries, problems = read_factbook(sources_dir / FACTBOOK_SNAPSHOT, countries)
    appendix = read_appendix_names(sources_dir / "country-codes-gec" / "CountrycodesOrgs.csv")
    state_iso3 = cow_state_iso3(
        sources_dir / "cow-igo-v3" / "states2016.csv", sources_dir / "country-codes-gec" / "Countrycodes.csv"
    )
    cow = read_cow(sources_dir / "cow-igo-v3" / "igo_year_format3.csv", COW_TO_FACTBOOK)

    # process
    wanted = {entry.organization for rows in entries.values() for entry in rows}
    organizations, unnamed = organization_rows(wanted, appendix, cow)
    memberships = []
    for iso3, rows in sorted(entries.items()):
        for entry in rows:
            if entry.organization in unnamed:
                problems.append((iso3, PARTICIPATION_FIELD, entry.organization, "organization without a name source"))
                continue
            row = membership_row(iso3, entry)
            since, since_note = cow_since(cow.get(entry.organization), state_iso3, iso3, entry.status)
            if since is not None:
                row["since"], row["since_source_id"] = since, COW_SOURCE
                row["note"] = join_notes(row["note"], f"since from COW IGO v3 ({COW_SOURCE})", since_note)
                body = PREDECESSOR_BODIES.get(entry.organization)
                if body is not None and since < body[0]:
                    row["since"], row["since_source_id"] = body[0], body[1]
                    row["note"] = join_notes(
                        row["note"], f"COW IGO gives {since}, a year of the predecessor body ({body[2]}); since is the founding year"
                    )
            memberships.append(row)
    corrected = apply_corrections(organizations, memberships, corrections)
    return MembershipsExtract(
        organizations=sorted(corrected.organizations, key=lambda r: r["id"]),
        memberships=sorted(corrected.memberships, key=lambda r: (r["country"], r["organization"], r["status"])),
        problems=problems,
        corrections_applied=corrected.applied,
    )


# --- Factbook ---------------------------------------------------------------------------------


def read_factbook(
    snapshot: Path, countries: Mapping[str, str]
) -> tuple[dict[str, list[Entry]], list[tuple[str, str, str, str]]]:
    """Entries per ISO3 for every country of `countries` that has a Factbook file."""
    if not snapshot.is_dir():
        raise SourceError(f"{snapshot}: Factbook snapshot folder not found")
    files = {path.stem.upper(): path for path in sorted(snapshot.glob("*/*.json"))}
    entries: dict[str, list[Entry]] = {}
    problems: list[tuple[str, str, str, str]] = []
    for gec, iso3 in sorted(countries.items()):
        path = files.get(gec.upper())
        if path is None:
            continue
        try:
            profile = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            problems.append((iso3, PARTICIPATION_FIELD, str(path), f"unreadable Factbook file: {exc}"))
            continue
        text = (profile.get("Government", {}).get(PARTICIPATION_FIELD) or {}).get("text")
        if not text:
            problems.append((iso3, PARTICIPATION_FIELD, str(path.name), "no participation list in the Factbook"))
            continue
        found, found_problems = parse_participation(text)
        entries[iso3] = found
        problems += [(iso3, PARTICIPATION_FIELD, item, reason) for item, reason in found_problems]
    return entries, problems


def parse_participation(text: str) -> tuple[list[Entry], list[tuple[str, str]]]:
    """Entries of one participation list, and (item, reason) for each item left out."""
    preamble, items = split_participation(text)
    entries: list[Entry] = []
    problems: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], str] = {}
    for item in items:
        if item.lower() == "none":
            continue
        token, wordings = split_item(item)
        if not token:
            problems.append((item, "no organization abbreviation"))
            continue
        statuses = [normalize_status(wording) for wording in wordings] or ["member"]
        unknown = [wording for wording, status in zip(wordings, statuses) if status is None]
        if unknown:
            problems.append((item, f"unknown status wording {unknown[0]!r}"))
            continue
        status = combine_statuses(statuses)
        if status is None:
            problems.append((item, f"contradictory status wordings {wordings!r}"))
            continue
        wording = "; ".join(wordings)
        organization = FACTBOOK_ALIASES.get(token, token)
        if (organization, status) in seen:
            problems.append((item, f"repeats {seen[organization, status]!r}; kept once"))
            continue
        seen[organization, status] = item
        others = [seen[organization, other] for other in STATUSES if other != status and (organization, other) in seen]
        if others:
            problems.append((item, f"also listed as {others[0]!r}; both kept"))
        note = join_notes(f"Factbook: {wording}" if wording else None, f"Factbook: {preamble}" if preamble else None)
        entries.append(Entry(organization, status, note))
    return entries, problems


def split_participation(text: str) -> tuple[str | None, list[str]]:
    """(preamble, items): items split at commas outside parentheses; entities and tags removed."""
    clean = re.sub(r"<[^>]+>", " ", html.unescape(text)).replace("\xa0", " ")
    clean = re.sub(r"\s+", " ", clean).strip()
    preamble = None
    head, colon, rest = clean.partition(":")
    if colon and "(" not in head and "," not in head:  # "X is a member of ... but ...: ADB, ..."
        preamble, clean = head.strip(), rest
    items, depth, current = [], 0, []
    for char in clean:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return preamble, [item.strip() for item in items if item.strip()]


def split_item(item: str) -> tuple[str, list[str]]:
    """"NAM (observer)" -> ("NAM", ["observer"]); "EITI (compliant country) (suspended)" gives two."""
    token = item.split("(", 1)[0].strip()
    return token, [wording.strip() for wording in re.findall(r"\(([^()]*)\)", item)]


def combine_statuses(statuses: list[str]) -> str | None:
    """One status for several wordings: a suspension overrides the rest, others must agree."""
    if "suspended" in statuses:
        return "suspended"
    return statuses[0] if len(set(statuses)) == 1 else None


def normalize_status(wording: str) -> str | None:
    """The status a Factbook wording stands for, or None when the table does not know it."""
    key = re.sub(r"\s+", " ", wording).strip().lower()
    if key in STATUS_BY_WORDING:
        return STATUS_BY_WORDING[key]
    head = key.split(",", 1)[0].strip()
    return STATUS_BY_WORDING.get(head) if head != key else None


def membership_row(iso3: str, entry: Entry) -> dict[str, Any]:
    return {
        "country": iso3, "organization": entry.organization, "status": entry.status,
        "since": None, "until": None, "note": entry.note, "source_id": FACTBOOK_SOURCE, "since_source_id": None,
    }


# --- organizations --------------------------------------------------------------------------------


def read_appendix_names(path: Path) -> dict[str, str]:
    """org_id -> org_name from CountrycodesOrgs.csv (names carry trailing blanks there)."""
    names: dict[str, str] = {}
    for line, row in csv_rows(path, ("org_id", "org_name")):
        org_id, name = (row["org_id"] or "").strip(), (row["org_name"] or "").strip()
        if not org_id or not name:
            raise SourceError(f"{path}:{line}: org_id and org_name are required")
        names.setdefault(org_id, name)
    return names


def appendix_key(organization: str) -> str:
    return APPENDIX_IDS.get(organization, organization.upper().replace(" ", "_"))


def organization_kind(organization: str) -> str:
    if organization in NONGOVERNMENTAL:
        return "nongovernmental"
    if organization in ARRANGEMENTS:
        return "arrangement"
    return "intergovernmental"


def organization_rows(
    wanted: Iterable[str], appendix: Mapping[str, str], cow: Mapping[str, CowOrganization]
) -> tuple[list[dict[str, Any]], set[str]]:
    """One row per organization id, and the ids no source names.

    source_id is the source of the name; founded/dissolved come from COW and the note says so.
    """
    rows, unnamed = [], set()
    for organization in sorted(set(wanted)):
        notes = []
        if appendix_key(organization) in appendix:
            name, source_id = appendix[appendix_key(organization)], APPENDIX_SOURCE
        elif organization in ORGANIZATION_NAMES:
            name, source_id = ORGANIZATION_NAMES[organization], FACTBOOK_SOURCE
            notes.append("abbreviation from the Factbook; full name supplied by the project")
        else:
            unnamed.add(organization)
            continue
        founded = dissolved = None
        founded_source = COW_SOURCE
        if organization in cow:
            founded, dissolved = cow[organization].founded, cow[organization].ended()
            notes.append(f"founded/dissolved: COW IGO v3 ({COW_SOURCE}), which counts predecessor bodies")
        if organization in PREDECESSOR_BODIES:
            founded, founded_source, body = PREDECESSOR_BODIES[organization]
            notes.append(f"founded {founded} ({founded_source}); COW IGO counts its predecessor, {body}")
        rows.append({
            "id": organization, "name": name, "founded": founded, "dissolved": dissolved,
            "kind": organization_kind(organization), "note": join_notes(*notes), "source_id": source_id,
            "founded_source_id": founded_source if founded is not None else None,
        })
    return rows, unnamed


# --- COW IGO ------------------------------------------------------------------------------------


def cow_state_iso3(states_csv: Path, codes_csv: Path) -> dict[str, str]:
    """COW state column -> ISO3, for states in the system in 2014 (name match, then COW_STATE_ISO3)."""
    by_name = {_name_key(row["NAME.EN"]): row["ISO_3166_3"] for _, row in csv_rows(codes_csv, ("NAME.EN", "ISO_3166_3"))}
    alive: dict[str, str] = {}
    for line, row in csv_rows(states_csv, ("state", "statenme", "endyear")):
        if _integer(row["endyear"], states_csv, line) >= COW_LAST_YEAR:
            alive[row["state"]] = row["statenme"]
    mapping = {}
    for column, name in alive.items():
        iso3 = COW_STATE_ISO3.get(column) or by_name.get(_name_key(name))
        if iso3:
            mapping[column] = iso3
    return mapping


def _name_key(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_.lower())


def read_cow(path: Path, ionames: Mapping[str, str]) -> dict[str, CowOrganization]:
    """Factbook id -> founded, dissolved and yearly values per state column, for mapped ionames."""
    found: dict[str, CowOrganization] = {}
    if not path.is_file():
        raise SourceError(f"{path}: file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [name for name in ("ioname", "year", "sdate", "deaddate") if name not in header]
        if missing:
            raise SourceError(f"{path}:1: missing columns {', '.join(missing)}")
        first_state, after_states = 3, header.index("sdate")
        columns = header[first_state:after_states]
        position = {name: i for i, name in enumerate(header)}
        for line, row in enumerate(reader, start=2):
            organization = ionames.get(row[0])
            if organization is None:
                continue
            if len(row) != len(header):
                raise SourceError(f"{path}:{line}: {len(row)} fields, the header has {len(header)}")
            year = _integer(row[position["year"]], path, line)
            record = found.setdefault(organization, CowOrganization(
                founded=_year(row[position["sdate"]], path, line),
                dissolved=_year(row[position["deaddate"]], path, line),
                values={},
            ))
            record.last_year = max(record.last_year or year, year)
            for column, raw in zip(columns, row[first_state:after_states]):
                record.values.setdefault(column, {})[year] = str(_integer(raw, path, line)) if raw.strip() else ""
    return found


def _integer(text: str, path: Path, line: int) -> int:
    """COW writes whole numbers as floats ('1.0', '-9.0', '2014.0')."""
    try:
        number = float(text)
    except ValueError:
        raise SourceError(f"{path}:{line}: {text!r} is not a number") from None
    if not number.is_integer():
        raise SourceError(f"{path}:{line}: {text!r} is not a whole number")
    return int(number)


def _year(text: str, path: Path, line: int) -> int | None:
    return _integer(text, path, line) if text.strip() else None


def cow_since(
    organization: CowOrganization | None, state_iso3: Mapping[str, str], iso3: str, status: str
) -> tuple[int | None, str | None]:
    """(first year of the run of `status` that lasts until 2014, note), or (None, None).

    How the COW data are read: the run is walked back from 2014 while the value is the status's code.
    - A gap of -9 (no information) between two years of the same status is bridged: the status most
      likely lasted through it.
    - A run that starts right after a -9 gap that follows another value has an unknown start: None.
    - A run that starts when the state enters the system (empty before) starts that year, unless the
      state continues a predecessor (COW_PREDECESSORS), whose column is then walked on.
    - A run that starts in the organization's first COW year starts then (COW's founding year, which
      may be a predecessor body's; PREDECESSOR_BODIES then moves it to the organization's own).
    - A gap of at most COW_CODING_GAP_YEARS years coded 0 between two runs of the same status is a
      coding gap, not a withdrawal (Venezuela in the FAO, 0 in 1995-96 only): the first run's start
      counts, and the note names the gap. Longer gaps are withdrawals: the latest run counts.
    """
    code = COW_STATUS_CODES.get(status)
    if organization is None or code is None:
        return None, None
    columns = [column for column, mapped in state_iso3.items() if mapped == iso3]
    if len(columns) != 1:
        return None, None
    column = columns[0]
    gaps: list[tuple[int, int]] = []
    start = _run_start(organization.values.get(column, {}), code, COW_LAST_YEAR, gaps)
    if start is None:
        return None, None
    predecessor = COW_PREDECESSORS.get(column)
    values = organization.values.get(column, {})
    if predecessor and values.get(start - 1) == "" and start - 1 in values:
        earlier = _run_start(organization.values.get(predecessor, {}), code, start - 1, gaps)
        start = earlier if earlier is not None else start
    note = None
    if gaps:
        spans = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in sorted(gaps))
        note = f"COW IGO codes no {status}ship in {spans} between years of {status}ship: a coding gap, bridged"
    return start, note


COW_CODING_GAP_YEARS = 3


def _run_start(values: Mapping[int, str], code: str, last: int, gaps: list[tuple[int, int]]) -> int | None:
    if values.get(last) != code:
        return None
    year = last
    while True:
        before = year - 1
        if values.get(before) == code:
            year = before
            continue
        if values.get(before) == "0":
            gap = before
            while values.get(gap - 1) == "0" and before - gap < COW_CODING_GAP_YEARS:
                gap -= 1
            if values.get(gap - 1) == code and before - gap < COW_CODING_GAP_YEARS:
                gaps.append((gap, before))
                year = gap - 1
                continue
            return year
        if values.get(before) == COW_MISSING:
            gap = before
            while values.get(gap - 1) == COW_MISSING:
                gap -= 1
            if values.get(gap - 1) == code:  # same status on both sides: bridge
                year = gap - 1
                continue
            return None  # started somewhere inside the gap
        return year
