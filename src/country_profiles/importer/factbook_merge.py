"""Rows of several profiles and editions made one: a territory's parts added up (merge_parts), one
row per key across editions (keep_newest), and combined figures named wherever they recur."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from country_profiles.importer.factbook_fields import (
    ADDITIVE_INDICATORS,
    COMBINED_NOTE,
    Candidate,
    ParseProblem,
    Run,
)
from country_profiles.importer.factbook_profiles import CURRENT, SNAPSHOTS, Territory
from country_profiles.importer.notes import join_notes

INDICATOR_TABLES = ("demographics", "forces", "infrastructure")
LIST_TABLES = ("ethnic_groups", "age_structure")  # shares of a whole, kept or dropped as one list


def provenance_key(table: str, row: dict) -> tuple[str, ...]:
    """The key of a row of an indicator or list table, as text (rows read back from CSV match it)."""
    if table in INDICATOR_TABLES:
        parts = (row["country"], row["indicator"], row["year"])
    else:
        parts = (row["country"], row["year"], row.get("group", row.get("age_band")))
    return (table, *(str(p) for p in parts))


def plain_sum(values: Iterable[Any]) -> Any:
    total = sum(Decimal(str(v)) for v in values)
    return int(total) if total == total.to_integral_value() else float(total)


# --- the parts of one territory ----------------------------------------------------------------


def merge_parts(territory: Territory, runs: list[Run]) -> tuple[list[Candidate], list[ParseProblem]]:
    """Rows of a territory built from several profiles: counts added up, shares reported."""
    candidates = [c for run in runs for c in run.candidates]
    if len(territory.parts) == 1:
        return candidates, []
    snapshot = runs[0].snapshot if runs else CURRENT
    parts = " and ".join(territory.parts)
    merged: list[Candidate] = []
    problems: list[ParseProblem] = []
    shares_reported: set[tuple] = set()
    for key, group in _figures(candidates).items():
        first = group[0]
        if key[0] in LIST_TABLES or key[1] not in ADDITIVE_INDICATORS:
            if (key[0], first.field) not in shares_reported:
                shares_reported.add((key[0], first.field))
                reason = f"shares of {parts} are not merged into {territory.iso3}"
                problems.append(ParseProblem(snapshot, territory.iso3, first.field, first.raw, reason))
            continue
        figure = f"{key[1]} {key[2]}"
        unmatched = _unmatched_parts(territory, group, figure)
        if unmatched:
            problems.append(ParseProblem(snapshot, territory.iso3, first.field, first.raw, unmatched))
        elif len({(c.row["value"], c.row["value_max"]) for c in group}) == 1:
            merged.append(_kept_once(territory, group))
            reason = f"{COMBINED_NOTE}: {figure} is the same in the {parts} profiles; kept once, not added up"
            problems.append(ParseProblem(snapshot, territory.iso3, first.field, first.raw, reason))
        else:
            merged.append(_added_up(territory, group))
    return merged, problems


def _figures(candidates: list[Candidate]) -> dict[tuple, list[Candidate]]:
    """The candidates of each figure: an indicator's year (one per part), or one part's list."""
    groups: dict[tuple, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.table in LIST_TABLES:
            groups[(candidate.table, candidate.field, candidate.part)].append(candidate)
        else:
            groups[(candidate.table, candidate.row["indicator"], candidate.row["year"])].append(candidate)
    return groups


def _unmatched_parts(territory: Territory, group: list[Candidate], figure: str) -> str | None:
    """Why a figure cannot be added up (a part does not give it, or gives it twice); None if it can."""
    given = {c.part for c in group}
    if given == set(territory.parts) and len(group) == len(territory.parts):
        return None
    missing = sorted(set(territory.parts) - given)
    if missing:
        return f"{figure} given by {', '.join(sorted(given))} only (not {', '.join(missing)}); not added up"
    return f"{figure} given twice by one part"


def _kept_once(territory: Territory, group: list[Candidate]) -> Candidate:
    """Every part gives the one figure of the whole (PSE labour force: 'entry includes West Bank
    and Gaza Strip'): kept once, never added up."""
    row = dict(group[0].row)
    notes = [n for n in dict.fromkeys(c.row["note"] for c in group) if n]
    said = any(COMBINED_NOTE in n for n in notes)
    same = f"the {' and '.join(territory.parts)} profiles give the same figure; not added up"
    row["note"] = join_notes(None if said else COMBINED_NOTE, *notes, same)
    return _territory_candidate(territory, group, row, group[0].raw)


def _added_up(territory: Territory, group: list[Candidate]) -> Candidate:
    row = dict(group[0].row)
    row["value"] = plain_sum(c.row["value"] for c in group)
    maxima = [c.row["value_max"] if c.row["value_max"] is not None else c.row["value"] for c in group]
    row["value_max"] = plain_sum(maxima) if any(c.row["value_max"] is not None for c in group) else None
    row["note"] = join_notes(f"sum of the {' and '.join(territory.parts)} profiles", *(c.row["note"] for c in group))
    return _territory_candidate(territory, group, row, " | ".join(c.raw for c in group))


def _territory_candidate(territory: Territory, group: list[Candidate], row: dict, raw: str) -> Candidate:
    """The one candidate that stands for the parts' candidates of a figure."""
    first = group[0]
    return Candidate(first.table, row, first.snapshot, "+".join(territory.parts), first.field, raw,
                     all(c.undated for c in group))


# --- the editions ------------------------------------------------------------------------------


@dataclass
class Merging:
    decisions: list[ParseProblem] = field(default_factory=list)
    identical: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    provenance: dict[tuple[str, ...], tuple[str, str, str]] = field(default_factory=dict)


def _unit_key(first: Candidate) -> tuple:
    if first.table in INDICATOR_TABLES:
        return (first.table, first.row["country"], first.row["indicator"], first.row["year"])
    return (first.table, first.row["country"], first.row["year"])


def _unit_content(unit: list[Candidate]) -> tuple:
    first = unit[0]
    if first.table in INDICATOR_TABLES:
        return (first.table, first.row["country"], first.row["indicator"], first.row["value"], first.row["value_max"])
    shares = sorted(tuple(v for k, v in c.row.items() if k in ("group", "age_band", "percent", "percent_max")) for c in unit)
    return (first.table, first.row["country"], tuple(shares))


def _describe(unit: list[Candidate]) -> str:
    first = unit[0]
    if first.table in INDICATOR_TABLES:
        low, high = first.row["value"], first.row["value_max"]
        return f"{low}" if high is None else f"{low}-{high}"
    return ", ".join(f"{c.row.get('group') or c.row.get('age_band')} {c.row['percent']}" for c in unit)


def keep_newest(candidates: list[Candidate]) -> tuple[dict[str, list[dict]], Merging]:
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
    units: dict[tuple, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.table in INDICATOR_TABLES:
            units[(id(candidate),)].append(candidate)
        else:
            units[(candidate.table, candidate.row["country"], candidate.snapshot, candidate.row["year"])].append(candidate)
    first_given: dict[tuple, list[Candidate]] = {}
    dated: list[list[Candidate]] = []
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
    tables: dict[str, list[dict]] = {t: [] for t in (*INDICATOR_TABLES, *LIST_TABLES)}
    kept: dict[tuple, list[Candidate]] = {}
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
                    note = join_notes(COMBINED_NOTE, note or None)
                row["note"] = join_notes(note, shared) if shared not in note else note
