"""The Factbook editions the import reads, and what a profile is: its JSON loaded, the text and
dates of an entry, the name it gives. Territories: one per ISO3 code, built from one profile or
several (Gaza Strip and West Bank make PSE)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from country_profiles.importer.codes import CodeEntry, SourceError
from country_profiles.importer.factbook_text import clean_text, find_dates, trailing_date

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
