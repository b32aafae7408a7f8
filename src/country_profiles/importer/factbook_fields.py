"""Reading the fields of one profile in one edition into candidate rows (a Run), and the
problems met on the way. Which readers an edition gets is readers_for's choice."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from country_profiles.importer.factbook_profiles import (
    INFRASTRUCTURE_SNAPSHOTS,
    MANPOWER_SNAPSHOT,
    YEARLY_SNAPSHOTS,
    Profile,
    Territory,
    entry_years,
    node_at,
    text_of,
)
from country_profiles.importer.factbook_text import (
    BorderSegment,
    Measure,
    TextParseError,
    clean_text,
    parse_border_list,
    parse_ethnic_groups,
    parse_expenditure_history,
    parse_measure,
    parse_personnel_strengths,
    parse_pipelines,
)
from country_profiles.importer.notes import join_notes

# Figures a territory of several profiles adds up (merge_parts); the others are shares.
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
COUNT_INDICATORS = {name for name in ADDITIVE_INDICATORS if not name.endswith("_km")}  # lengths need not be whole
COMBINED_NOTE = "combined figure of several territories"
YEAR_FROM_SNAPSHOT = "undated in the source; year of the first edition that gives it"


@dataclass
class ParseProblem:
    snapshot: str  # e.g. "2026-01-22"
    country: str  # iso3 (or gec when unmapped)
    field: str  # Factbook field path, e.g. "Geography/Area/total"
    text: str  # the raw text that could not be parsed
    reason: str


def source_id(snapshot: str) -> str:
    return f"factbook-{snapshot}"


# --- a profile read in one edition -------------------------------------------------------------


@dataclass
class Candidate:
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
class Run:
    snapshot: str
    territory: Territory
    profile: Profile
    candidates: list[Candidate] = field(default_factory=list)
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

    def indicator(self, table: str, indicator: str, measure: Measure, entry: Any, field_path: str, text: str) -> None:
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
        row = {"country": self.territory.iso3, "indicator": indicator, "year": year, "value": measure.value,
               "value_max": measure.value_max, "note": join_notes(measure.note, year_note),
               "source_id": source_id(self.snapshot)}
        self.add(table, row, field_path, text, undated)

    def add(self, table: str, row: dict, field_path: str, raw: str, undated: bool) -> None:
        self.candidates.append(Candidate(table, row, self.snapshot, self.profile.gec, field_path, raw, undated))

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


# --- per-table readers (one profile, one snapshot) ---------------------------------------------


def read_geography(run: Run) -> dict[str, Any]:
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


def _strict_value(run: Run, path: tuple[str, ...], unit: str) -> Any:
    found = run.parsed(path, unit, strict=True)
    return None if found is None else found[0].value


def read_border_segments(run: Run) -> list[tuple[str, BorderSegment]]:
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


def _total_path(run: Run, *path: str) -> tuple[str, ...]:
    """The path of an entry's 'total' line where the entry has lines, else of the entry itself."""
    node = node_at(run.profile.data, *path)
    return (*path, "total") if isinstance(node, dict) and "total" in node else path


def read_population(run: Run) -> None:
    population = ("People and Society", "Population")
    run.measured("demographics", "population", _total_path(run, *population), "count", population)


_ENTRY_INCLUDES = re.compile(r"entry includes ([^;.]+)", re.IGNORECASE)


def read_labor_force(run: Run) -> None:
    """The labour force; an entry the source marks as combined ('entry includes Jersey and
    Guernsey') says so in the note, so the figure is not read as the country's own."""
    found = run.parsed(("Economy", "Labor force"), "count")
    if found is None:
        return
    measure, node, text = found
    includes = _ENTRY_INCLUDES.search(clean_text(json.dumps(node.get("note", "")) if isinstance(node, dict) else ""))
    if includes:
        combined = f"{COMBINED_NOTE} (the source: entry includes {includes.group(1).strip()})"
        measure = Measure(measure.value, measure.value_max, measure.year, join_notes(measure.note, combined))
    run.indicator("demographics", "labor_force", measure, node, "Economy/Labor force", text)


MANPOWER_FIELDS = {
    "manpower_available": ("Manpower available for military service", "males age 16-49", "females age 16-49"),
    "manpower_fit_for_service": ("Manpower fit for military service", "males age 16-49", "females age 16-49"),
    "manpower_reaching_military_age": ("Manpower reaching militarily significant age annually", "male", "female"),
}


def read_manpower(run: Run) -> None:
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
            join_notes(f"males {male.value:,} + females {female.value:,}", male.note, female.note),
        )
        run.indicator("demographics", indicator, total, entry, field_path, f"{male_text} | {female_text}")


def read_military_expenditures(run: Run) -> None:
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


def without_copies(run: Run, found: list[tuple[Measure, str, str]]) -> list[tuple[Measure, str, str]]:
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
        oldest_repeats_newest = index == len(dated) - 1 and (measure.value, measure.value_max) == (
            newest.value, newest.value_max)
        if run.snapshot == MANPOWER_SNAPSHOT and oldest_repeats_newest:
            run.decide(field_path, text, f"{measure.year} left out: the same value as {newest.year} in the same entry, "
                       "which this edition repeats as its oldest figure")
            continue
        note = join_notes(measure.note, f"same value as {same[-1].year} in the same entry of this edition")
        kept.append((Measure(measure.value, measure.value_max, measure.year, note), field_path, text))
    return kept


PERSONNEL_INDICATORS = {
    "active": "active_personnel",
    "paramilitary": "paramilitary_personnel",
    "reserve": "reserve_personnel",
}


def read_personnel(run: Run) -> None:
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


def read_yearly_transport(run: Run) -> None:
    """The yearly editions: airports, railways, roads, waterways, pipelines. Their paved/unpaved
    airports are not read: dated in other years than the totals beside them, they do not break
    down the totals the series keeps (Austria 2021: 24 + 28 beside 50)."""
    airports = _total_path(run, "Transportation", "Airports")
    found = run.parsed(airports, "count")
    if found is not None:
        run.indicator("infrastructure", "airports", found[0], None, "/".join(airports), found[2])
    _read_railways(run)
    read_roads_waterways_pipelines(run)


def read_current_infrastructure(run: Run) -> None:
    run.measured("infrastructure", "airports", ("Transportation", "Airports"), "count")
    run.measured("infrastructure", "heliports", ("Transportation", "Heliports"), "count")
    _read_railways(run)
    ports = ("Transportation", "Ports")
    run.measured("infrastructure", "ports", (*ports, "total ports"), "count", ports)


def _read_railways(run: Run) -> None:
    railways = ("Transportation", "Railways")
    run.measured("infrastructure", "railways_km", (*railways, "total"), "km", railways)


def read_airport_runways(run: Run) -> None:
    """Paved and unpaved airports, with the snapshot's own 'Airports' total they break down.

    The two lines carry no date. When they add up exactly to the 'Airports' count of the same
    snapshot, they are that count split in two and take its year. Otherwise they are an older
    breakdown the Factbook never dated (Argentina's add up to 1,138 beside a 2021 total of 916):
    the year they describe is unknown, so they are reported, not given the snapshot's year.
    """
    total = run.parsed(_total_path(run, "Transportation", "Airports"), "count")
    if total is not None:
        run.indicator("infrastructure", "airports", total[0], None, "Transportation/Airports", total[2])
    runways = {}
    for indicator, key in (
        ("airports_paved", "Airports - with paved runways"),
        ("airports_unpaved", "Airports - with unpaved runways"),
    ):
        node = node_at(run.profile.data, "Transportation", key)
        path = _total_path(run, "Transportation", key)
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
            note = join_notes(measure.note, "year of the 'Airports' count that paved and unpaved add up to")
            measure = Measure(measure.value, measure.value_max, total[0].year, note)
        run.indicator("infrastructure", indicator, measure, None, "/".join(path), text)


def read_roads_waterways_pipelines(run: Run) -> None:
    roadways = ("Transportation", "Roadways")
    for indicator, key in (("roadways_km", "total"), ("roadways_paved_km", "paved"), ("roadways_unpaved_km", "unpaved")):
        run.measured("infrastructure", indicator, (*roadways, key), "km", roadways)
    run.measured("infrastructure", "waterways_km", ("Transportation", "Waterways"), "km")
    run.measured("infrastructure", "pipelines_km", ("Transportation", "Pipelines"), "km")


def read_ethnic_groups(run: Run) -> None:
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
        note = join_notes(share.note, parsed.date.note if parsed.date else None, year_note)
        row = {"country": run.territory.iso3, "year": year, "group": share.group, "percent": share.percent,
               "percent_max": share.percent_max, "note": note, "source_id": source_id(run.snapshot)}
        run.add("ethnic_groups", row, field_path, text, undated)


AGE_BANDS = {"0-14": ("0-14 years",), "15-64": ("15-64 years",), "65+": ("65 years and over",)}
OLD_MIDDLE_BANDS = ("15-24 years", "25-54 years", "55-64 years")


def read_age_structure(run: Run) -> None:
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
        row = {"country": run.territory.iso3, "year": year, "age_band": band, "percent": value,
               "note": join_notes(note, year_note), "source_id": source_id(run.snapshot)}
        run.add("age_structure", row, field_path, json.dumps(node, sort_keys=True, ensure_ascii=False), undated)


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
