"""Read the CIA World Factbook snapshots and return rows for the country-profile tables.

`extract_factbook(sources_dir)` reads `factbook/<vintage>/<region>/<gec>.json` and
`country-codes-gec/Countrycodes.csv` and returns rows (dicts with exactly the columns of the
matching Table Schema) plus every text it could not read as a ParseProblem. It prints nothing
and writes nothing; sorting and writing are the caller's. This module assembles the tables;
factbook_profiles.py loads editions and profiles, factbook_fields.py reads a profile's fields,
factbook_merge.py makes the parts of a territory and the editions one.

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

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from country_profiles.importer.codes import CODES_FILE, CodeEntry, read_code_table
from country_profiles.importer.factbook_fields import (  # YEAR_FROM_SNAPSHOT: callers import it from here
    COMBINED_NOTE,
    YEAR_FROM_SNAPSHOT,
    ParseProblem,
    Run,
    read_border_segments,
    read_geography,
    readers_for,
    source_id,
)
from country_profiles.importer.factbook_merge import (  # provenance_key: callers import it from here
    Candidate,
    keep_newest,
    mark_shared_figures,
    merge_parts,
    plain_sum,
    provenance_key,
)
from country_profiles.importer.factbook_profiles import (
    CURRENT,
    FORMER_GEC,
    SNAPSHOTS,
    Profile,
    Territory,
    build_territories,
    load_snapshot,
    node_at,
    profile_name,
    text_of,
)
from country_profiles.importer.factbook_text import clean_text, name_key

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

    candidates: list[Candidate] = []
    for snapshot in SNAPSHOTS:
        profiles = snapshots[snapshot]
        renamed = FORMER_GEC.get(snapshot, {})
        by_gec = {renamed.get(gec, gec): profile for gec, profile in profiles.items()}
        for territory in territories:
            runs = [Run(snapshot, territory, by_gec[gec]) for gec in territory.parts if gec in by_gec]
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


def _geography_run(territory: Territory, gec: str, snapshots: dict[str, dict[str, Profile]]) -> Run:
    """The run that gives a profile's geography and borders: the current edition's, or an older
    one where the newer editions count another territory (GEOGRAPHY_SNAPSHOT)."""
    if gec not in GEOGRAPHY_SNAPSHOT:
        return Run(CURRENT, territory, snapshots[CURRENT][gec])
    snapshot, reason = GEOGRAPHY_SNAPSHOT[gec]
    run = Run(snapshot, territory, snapshots[snapshot][gec])
    run.decide("Geography", f"geography and borders of the {snapshot} edition", reason)
    return run


GEOGRAPHY_FIELDS = {
    "area_km2": "Geography/Area/total",
    "land_area_km2": "Geography/Area/land",
    "water_area_km2": "Geography/Area/water",
    "coastline_km": "Geography/Coastline",
    "land_boundaries_km": "Geography/Land boundaries/total",
}


def country_row(territory: Territory, runs: list[Run]) -> dict:
    """The countries row; for a territory of several profiles the geography is added up."""
    parts = [read_geography(run) for run in runs]
    values: dict[str, Any] = {}
    for column, field_path in GEOGRAPHY_FIELDS.items():
        given = [part[column] for part in parts]
        if len(given) > 1 and any(v is None for v in given) and any(v is not None for v in given):
            runs[0].problem(field_path, str(given), "not given for every part of the territory; not added up")
        values[column] = None if any(v is None for v in given) else plain_sum(given)
    values["landlocked"] = None if values["coastline_km"] is None else values["coastline_km"] == 0
    total, land, water = values["area_km2"], values["land_area_km2"], values["water_area_km2"]
    if total is not None and land is not None and total < land:
        # Holy See: '0 sq km' total beside '0.44 sq km' land: the total was rounded to zero.
        values["area_km2"] = plain_sum([land, water or 0])
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
    return {
        "iso3": territory.iso3, "iso2": territory.iso2, "gec": territory.gec, "name": territory.name,
        "region": territory.region, "independent": territory.independent,
        "area_km2": values["area_km2"], "land_area_km2": values["land_area_km2"],
        "water_area_km2": values["water_area_km2"], "coastline_km": values["coastline_km"],
        "landlocked": values["landlocked"], "land_boundaries_km": values["land_boundaries_km"],
        "source_id": source_id(runs[0].snapshot),
    }


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


def border_rows(territory: Territory, runs: list[Run], name_to_iso3: dict[str, str]) -> list[dict]:
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
            annotated[neighbor] |= bool(segment.qualifier or segment.remark or via_alias or len(runs) > 1
                                        or field_path.endswith("regional borders"))
    rows = []
    for neighbor, wordings in segments_by_neighbor.items():
        if len(wordings) > 1:
            note = "sum of " + " and ".join(wordings)
        else:
            note = wordings[0] if annotated[neighbor] else None
        rows.append({"country": territory.iso3, "neighbor": neighbor, "length_km": plain_sum(lengths[neighbor]),
                     "note": note, "source_id": source_id(runs[0].snapshot)})
    return rows
