"""Read the four CIA World Factbook snapshots and return rows for the country-profile tables.

`extract_factbook(sources_dir)` reads `factbook/<vintage>/<region>/<gec>.json` and
`country-codes-gec/Countrycodes.csv` and returns rows (dicts with exactly the columns of the
matching Table Schema) plus every text it could not read as a ParseProblem. It prints nothing
and writes nothing; sorting and writing are the caller's.

Decisions:
- Countries are the current snapshot's profiles that map to an ISO3 code, less the EU (`ee`)
  and Antarctica (`ay`); oceans and the world are not in region folders that hold countries.
- Gaza Strip (`gz`, no ISO code of its own) and West Bank (`we` -> PSE) are merged into PSE,
  the code ISO gives to both: areas, borders and counts are added up (a border between the two
  and the rest of the world is exact when summed), shares (ethnic groups, age structure,
  military spending as % of GDP) are not merged but reported, and a count given by only one of
  the two is reported instead of passing for the whole.
- A time series takes every snapshot; when two give the same year the newer one wins. A value
  without any date takes the snapshot's year with a note, except when an older snapshot only
  repeats the newer one's undated text word for word (then it adds nothing and is skipped).
- A value without its own date takes the date that ends its entry (the Factbook dates an
  entry once, e.g. "(2010 est.)" after the females line of manpower).
- Airports come from the current snapshot and from 2024-02-15, whose undated paved/unpaved
  lines take the year of that snapshot's 'Airports' count when they add up to it exactly.
- Ports are the current snapshot's "total ports" count; named ports are never counted.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from country_profiles.importer.codes import CODES_FILE, CodeEntry, SourceError, read_code_table
from country_profiles.importer.factbook_text import (
    BorderSegment,
    Measure,
    TextParseError,
    clean_text,
    find_dates,
    name_key,
    parse_border_list,
    parse_ethnic_groups,
    parse_expenditure_history,
    parse_measure,
    parse_personnel_strengths,
    parse_pipelines,
    trailing_date,
)

SNAPSHOTS = (
    "2026-01-22",
    "2025-04-17",
    "2024-02-15",
    "2023-06-01",
    "2022-06-02",
    "2021-06-01",
    "2020-11-27",
    "2016-11-06",
)  # newest first
CURRENT = SNAPSHOTS[0]
INFRASTRUCTURE_SNAPSHOTS = {"current": "2026-01-22", "roads": "2025-04-17", "airport_runways": "2024-02-15"}
MANPOWER_SNAPSHOT = "2016-11-06"
# Yearly editions read for the series only: population, military expenditure, personnel, transport.
YEARLY_SNAPSHOTS = ("2023-06-01", "2022-06-02", "2021-06-01", "2020-11-27")

# Profiles whose newer editions count another territory that has its own row: their geography
# and borders come from the newest edition that still lists that territory apart.
GEOGRAPHY_SNAPSHOT = {
    "mo": ("2020-11-27", "from 2021 the Factbook counts Western Sahara (ESH, a row of its own) in Morocco's area, coastline and borders"),
    "ag": ("2020-11-27", "from 2021 the Factbook names Algeria's border with Western Sahara (ESH) as Morocco's"),
    "mr": ("2020-11-27", "from 2021 the Factbook names Mauritania's border with Western Sahara (ESH) as Morocco's"),
}
# Areas that include a territory another row (or its sovereign) already counts, with no figure
# without it in the sources: left out, not double counted.
AREA_INCLUDES_ANOTHER = {
    "cn": "the Factbook's area of the Comoros (2,235 sq km) includes Mayotte, which France's area also includes",
}

REGIONS = {
    "africa": "Africa",
    "antarctica": "Antarctica",
    "australia-oceania": "Australia and Oceania",
    "central-america-n-caribbean": "Central America and the Caribbean",
    "central-asia": "Central Asia",
    "east-n-southeast-asia": "East and Southeast Asia",
    "europe": "Europe",
    "middle-east": "Middle East",
    "north-america": "North America",
    "south-america": "South America",
    "south-asia": "South Asia",
}
# Profiles in country folders that are not countries.
NOT_COUNTRIES = {"ee": "European Union", "ay": "Antarctica"}
# The 2016 snapshot still used the old file names of Curacao and Sint Maarten.
FORMER_GEC = {"2016-11-06": {"cc": "uc", "sk": "nn"}}
# GEC codes the code table leaves without ISO3 but that belong to a country in the extract.
EXTRA_GEC_TO_ISO3 = {"gz": "PSE"}  # Gaza Strip: with the West Bank, what ISO calls PS/PSE
# The Factbook lists 196 independent states: the 193 UN members and the Holy See (the code
# table's 194 TRUE) plus Kosovo (empty in the table) and Taiwan (FALSE in the table).
INDEPENDENT_OVERRIDES = {"XKX", "TWN"}

# Factbook spellings of neighbours that neither a profile's name nor the code table gives.
NAME_ALIASES = {
    "UK": "GBR",
    "US": "USA",
    "UAE": "ARE",
    "Macedonia": "MKD",
    "Holy See": "VAT",
    "Holy See (Vatican City)": "VAT",
    "Republic of the Congo": "COG",
    "Congo, Republic of the": "COG",
    "Democratic Republic of the Congo": "COD",
    "Congo, Democratic Republic of the": "COD",
    "Gaza Strip": "PSE",
    "West Bank": "PSE",
    "Cote d'Ivoire": "CIV",
    "Czech Republic": "CZE",
    "Timor-Leste": "TLS",
    # French Guiana has no profile: the Factbook counts it in France (area and population).
    "French Guiana": "FRA",
}

# Aliases naming a part of the neighbour rather than spelling it differently: say so in the note.
PART_ALIASES = ("Gaza Strip", "West Bank", "French Guiana")

ADDITIVE_INDICATORS = {
    "population",
    "labor_force",
    "manpower_available",
    "manpower_fit_for_service",
    "manpower_reaching_military_age",
    "airports",
    "airports_paved",
    "airports_unpaved",
    "heliports",
    "ports",
    "railways_km",
    "roadways_km",
    "roadways_paved_km",
    "roadways_unpaved_km",
    "waterways_km",
    "pipelines_km",
    "active_personnel",
    "paramilitary_personnel",
    "reserve_personnel",
}
COUNT_INDICATORS = ADDITIVE_INDICATORS - {
    "railways_km",
    "roadways_km",
    "roadways_paved_km",
    "roadways_unpaved_km",
    "waterways_km",
    "pipelines_km",
}
COMBINED_NOTE = "combined figure of several territories"
YEAR_FROM_SNAPSHOT = "undated in the source; year of the first edition that gives it"

COUNTRY_COLUMNS = (
    "iso3",
    "iso2",
    "gec",
    "name",
    "region",
    "independent",
    "area_km2",
    "land_area_km2",
    "water_area_km2",
    "coastline_km",
    "landlocked",
    "land_boundaries_km",
    "source_id",
)
BORDER_COLUMNS = ("country", "neighbor", "length_km", "note", "source_id")
INDICATOR_COLUMNS = ("country", "indicator", "year", "value", "value_max", "note", "source_id")
ETHNIC_COLUMNS = ("country", "year", "group", "percent", "percent_max", "note", "source_id")
AGE_COLUMNS = ("country", "year", "age_band", "percent", "note", "source_id")


@dataclass
class ParseProblem:
    snapshot: str  # e.g. "2026-01-22"
    country: str  # iso3 (or gec when unmapped)
    field: str  # Factbook field path, e.g. "Geography/Area/total"
    text: str  # the raw text that could not be parsed
    reason: str


@dataclass
class FactbookExtract:
    countries: list[dict]
    borders: list[dict]
    demographics: list[dict]
    forces: list[dict]
    infrastructure: list[dict]
    ethnic_groups: list[dict]
    age_structure: list[dict]
    problems: list[ParseProblem]
    # values left out, kept once or merged on purpose (not parse failures), with the reason
    decisions: list[ParseProblem] = field(default_factory=list)
    merged_identical: dict[str, int] = field(default_factory=dict)  # table -> rows several editions gave alike
    # where each kept row came from: provenance_key(table, row) -> (snapshot, field path, raw text)
    provenance: dict[tuple[str, ...], tuple[str, str, str]] = field(default_factory=dict)


def provenance_key(table: str, row: dict) -> tuple[str, ...]:
    """The key of a row of an indicator or list table, as text (rows read back from CSV match it)."""
    if table in ("demographics", "forces", "infrastructure"):
        parts = (row["country"], row["indicator"], row["year"])
    else:
        parts = (row["country"], row["year"], row.get("group", row.get("age_band")))
    return (table, *(str(p) for p in parts))


def source_id(snapshot: str) -> str:
    return f"factbook-{snapshot}"


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    gec: str  # lower case, the file name
    region_folder: str
    data: dict
    path: Path


def load_snapshot(folder: Path) -> dict[str, Profile]:
    """Every profile in the snapshot's region folders, by GEC code."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: folder not found")
    profiles: dict[str, Profile] = {}
    for region_dir in sorted(p for p in folder.iterdir() if p.is_dir() and p.name in REGIONS):
        for path in sorted(region_dir.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise SourceError(f"{path}:{error.lineno}: invalid JSON: {error.msg}") from None
            except UnicodeDecodeError as error:
                raise SourceError(f"{path}: not UTF-8 ({error.reason})") from None
            if not isinstance(data, dict):
                raise SourceError(f"{path}:1: expected a JSON object of sections")
            profiles[path.stem.lower()] = Profile(path.stem.lower(), region_dir.name, data, path)
    return profiles


def node_at(data: Any, *path: str) -> Any:
    """The node at a path of keys, comparing keys without surrounding blanks ('total ')."""
    node = data
    for key in path:
        if not isinstance(node, dict):
            return None
        if key in node:
            node = node[key]
            continue
        node = next((value for k, value in node.items() if k.strip() == key), None)
    return node


_STRINGIFIED_TEXT = re.compile(r"^\{'text': '([^']*)'")


def text_of(node: Any) -> str | None:
    if isinstance(node, str):
        # The 2023-06-01 edition holds some entries as the printed form of a dict, cut short.
        stringified = _STRINGIFIED_TEXT.match(node)
        return stringified.group(1) if stringified else node
    if isinstance(node, dict) and isinstance(node.get("text"), str):
        return node["text"]
    return None


def entry_years(node: Any, *, own_text: bool = True, in_note: bool = False) -> set[int]:
    """Years that date an entry: every date on its value lines, and the date that ends a note
    (a note's body may cite other years). own_text=False skips the entry's own 'text'."""
    years: set[int] = set()
    if isinstance(node, str):
        if in_note:
            date = trailing_date(node)
            return {date.year} if date else set()
        return {d.year for d in find_dates(clean_text(node))}
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and not own_text:
                continue
            note = in_note or "note" in key.lower()
            years |= entry_years(value, in_note=note)
    return years


# --- countries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Territory:
    iso3: str
    iso2: str
    gec: str  # upper case
    name: str
    region: str
    independent: bool
    parts: tuple[str, ...]  # GEC codes (lower case) of the profiles it is built from


def build_territories(current: dict[str, Profile], codes: dict[str, CodeEntry]) -> list[Territory]:
    """One territory per ISO3 code that a current profile maps to."""
    by_iso3: dict[str, list[Profile]] = defaultdict(list)
    for gec, profile in current.items():
        if gec in NOT_COUNTRIES:
            continue
        iso3 = codes[gec].iso3 if gec in codes else EXTRA_GEC_TO_ISO3.get(gec)
        if iso3:
            by_iso3[iso3].append(profile)
    code_by_iso3 = {entry.iso3: entry for entry in codes.values()}
    territories = []
    for iso3, parts in sorted(by_iso3.items()):
        own = code_by_iso3[iso3]  # for a merged territory, the part the code table names (PSE: we)
        # A merged territory takes the code table's name: neither part's name covers it.
        name = profile_name(current[own.gec]) if len(parts) == 1 else None
        territories.append(
            Territory(
                iso3=iso3,
                iso2=own.iso2,
                gec=own.gec.upper(),
                name=name or own.name,
                region=REGIONS[current[own.gec].region_folder],
                independent=bool(own.independent) or iso3 in INDEPENDENT_OVERRIDES,
                parts=tuple(sorted(p.gec for p in parts)),
            )
        )
    return territories


def profile_name(profile: Profile) -> str | None:
    """The conventional short form, or None where the Factbook has 'none'."""
    text = text_of(node_at(profile.data, "Government", "Country name", "conventional short form"))
    cleaned = clean_text(text) if text else ""
    return cleaned if cleaned and cleaned.lower() != "none" else None


# --- the extraction ----------------------------------------------------------------------------


@dataclass
class _Candidate:
    """A row before parts are merged and snapshots deduplicated."""

    table: str
    row: dict
    snapshot: str
    part: str  # GEC of the profile it came from
    field: str
    raw: str  # the source text the row was read from
    undated: bool = False  # the year is the snapshot's, not the source's

    @property
    def undated_text(self) -> str | None:
        return clean_text(self.raw) if self.undated else None


@dataclass
class _Run:
    snapshot: str
    territory: Territory
    profile: Profile
    candidates: list[_Candidate] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    decisions: list[ParseProblem] = field(default_factory=list)

    def decide(self, field_path: str, text: str, reason: str) -> None:
        self.decisions.append(ParseProblem(self.snapshot, self.territory.iso3, field_path, text, reason))

    @property
    def snapshot_year(self) -> int:
        return int(self.snapshot[:4])

    def problem(self, field_path: str, text: Any, reason: str) -> None:
        raw = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)[:500]
        self.problems.append(ParseProblem(self.snapshot, self.territory.iso3, field_path, raw, reason))

    def year_for(
        self, measure_year: int | None, entry: Any, field_path: str, text: str
    ) -> tuple[int | None, str | None, bool]:
        """(year, note, undated): own year, else the entry's, else the snapshot's with a note."""
        if measure_year is not None:
            return measure_year, None, False
        years = entry_years(entry, own_text=False)
        if len(years) == 1:
            return years.pop(), None, False
        if len(years) > 1:
            self.problem(field_path, text, f"no own year and the entry gives several: {sorted(years)}")
            return None, None, False
        return self.snapshot_year, YEAR_FROM_SNAPSHOT, True

    def indicator(
        self,
        table: str,
        indicator: str,
        measure: Measure,
        entry: Any,
        field_path: str,
        text: str,
    ) -> None:
        year, year_note, undated = self.year_for(measure.year, entry, field_path, text)
        if year is None:
            return
        if year > self.snapshot_year:
            self.problem(field_path, text, f"dated {year}, after the edition itself ({self.snapshot}): a typo")
            return
        if indicator in COUNT_INDICATORS and (
            not isinstance(measure.value, int) or not isinstance(measure.value_max, (int, type(None)))
        ):
            self.problem(field_path, text, f"{indicator} must be a whole number, got {measure.value}")
            return
        row = dict(
            zip(
                INDICATOR_COLUMNS,
                (
                    self.territory.iso3,
                    indicator,
                    year,
                    measure.value,
                    measure.value_max,
                    _join(measure.note, year_note),
                    source_id(self.snapshot),
                ),
            )
        )
        self.candidates.append(_Candidate(table, row, self.snapshot, self.profile.gec, field_path, text, undated))

    def parsed(
        self, path: tuple[str, ...], unit: str, pipelines: bool = False, strict: bool = False
    ) -> tuple[Measure, Any, str] | None:
        """(measure, node, text) at a path, or None when absent or unreadable (then a problem)."""
        node = node_at(self.profile.data, *path)
        if node is None:
            return None
        text = text_of(node)
        if text is None:
            self.problem("/".join(path), node, "no text where a value was expected")
            return None
        try:
            return (parse_pipelines(text) if pipelines else parse_measure(text, unit, strict=strict)), node, text
        except TextParseError as error:
            self.problem("/".join(path), text, str(error))
            return None

    def measured(
        self, table: str, indicator: str, path: tuple[str, ...], unit: str, entry_path: tuple[str, ...] | None = None
    ) -> None:
        found = self.parsed(path, unit, pipelines=indicator == "pipelines_km")
        if found is None:
            return
        measure, node, text = found
        entry = node_at(self.profile.data, *entry_path) if entry_path else node
        self.indicator(table, indicator, measure, entry, "/".join(path), text)


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


# --- per-table readers (one profile, one snapshot) ---------------------------------------------


def read_geography(run: _Run) -> dict[str, Any]:
    """Area, coastline and land boundaries of one profile; None where unreadable."""
    data = run.profile.data
    values: dict[str, Any] = {}
    for column, key in (("area_km2", "total"), ("land_area_km2", "land"), ("water_area_km2", "water")):
        values[column] = _strict_value(run, ("Geography", "Area", key), "sq km")
    coastline = _strict_value(run, ("Geography", "Coastline"), "km")
    values["coastline_km"] = coastline
    values["landlocked"] = None if coastline is None else coastline == 0
    boundaries_text = text_of(node_at(data, "Geography", "Land boundaries", "total"))
    if boundaries_text is not None and clean_text(boundaries_text).lower() == "none":
        values["land_boundaries_km"] = 0
    else:
        values["land_boundaries_km"] = _strict_value(run, ("Geography", "Land boundaries", "total"), "km")
    return values


def _strict_value(run: _Run, path: tuple[str, ...], unit: str) -> Any:
    found = run.parsed(path, unit, strict=True)
    return None if found is None else found[0].value


def read_border_segments(run: _Run) -> list[tuple[str, BorderSegment]]:
    """(field path, segment) for every border list of the profile ('border countries',
    'regional borders' of Hong Kong and Macau, 'border sovereign base areas' of Cyprus)."""
    boundaries = node_at(run.profile.data, "Geography", "Land boundaries")
    segments = []
    if not isinstance(boundaries, dict):
        return segments
    for key, node in boundaries.items():
        if "border" not in key.lower() or text_of(node) is None:
            continue
        field_path = f"Geography/Land boundaries/{key.strip()}"
        found, unread = parse_border_list(text_of(node))
        for text, reason in unread:
            run.problem(field_path, text, reason)
        segments += [(field_path, segment) for segment in found]
    return segments


def read_population(run: _Run) -> None:
    node = node_at(run.profile.data, "People and Society", "Population")
    if isinstance(node, dict) and "total" in node:
        run.measured(
            "demographics",
            "population",
            ("People and Society", "Population", "total"),
            "count",
            ("People and Society", "Population"),
        )
    else:
        run.measured("demographics", "population", ("People and Society", "Population"), "count")


_ENTRY_INCLUDES = re.compile(r"entry includes ([^;.]+)", re.IGNORECASE)


def read_labor_force(run: _Run) -> None:
    """The labour force; an entry the source marks as combined ('entry includes Jersey and
    Guernsey') says so in the note, so the figure is not read as the country's own."""
    found = run.parsed(("Economy", "Labor force"), "count")
    if found is None:
        return
    measure, node, text = found
    includes = _ENTRY_INCLUDES.search(clean_text(json.dumps(node.get("note", "")) if isinstance(node, dict) else ""))
    if includes:
        combined = f"{COMBINED_NOTE} (the source: entry includes {includes.group(1).strip()})"
        measure = Measure(measure.value, measure.value_max, measure.year, _join(measure.note, combined))
    run.indicator("demographics", "labor_force", measure, node, "Economy/Labor force", text)


MANPOWER_FIELDS = {
    "manpower_available": ("Manpower available for military service", "males age 16-49", "females age 16-49"),
    "manpower_fit_for_service": ("Manpower fit for military service", "males age 16-49", "females age 16-49"),
    "manpower_reaching_military_age": ("Manpower reaching militarily significant age annually", "male", "female"),
}


def read_manpower(run: _Run) -> None:
    """Males and females added up; the year ends the entry (usually the females line)."""
    for indicator, (entry_key, male_key, female_key) in MANPOWER_FIELDS.items():
        entry = node_at(run.profile.data, "Military", entry_key)
        if entry is None:
            continue
        field_path = f"Military/{entry_key}"
        male_text, female_text = text_of(node_at(entry, male_key)), text_of(node_at(entry, female_key))
        if male_text is None or female_text is None:
            run.problem(field_path, entry, "males and females are not both given; not added up")
            continue
        try:
            male, female = parse_measure(male_text), parse_measure(female_text)
        except TextParseError as error:
            run.problem(field_path, f"{male_text} | {female_text}", str(error))
            continue
        if male.value_max is not None or female.value_max is not None:
            run.problem(field_path, f"{male_text} | {female_text}", "a range cannot be added up")
            continue
        years = {y for y in (male.year, female.year) if y is not None}
        if len(years) > 1:
            run.problem(
                field_path, f"{male_text} | {female_text}", f"males and females dated differently: {sorted(years)}"
            )
            continue
        total = Measure(
            male.value + female.value,
            None,
            years.pop() if years else None,
            _join(f"males {male.value:,} + females {female.value:,}", male.note, female.note),
        )
        run.indicator("demographics", indicator, total, entry, field_path, f"{male_text} | {female_text}")


def read_military_expenditures(run: _Run) -> None:
    """Yearly % of GDP: one text of several years (2016 '++', 2020 ' / ') or one key per year."""
    section = "Military" if run.snapshot == MANPOWER_SNAPSHOT else "Military and Security"
    entry = node_at(run.profile.data, section, "Military expenditures")
    entry_path = f"{section}/Military expenditures"
    found: list[tuple[Measure, str, str]] = []  # (measure, field path, text)
    history = text_of(entry)
    if history is not None:
        for result in parse_expenditure_history(history):
            if isinstance(result, TextParseError):
                run.problem(entry_path, history, str(result))
            else:
                found.append((result, entry_path, history))
    elif isinstance(entry, dict):
        for key, node in entry.items():
            field_path = f"{entry_path}/{key.strip()}"
            text = text_of(node)
            if key.strip() == "note" or text is None:
                continue
            try:
                measure = parse_measure(text, "% of GDP")
            except TextParseError as error:
                run.problem(field_path, text, str(error))
                continue
            key_year = key.strip().rsplit(" ", 1)[-1]
            if measure.year is None and key_year.isdigit():
                measure = Measure(measure.value, measure.value_max, int(key_year), measure.note)
            found.append((measure, field_path, text))
    for measure, field_path, text in without_copies(run, found):
        run.indicator("forces", "military_expenditure_pct_gdp", measure, None, field_path, text)


def without_copies(run: _Run, found: list[tuple[Measure, str, str]]) -> list[tuple[Measure, str, str]]:
    """An older year's value that repeats a newer year's of the same entry is not a value of its own.

    The 2016 edition wrote 'X% (2012) ++ Y% (2011) ++ X% (2010)' for 111 of 116 countries (South
    Sudan has a 2010 figure): its oldest figure equal to its newest is a copy and is left out.
    Elsewhere a repeat (rounded yearly estimates, '2% (2024 est.)', '2% (2023 est.)') is kept
    with a note saying so, since the source gives each year on its own.
    """
    dated = sorted((f for f in found if f[0].year is not None), key=lambda f: -f[0].year)
    if not dated:
        return found
    newest = dated[0][0]
    kept = [f for f in found if f[0].year is None]
    for index, (measure, field_path, text) in enumerate(dated):
        same = [m for m, _, _ in dated[:index] if (m.value, m.value_max) == (measure.value, measure.value_max)]
        if not same:
            kept.append((measure, field_path, text))
            continue
        if run.snapshot == MANPOWER_SNAPSHOT and index == len(dated) - 1 and (measure.value, measure.value_max) == (
            newest.value,
            newest.value_max,
        ):
            run.decide(
                field_path,
                text,
                f"{measure.year} left out: the same value as {newest.year} in the same entry, which this edition"
                " repeats as its oldest figure",
            )
            continue
        note = _join(measure.note, f"same value as {same[-1].year} in the same entry of this edition")
        kept.append((Measure(measure.value, measure.value_max, measure.year, note), field_path, text))
    return kept


PERSONNEL_INDICATORS = {
    "active": "active_personnel",
    "paramilitary": "paramilitary_personnel",
    "reserve": "reserve_personnel",
}


def read_personnel(run: _Run) -> None:
    field_path = "Military and Security/Military and security service personnel strengths"
    text = text_of(node_at(run.profile.data, *field_path.split("/")))
    if text is None:
        return
    strengths = parse_personnel_strengths(text)
    for clause, reason in strengths.unread:
        run.problem(field_path, clause, reason)
    by_kind: dict[str, list] = defaultdict(list)
    for figure in strengths.figures:
        by_kind[figure.kind].append(figure)
    for kind, figures in by_kind.items():
        if len(figures) > 1:
            run.problem(field_path, text, f"several {kind} figures; not added up")
            continue
        figure = figures[0]
        measure = Measure(figure.value, figure.value_max, strengths.year, figure.wording)
        run.indicator("forces", PERSONNEL_INDICATORS[kind], measure, None, field_path, text)


def _airports_path(run: _Run) -> tuple[str, ...]:
    node = node_at(run.profile.data, "Transportation", "Airports")
    return ("Transportation", "Airports", "total") if isinstance(node, dict) and "total" in node else ("Transportation", "Airports")


def read_yearly_transport(run: _Run) -> None:
    """The yearly editions: airports, railways, roads, waterways, pipelines. Their paved/unpaved
    airports are not read: dated in other years than the totals beside them, they do not break
    down the totals the series keeps (Austria 2021: 24 + 28 beside 50)."""
    found = run.parsed(_airports_path(run), "count")
    if found is not None:
        run.indicator("infrastructure", "airports", found[0], None, "/".join(_airports_path(run)), found[2])
    run.measured(
        "infrastructure", "railways_km", ("Transportation", "Railways", "total"), "km", ("Transportation", "Railways")
    )
    read_roads_waterways_pipelines(run)


def read_current_infrastructure(run: _Run) -> None:
    run.measured("infrastructure", "airports", ("Transportation", "Airports"), "count")
    run.measured("infrastructure", "heliports", ("Transportation", "Heliports"), "count")
    run.measured(
        "infrastructure", "railways_km", ("Transportation", "Railways", "total"), "km", ("Transportation", "Railways")
    )
    run.measured(
        "infrastructure", "ports", ("Transportation", "Ports", "total ports"), "count", ("Transportation", "Ports")
    )


def read_airport_runways(run: _Run) -> None:
    """Paved and unpaved airports, with the snapshot's own 'Airports' total they break down.

    The two lines carry no date. When they add up exactly to the 'Airports' count of the same
    snapshot, they are that count split in two and take its year. Otherwise they are an older
    breakdown the Factbook never dated (Argentina's add up to 1,138 beside a 2021 total of 916):
    the year they describe is unknown, so they are reported, not given the snapshot's year.
    """
    total = run.parsed(_airports_path(run), "count")
    if total is not None:
        run.indicator("infrastructure", "airports", total[0], None, "Transportation/Airports", total[2])
    runways = {}
    for indicator, key in (
        ("airports_paved", "Airports - with paved runways"),
        ("airports_unpaved", "Airports - with unpaved runways"),
    ):
        node = node_at(run.profile.data, "Transportation", key)
        path = (
            ("Transportation", key, "total") if isinstance(node, dict) and "total" in node else ("Transportation", key)
        )
        found = run.parsed(path, "count")
        if found is not None:
            measure, found_node, text = found
            entry_dates = entry_years(node, own_text=False) if len(path) == 3 else set()
            if measure.year is None and len(entry_dates) == 1:  # the entry is dated once, on its last line
                found = (Measure(measure.value, measure.value_max, entry_dates.pop(), measure.note), found_node, text)
            runways[indicator] = (found, path)
    # Paved + unpaved equal to the dated total: the undated ones are that count split in two
    # (Algeria 2024: paved '67 (2023)', unpaved '82', total '149 (2021)').
    adds_up = (
        total is not None
        and total[0].year is not None
        and len(runways) == 2
        and all(measure.value_max is None for (measure, _, _), _ in runways.values())
        and sum(measure.value for (measure, _, _), _ in runways.values()) == total[0].value
    )
    undated = any(measure.year is None for (measure, _, _), _ in runways.values())
    if runways and undated and not adds_up:
        parts = sum(measure.value for (measure, _, _), _ in runways.values())
        for indicator, ((measure, node, text), path) in runways.items():
            if measure.year is not None:
                continue
            total_text = f"{total[0].value} ({total[0].year})" if total is not None else "none"
            run.problem(
                "/".join(path), text,
                f"undated, and paved + unpaved ({parts}) is not the snapshot's 'Airports' count {total_text}: year unknown",
            )
        runways = {k: v for k, v in runways.items() if v[0][0].year is not None}
    for indicator, ((measure, node, text), path) in runways.items():
        if adds_up and measure.year is None:
            note = _join(measure.note, "year of the 'Airports' count that paved and unpaved add up to")
            measure = Measure(measure.value, measure.value_max, total[0].year, note)
        run.indicator("infrastructure", indicator, measure, None, "/".join(path), text)


def read_roads_waterways_pipelines(run: _Run) -> None:
    for indicator, key in (
        ("roadways_km", "total"),
        ("roadways_paved_km", "paved"),
        ("roadways_unpaved_km", "unpaved"),
    ):
        run.measured(
            "infrastructure", indicator, ("Transportation", "Roadways", key), "km", ("Transportation", "Roadways")
        )
    run.measured("infrastructure", "waterways_km", ("Transportation", "Waterways"), "km")
    run.measured("infrastructure", "pipelines_km", ("Transportation", "Pipelines"), "km")


def read_ethnic_groups(run: _Run) -> None:
    field_path = "People and Society/Ethnic groups"
    node = node_at(run.profile.data, "People and Society", "Ethnic groups")
    text = text_of(node)
    if text is None:
        return
    parsed = parse_ethnic_groups(text)
    for item, reason in parsed.unread:
        run.problem(field_path, item, reason)
    if not parsed.shares:
        return
    year, year_note, undated = run.year_for(parsed.date.year if parsed.date else None, node, field_path, text)
    if year is None:
        return
    names = [share.group for share in parsed.shares]
    repeated = {name for name in names if names.count(name) > 1}
    for name in sorted(repeated):
        run.problem(field_path, text, f"group {name!r} appears twice in one list; both left out")
    for share in parsed.shares:
        if share.group in repeated:
            continue
        row = dict(
            zip(
                ETHNIC_COLUMNS,
                (
                    run.territory.iso3,
                    year,
                    share.group,
                    share.percent,
                    share.percent_max,
                    _join(share.note, parsed.date.note if parsed.date else None, year_note),
                    source_id(run.snapshot),
                ),
            )
        )
        run.candidates.append(
            _Candidate("ethnic_groups", row, run.snapshot, run.profile.gec, field_path, text, undated)
        )


AGE_BANDS = {"0-14": ("0-14 years",), "15-64": ("15-64 years",), "65+": ("65 years and over",)}
OLD_MIDDLE_BANDS = ("15-24 years", "25-54 years", "55-64 years")


def read_age_structure(run: _Run) -> None:
    field_path = "People and Society/Age structure"
    node = node_at(run.profile.data, "People and Society", "Age structure")
    if not isinstance(node, dict):
        return
    bands: dict[str, tuple[Decimal, str | None]] = {}
    years: set[int] = set()
    for key in ("0-14 years", "15-64 years", "65 years and over", *OLD_MIDDLE_BANDS):
        text = text_of(node_at(node, key))
        if text is None:
            continue
        try:
            measure = parse_measure(text, "%")
        except TextParseError as error:
            run.problem(f"{field_path}/{key}", text, str(error))
            continue
        bands[key] = (Decimal(str(measure.value)), None)
        years |= {measure.year} if measure.year is not None else set()
    if "15-64 years" not in bands and all(key in bands for key in OLD_MIDDLE_BANDS):
        middle = sum(bands[key][0] for key in OLD_MIDDLE_BANDS)
        bands["15-64 years"] = (middle.quantize(Decimal("0.01")), "sum of the 15-24, 25-54 and 55-64 bands")
    if not bands:
        return
    if len(years) > 1:
        run.problem(field_path, node, f"bands dated differently: {sorted(years)}")
        return
    year, year_note, undated = (years.pop(), None, False) if years else (run.snapshot_year, YEAR_FROM_SNAPSHOT, True)
    for band, (key,) in AGE_BANDS.items():
        if key not in bands:
            continue
        percent, note = bands[key]
        value = int(percent) if percent == percent.to_integral_value() else float(percent)
        row = dict(
            zip(AGE_COLUMNS, (run.territory.iso3, year, band, value, _join(note, year_note), source_id(run.snapshot)))
        )
        run.candidates.append(
            _Candidate(
                "age_structure",
                row,
                run.snapshot,
                run.profile.gec,
                field_path,
                json.dumps(node, sort_keys=True, ensure_ascii=False),
                undated,
            )
        )


def readers_for(snapshot: str) -> list:
    if snapshot in YEARLY_SNAPSHOTS:
        return [read_population, read_military_expenditures, read_personnel, read_yearly_transport]
    readers = [read_population, read_labor_force, read_military_expenditures, read_ethnic_groups, read_age_structure]
    if snapshot == MANPOWER_SNAPSHOT:
        readers.append(read_manpower)
    else:
        readers.append(read_personnel)
    if snapshot == INFRASTRUCTURE_SNAPSHOTS["current"]:
        readers.append(read_current_infrastructure)
    if snapshot == INFRASTRUCTURE_SNAPSHOTS["roads"]:
        readers.append(read_roads_waterways_pipelines)
    if snapshot == INFRASTRUCTURE_SNAPSHOTS["airport_runways"]:
        readers.append(read_airport_runways)
    return readers


# --- assembling -----------------------------------------------------------------------------


def extract_factbook(sources_dir: Path) -> FactbookExtract:
    """Read the Factbook snapshots under `sources_dir` and return rows and problems."""
    sources_dir = Path(sources_dir)
    codes = read_code_table(sources_dir / CODES_FILE)
    snapshots = {snapshot: load_snapshot(sources_dir / "factbook" / snapshot) for snapshot in SNAPSHOTS}
    territories = build_territories(snapshots[CURRENT], codes)
    problems: list[ParseProblem] = []
    decisions: list[ParseProblem] = []

    countries, borders = [], []
    name_to_iso3 = build_name_index(territories, snapshots[CURRENT], codes)
    for territory in territories:
        runs = [_geography_run(territory, gec, snapshots) for gec in territory.parts]
        countries.append(country_row(territory, runs))
        borders += border_rows(territory, runs, name_to_iso3)
        problems += [p for run in runs for p in run.problems]
        decisions += [d for run in runs for d in run.decisions]

    candidates: list[_Candidate] = []
    for snapshot in SNAPSHOTS:
        profiles = snapshots[snapshot]
        renamed = FORMER_GEC.get(snapshot, {})
        by_gec = {renamed.get(gec, gec): profile for gec, profile in profiles.items()}
        for territory in territories:
            runs = [_Run(snapshot, territory, by_gec[gec]) for gec in territory.parts if gec in by_gec]
            for run in runs:
                for reader in readers_for(snapshot):
                    reader(run)
            merged, merge_problems = merge_parts(territory, runs)
            candidates += merged
            problems += [p for run in runs for p in run.problems] + merge_problems
            decisions += [d for run in runs for d in run.decisions]
            decisions += [d for d in merge_problems if d.reason.startswith(COMBINED_NOTE)]

    problems = [p for p in problems if not p.reason.startswith(COMBINED_NOTE)]
    tables, merging = keep_newest(candidates)
    decisions += merging.decisions
    mark_shared_figures(tables)
    return FactbookExtract(
        countries=countries,
        borders=borders,
        demographics=tables["demographics"],
        forces=tables["forces"],
        infrastructure=tables["infrastructure"],
        ethnic_groups=tables["ethnic_groups"],
        age_structure=tables["age_structure"],
        problems=problems,
        decisions=decisions,
        merged_identical=merging.identical,
        provenance=merging.provenance,
    )


def _geography_run(territory: Territory, gec: str, snapshots: dict[str, dict[str, Profile]]) -> _Run:
    """The run that gives a profile's geography and borders: the current edition's, or an older
    one where the newer editions count another territory (GEOGRAPHY_SNAPSHOT)."""
    if gec not in GEOGRAPHY_SNAPSHOT:
        return _Run(CURRENT, territory, snapshots[CURRENT][gec])
    snapshot, reason = GEOGRAPHY_SNAPSHOT[gec]
    run = _Run(snapshot, territory, snapshots[snapshot][gec])
    run.decide("Geography", f"geography and borders of the {snapshot} edition", reason)
    return run


GEOGRAPHY_FIELDS = {
    "area_km2": "Geography/Area/total",
    "land_area_km2": "Geography/Area/land",
    "water_area_km2": "Geography/Area/water",
    "coastline_km": "Geography/Coastline",
    "land_boundaries_km": "Geography/Land boundaries/total",
}


def country_row(territory: Territory, runs: list[_Run]) -> dict:
    """The countries row; for a territory of several profiles the geography is added up."""
    parts = [read_geography(run) for run in runs]
    values: dict[str, Any] = {}
    for column, field_path in GEOGRAPHY_FIELDS.items():
        given = [part[column] for part in parts]
        if len(given) > 1 and any(v is None for v in given) and any(v is not None for v in given):
            runs[0].problem(field_path, str(given), "not given for every part of the territory; not added up")
        values[column] = None if any(v is None for v in given) else _plain_sum(given)
    values["landlocked"] = None if values["coastline_km"] is None else values["coastline_km"] == 0
    total, land, water = values["area_km2"], values["land_area_km2"], values["water_area_km2"]
    if total is not None and land is not None and total < land:
        # Holy See: '0 sq km' total beside '0.44 sq km' land: the total was rounded to zero.
        values["area_km2"] = _plain_sum([land, water or 0])
        runs[0].decide(
            GEOGRAPHY_FIELDS["area_km2"],
            f"total {total} sq km, land {land} sq km",
            f"total smaller than the land area (rounded down); taken as land + water = {values['area_km2']}",
        )
    for run in runs:
        if run.profile.gec in AREA_INCLUDES_ANOTHER:
            run.decide(
                GEOGRAPHY_FIELDS["area_km2"],
                f"total {values['area_km2']} sq km, land {values['land_area_km2']} sq km",
                f"area and land area left out: {AREA_INCLUDES_ANOTHER[run.profile.gec]}",
            )
            values["area_km2"] = values["land_area_km2"] = None
    return dict(
        zip(
            COUNTRY_COLUMNS,
            (
                territory.iso3,
                territory.iso2,
                territory.gec,
                territory.name,
                territory.region,
                territory.independent,
                values["area_km2"],
                values["land_area_km2"],
                values["water_area_km2"],
                values["coastline_km"],
                values["landlocked"],
                values["land_boundaries_km"],
                source_id(runs[0].snapshot),
            ),
        )
    )


def _plain_sum(values: Iterable[Any]) -> Any:
    total = sum(Decimal(str(v)) for v in values)
    return int(total) if total == total.to_integral_value() else float(total)


def build_name_index(
    territories: list[Territory], current: dict[str, Profile], codes: dict[str, CodeEntry]
) -> dict[str, str]:
    """Name key -> ISO3 from the profiles' own names, the code table and NAME_ALIASES.

    A key claimed by two territories is dropped (ambiguous); aliases win over both.
    """
    claims: dict[str, set[str]] = defaultdict(set)
    in_extract = {t.iso3 for t in territories}
    for territory in territories:
        for gec in territory.parts:
            country_name = node_at(current[gec].data, "Government", "Country name")
            for form in ("conventional short form", "conventional long form"):
                text = text_of(node_at(country_name, form))
                if text and clean_text(text).lower() != "none":
                    claims[name_key(text)].add(territory.iso3)
        claims[name_key(territory.name)].add(territory.iso3)
    for entry in codes.values():
        if entry.iso3 in in_extract:
            claims[name_key(entry.name)].add(entry.iso3)
    index = {key: next(iter(isos)) for key, isos in claims.items() if len(isos) == 1}
    index.update({name_key(alias): iso3 for alias, iso3 in NAME_ALIASES.items() if iso3 in in_extract})
    return index


def border_rows(territory: Territory, runs: list[_Run], name_to_iso3: dict[str, str]) -> list[dict]:
    """One row per neighbour as the territory's own profile(s) list it; segments added up."""
    segments_by_neighbor: dict[str, list[str]] = defaultdict(list)
    lengths: dict[str, list] = defaultdict(list)
    annotated: dict[str, bool] = defaultdict(bool)
    part_names = {run.profile.gec: profile_name(run.profile) or run.profile.gec for run in runs}
    for run in runs:
        for field_path, segment in read_border_segments(run):
            full_key, base_key = name_key(f"{segment.name} ({segment.qualifier})"), name_key(segment.name)
            neighbor = name_to_iso3.get(full_key) if segment.qualifier else None
            neighbor = neighbor or name_to_iso3.get(base_key)
            if neighbor is None:
                run.problem(field_path, segment.wording, f"neighbour {segment.name!r} is not a country in the extract")
                continue
            if neighbor == territory.iso3:
                run.problem(field_path, segment.wording, "a territory cannot border itself")
                continue
            via_alias = base_key in {name_key(a) for a in PART_ALIASES}
            wording = segment.wording
            if len(runs) > 1:
                wording += f" (from the {part_names[run.profile.gec]} profile)"
            if field_path.endswith("regional borders"):
                wording += " (regional border)"
            segments_by_neighbor[neighbor].append(wording)
            lengths[neighbor].append(segment.length_km)
            annotated[neighbor] |= bool(
                segment.qualifier
                or segment.remark
                or via_alias
                or len(runs) > 1
                or field_path.endswith("regional borders")
            )
    rows = []
    for neighbor, wordings in segments_by_neighbor.items():
        if len(wordings) > 1:
            note = "sum of " + " and ".join(wordings)
        else:
            note = wordings[0] if annotated[neighbor] else None
        rows.append(
            dict(
                zip(
                    BORDER_COLUMNS,
                    (territory.iso3, neighbor, _plain_sum(lengths[neighbor]), note, source_id(runs[0].snapshot)),
                )
            )
        )
    return rows


def merge_parts(territory: Territory, runs: list[_Run]) -> tuple[list[_Candidate], list[ParseProblem]]:
    """Rows of a territory built from several profiles: counts added up, shares reported."""
    candidates = [c for run in runs for c in run.candidates]
    if len(territory.parts) == 1:
        return candidates, []
    problems: list[ParseProblem] = []
    snapshot = runs[0].snapshot if runs else CURRENT
    merged: list[_Candidate] = []
    groups: dict[tuple, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.table in ("ethnic_groups", "age_structure"):
            groups[(candidate.table, candidate.field, candidate.part)].append(candidate)
            continue
        groups[(candidate.table, candidate.row["indicator"], candidate.row["year"])].append(candidate)
    reported_shares: set[tuple] = set()
    for key, group in groups.items():
        table = key[0]
        if table in ("ethnic_groups", "age_structure") or key[1] not in ADDITIVE_INDICATORS:
            share_key = (table, group[0].field)
            if share_key not in reported_shares:
                reported_shares.add(share_key)
                problems.append(
                    ParseProblem(
                        snapshot,
                        territory.iso3,
                        group[0].field,
                        group[0].raw,
                        f"shares of {' and '.join(territory.parts)} are not merged into {territory.iso3}",
                    )
                )
            continue
        parts_given = {c.part for c in group}
        if parts_given != set(territory.parts) or len(group) != len(territory.parts):
            missing = sorted(set(territory.parts) - parts_given)
            problems.append(
                ParseProblem(
                    snapshot,
                    territory.iso3,
                    group[0].field,
                    group[0].raw,
                    (
                        f"{key[1]} {key[2]} given by {', '.join(sorted(parts_given))} only"
                        f" (not {', '.join(missing)}); not added up"
                        if missing
                        else f"{key[1]} {key[2]} given twice by one part"
                    ),
                )
            )
            continue
        if len({(c.row["value"], c.row["value_max"]) for c in group}) == 1:
            # Both profiles give the one figure of the whole (PSE labour force: 'entry includes
            # West Bank and Gaza Strip'): kept once, never added up.
            parts = " and ".join(territory.parts)
            row = dict(group[0].row)
            notes = [n for n in dict.fromkeys(c.row["note"] for c in group) if n]
            said = any(COMBINED_NOTE in n for n in notes)
            row["note"] = _join(None if said else COMBINED_NOTE, *notes, f"the {parts} profiles give the same figure; not added up")
            merged.append(
                _Candidate(table, row, group[0].snapshot, "+".join(territory.parts), group[0].field, group[0].raw, all(c.undated for c in group))
            )
            problems.append(
                ParseProblem(
                    snapshot,
                    territory.iso3,
                    group[0].field,
                    group[0].raw,
                    f"{COMBINED_NOTE}: {key[1]} {key[2]} is the same in the {parts} profiles; kept once, not added up",
                )
            )
            continue
        row = dict(group[0].row)
        row["value"] = _plain_sum(c.row["value"] for c in group)
        maxima = [c.row["value_max"] if c.row["value_max"] is not None else c.row["value"] for c in group]
        row["value_max"] = _plain_sum(maxima) if any(c.row["value_max"] is not None for c in group) else None
        row["note"] = _join(f"sum of the {' and '.join(territory.parts)} profiles", *(c.row["note"] for c in group))
        raw = " | ".join(c.raw for c in group)
        merged.append(
            _Candidate(
                table,
                row,
                group[0].snapshot,
                "+".join(territory.parts),
                group[0].field,
                raw,
                all(c.undated for c in group),
            )
        )
    return merged, problems


INDICATOR_TABLES = ("demographics", "forces", "infrastructure")


@dataclass
class Merging:
    decisions: list[ParseProblem] = field(default_factory=list)
    identical: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    provenance: dict[tuple[str, ...], tuple[str, str, str]] = field(default_factory=dict)


def _unit_key(first: _Candidate) -> tuple:
    if first.table in INDICATOR_TABLES:
        return (first.table, first.row["country"], first.row["indicator"], first.row["year"])
    return (first.table, first.row["country"], first.row["year"])


def _unit_content(unit: list[_Candidate]) -> tuple:
    first = unit[0]
    if first.table in INDICATOR_TABLES:
        return (first.table, first.row["country"], first.row["indicator"], first.row["value"], first.row["value_max"])
    shares = sorted(tuple(v for k, v in c.row.items() if k in ("group", "age_band", "percent", "percent_max")) for c in unit)
    return (first.table, first.row["country"], tuple(shares))


def _describe(unit: list[_Candidate]) -> str:
    first = unit[0]
    if first.table in INDICATOR_TABLES:
        low, high = first.row["value"], first.row["value_max"]
        return f"{low}" if high is None else f"{low}-{high}"
    return ", ".join(f"{c.row.get('group') or c.row.get('age_band')} {c.row['percent']}" for c in unit)


def keep_newest(candidates: list[_Candidate]) -> tuple[dict[str, list[dict]], Merging]:
    """One row per key; lists (ethnic groups, age structure) are kept or dropped whole.

    - An undated value (or list) is kept once, from the oldest edition that gives it, never
      re-stamped with each later edition's year.
    - A dated value given by several editions for the same year is one row citing the newest;
      when an older edition gives a different value, the newer is kept and the difference is
      recorded as a decision for the import report, never dropped silently.
    - A dated value beats an undated one that fell on the same year.
    """
    rank = {snapshot: index for index, snapshot in enumerate(SNAPSHOTS)}
    merging = Merging()
    units: dict[tuple, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.table in INDICATOR_TABLES:
            units[(id(candidate),)].append(candidate)
        else:
            units[(candidate.table, candidate.row["country"], candidate.snapshot, candidate.row["year"])].append(candidate)
    first_given: dict[tuple, list[_Candidate]] = {}
    dated: list[list[_Candidate]] = []
    for unit in units.values():
        if not all(c.undated for c in unit):
            dated.append(unit)
            continue
        content = _unit_content(unit)
        earlier = first_given.get(content)
        if earlier is None or rank[unit[0].snapshot] > rank[earlier[0].snapshot]:
            first_given[content] = unit
    for content, unit in first_given.items():
        later = sorted({u[0].snapshot for u in units.values() if all(c.undated for c in u) and _unit_content(u) == content} - {unit[0].snapshot})
        if later:
            merging.identical[unit[0].table] += len(unit) * len(later)
    ordered = sorted(dated, key=lambda u: rank[u[0].snapshot]) + sorted(first_given.values(), key=lambda u: rank[u[0].snapshot])
    tables: dict[str, list[dict]] = {t: [] for t in (*INDICATOR_TABLES, "ethnic_groups", "age_structure")}
    kept: dict[tuple, list[_Candidate]] = {}
    for unit in ordered:
        key = _unit_key(unit[0])
        winner = kept.get(key)
        if winner is None:
            kept[key] = unit
            tables[unit[0].table] += [c.row for c in unit]
            for c in unit:
                merging.provenance[provenance_key(c.table, c.row)] = (c.snapshot, c.field, c.raw)
            continue
        if _unit_content(unit) == _unit_content(winner):
            merging.identical[unit[0].table] += len(unit)
            continue
        first = unit[0]
        what = first.row.get("indicator") or first.table.replace("_", " ")
        merging.decisions.append(
            ParseProblem(
                first.snapshot,
                first.row["country"],
                first.field,
                first.raw,
                f"{what} {first.row['year']}: this edition gives {_describe(unit)}, the newer {winner[0].snapshot} "
                f"gives {_describe(winner)}{' (undated here)' if all(c.undated for c in unit) else ''}; the newer kept",
            )
        )
    merging.identical = dict(merging.identical)
    return tables, merging


def mark_shared_figures(tables: dict[str, list[dict]]) -> None:
    """A figure the source marks as combined for some territories ('entry includes Jersey and
    Guernsey') is the same combined figure wherever those territories give it alike: say so in
    every such row, naming the territories that share it."""
    for table in INDICATOR_TABLES:
        by_figure: dict[tuple, list[dict]] = defaultdict(list)
        for row in tables[table]:
            by_figure[(row["indicator"], row["year"], row["value"], row["value_max"])].append(row)
        combined_groups = {
            frozenset(r["country"] for r in rows)
            for rows in by_figure.values()
            if len(rows) > 1 and any(COMBINED_NOTE in (r["note"] or "") for r in rows)
        }
        for (indicator, _, _, _), rows in by_figure.items():
            countries = frozenset(r["country"] for r in rows)
            if len(rows) < 2 or countries not in combined_groups:
                continue
            shared = f"shared by {' and '.join(sorted(countries))}"
            for row in rows:
                note = row["note"] or ""
                if COMBINED_NOTE not in note:
                    note = _join(COMBINED_NOTE, note or None)
                row["note"] = _join(note, shared) if shared not in note else note
