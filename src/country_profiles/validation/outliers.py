"""A value against its own series: which values of one country's indicator are out of line.

One implementation for `validate` (rules/series.py) and `diff` (its unit-slip and large-change
flags), so the two never disagree. Pure Python, no pandas: `diff` calls it on a few series, the
rule on the few series whose neighbouring values disagree.

A series is one country's values of one indicator, by year. Two values at most `window` years
apart are *in line* when the larger is at most `limit` times the smaller. Values in line are
linked, and linked values form groups (a slow drift over many years stays one group, because
each year is in line with the next). When a series splits into groups, the largest group is the
series and every value of the other groups is out of line with it. Groups of equal size are
told apart by `plausibility` (how far each value is from what the rest of the data leads one
to expect) when it sets them at least `margin` powers of ten apart; otherwise the data cannot
tell which is wrong (424 and 4,240 km of railway), and every value of the tied groups is
reported as undecided, quoting the others, rather than guessing.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A ratio within this factor of 10, 100, 1,000 or 1,000,000 is named as a slip of that size.
SLIP_TOLERANCE = 1.25
THRESHOLDS = Path(__file__).resolve().parent / "thresholds.json"
POPULATION = "population"


@dataclass(frozen=True)
class Settings:
    """The series thresholds of thresholds.json: the largest ratio between values in line (by
    indicator, else by unit), how many years apart values are still compared, and how many
    powers of ten of plausibility tell two tied groups apart."""

    window: int
    by_unit: Mapping[str, float]
    by_indicator: Mapping[str, float]
    margin: float

    def limit(self, indicator: str, unit: str | None) -> float | None:
        limit = self.by_indicator.get(indicator, self.by_unit.get(unit or ""))
        return None if limit is None else float(limit)


def settings_from(values: Mapping[str, Any]) -> Settings:
    """Settings from threshold values by key (as the rules read them)."""
    return Settings(int(values["series_window_years"]), dict(values["series_max_ratio_by_unit"]),
                    dict(values["series_max_ratio_by_indicator"]), float(values["series_tie_margin_decades"]))


def load_settings(path: Path = THRESHOLDS) -> Settings:
    entries = json.loads(path.read_text(encoding="utf-8"))["thresholds"]
    return settings_from({key: entry["value"] for key, entry in entries.items()})


def median_by_country(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    """The median of each country's positive values (e.g. its population over the years)."""
    values: dict[str, list[float]] = {}
    for country, value in pairs:
        if ratio(value, 1.0) is not None:
            values.setdefault(country, []).append(abs(float(value)))
    return {country: statistics.median(found) for country, found in values.items()}


def expected_scale(
    indicator: str,
    unit: str | None,
    values: Iterable[tuple[str, float]],
    land: Mapping[str, float],
    people: Mapping[str, float],
) -> Callable[[str, float], float | None] | None:
    """How many powers of ten a country's value of `indicator` is from what the other countries'
    values (`values`: (country, value) pairs) lead one to expect: a population per km² of land,
    a percentage as it is, anything else per inhabitant (`people`: a population per country).
    None when nothing is known to compare with."""
    base: Mapping[str, float] | None
    base = land if indicator == POPULATION else None if (unit or "").startswith("percent") else people
    logs = []
    for country, value in values:
        denominator = 1.0 if base is None else base.get(country)
        if denominator and ratio(value, 1.0) is not None:
            logs.append(math.log10(abs(float(value)) / denominator))
    if not logs:
        return None
    typical = statistics.median(logs)

    def distance(country: str, value: float) -> float | None:
        denominator = 1.0 if base is None else base.get(country)
        if not denominator or ratio(value, 1.0) is None:
            return None
        return abs(math.log10(abs(float(value)) / denominator) - typical)

    return distance


@dataclass(frozen=True)
class Point:
    """One value of a series; `ref` is what the caller needs to find its row again."""

    year: int
    value: float
    ref: Any = None


@dataclass(frozen=True)
class Outlier:
    """A value out of line with its series, and its nearest in-line values (nearest year first).
    `undecided`: the value and its neighbours are groups of equal size the data cannot tell
    apart, so either may be the slip (each of them is reported)."""

    point: Point
    neighbours: tuple[Point, ...]
    undecided: bool = False


def ratio(a: float, b: float) -> float | None:
    """How many times larger the larger magnitude is; None when either is missing, zero or not finite."""
    if a is None or b is None:
        return None
    x, y = abs(float(a)), abs(float(b))
    if not (math.isfinite(x) and math.isfinite(y)) or x == 0 or y == 0:
        return None
    return max(x, y) / min(x, y)


def times(value: float, other: float) -> str:
    """`10.1× the` or `1/1,000 of the`: how `value` compares with `other`."""
    r = ratio(value, other)
    if r is None:
        return "not comparable with the"
    size = f"{r:,.0f}" if r >= 100 else f"{r:.3g}"
    return f"{size}× the" if abs(value) >= abs(other) else f"1/{size} of the"


def slip(value: float, other: float, unit: str | None = None) -> str | None:
    """The likely slip when `value` is about 10, 100, 1,000 or 1,000,000 times `other` (or that
    much smaller): 'a digit too many', 'a fraction written for a percentage?', ...; None otherwise."""
    r = ratio(value, other)
    if r is None:
        return None
    power = round(math.log10(r))
    if power < 1 or abs(math.log10(r) - power) > math.log10(SLIP_TOLERANCE):
        return None
    bigger = abs(value) > abs(other)
    if power == 1:
        return "a digit too many?" if bigger else "a digit too few?"
    if power == 2 and unit and unit.startswith("percent"):
        return "a percentage written as a fraction (0.03 for 3%)?" if not bigger else "a fraction multiplied by 100 twice?"
    if power == 3:
        if unit == "persons":
            return "persons written for thousands?" if bigger else "thousands written for persons?"
        if unit == "km":
            return "metres written for km?" if bigger else "thousands of km written for km?"
        return "three digits too many (a thousands separator typed twice?)" if bigger else "three digits too few (thousands for units?)"
    if power == 6:
        return "units written for millions?" if bigger else "millions written for units?"
    return f"{power} digits too many?" if bigger else f"{power} digits too few?"


def slips_in_a_sum(parts: Mapping[Any, float], whole: float, unit: str | None = None) -> list[tuple[Any, str, float]]:
    """For a sum that does not hold (`parts` by key should add up to `whole`): each value that is a
    power of ten from what would make it hold, as (key, the slip named, that value), the whole with
    key None; the factor nearest an exact power of ten first (a digit typed twice is exact, the
    other values then look a power of ten off only roughly)."""
    total = sum(parts.values())
    candidates = [(key, value, whole - (total - value)) for key, value in parts.items()]
    candidates.append((None, whole, total))
    found = [(key, slip(value, expected, unit), expected, value) for key, value, expected in candidates if expected > 0]
    found = [entry for entry in found if entry[1]]
    found.sort(key=lambda entry: _off_a_power_of_ten(entry[3], entry[2]))
    return [(key, named, expected) for key, named, expected, _ in found]


def _off_a_power_of_ten(value: float, other: float) -> float:
    exponent = math.log10(abs(value) / abs(other))
    return abs(exponent - round(exponent))


def is_unit_slip(value: float, other: float, unit: str | None = None) -> bool:
    """Whether the factor between the two is one of another unit rather than of a digit: about
    1,000 or 1,000,000 (thousands, millions), or 100 for a percentage (a fraction)."""
    r = ratio(value, other)
    if r is None:
        return False
    power = round(math.log10(r))
    if abs(math.log10(r) - power) > math.log10(SLIP_TOLERANCE):
        return False
    return power in (3, 6) or (power == 2 and (unit or "").startswith("percent"))


def out_of_line(
    points: Sequence[Point],
    limit: float,
    window: int,
    plausibility: Callable[[Point], float | None] | None = None,
    margin: float = 0.0,
) -> list[Outlier]:
    """The points out of line with the rest of their series (see the module's docstring).

    `plausibility(point)` is how far a value is from what is expected of it (0 = as expected,
    larger = less likely; None = unknown); it only breaks ties between groups of equal size, and
    only when the groups' mean distances are at least `margin` apart."""
    points = sorted((p for p in points if ratio(p.value, 1.0) is not None), key=lambda p: p.year)
    groups = _groups_in_line(points, limit, window)
    if len(groups) < 2:
        return []
    ranked = sorted(groups, key=lambda members: _group_rank(members, points, plausibility), reverse=True)
    tied = [members for members in ranked
            if len(members) == len(ranked[0]) and not _clearly_apart(ranked[0], members, points, plausibility, margin)]
    in_tie = lambda members: len(tied) > 1 and any(members is g for g in tied)  # noqa: E731
    kept = [points[i] for members in tied for i in members]
    outliers = []
    for members in ranked[1:] if len(tied) == 1 else ranked:
        # A tied group is compared with the other tied groups, any other group with all of them.
        others = [points[i] for g in tied if g is not members for i in g] if in_tie(members) else kept
        for i in members:
            point = points[i]
            near = sorted((p for p in others if abs(p.year - point.year) <= window),
                          key=lambda p: (abs(p.year - point.year), -p.year))
            if near:  # else nothing to compare with within reach: not judged
                outliers.append(Outlier(point, tuple(near[:2]), undecided=in_tie(members)))
    return outliers


def _groups_in_line(points: Sequence[Point], limit: float, window: int) -> list[list[int]]:
    """The groups of linked values (indexes into `points`, sorted by year); [] when no two values
    are within `window` years of each other."""
    n = len(points)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    compared = False
    for i in range(n):
        for j in range(i + 1, n):
            if points[j].year - points[i].year > window:
                break
            compared = True
            if ratio(points[i].value, points[j].value) <= limit:
                parent[root(i)] = root(j)
    if not compared:
        return []
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _distance(members: list[int], points: Sequence[Point], plausibility) -> float | None:
    """The group's mean plausibility distance; None when no value of it can be judged."""
    if plausibility is None:
        return None
    known = [score for score in (plausibility(points[i]) for i in members) if score is not None]
    return sum(known) / len(known) if known else None


def _clearly_apart(best: list[int], other: list[int], points: Sequence[Point], plausibility, margin: float) -> bool:
    """Whether `other` is at least `margin` powers of ten less plausible than `best` (so `best`
    is the series); a group is never apart from itself."""
    if other is best:
        return False
    a, b = _distance(best, points, plausibility), _distance(other, points, plausibility)
    return a is not None and b is not None and b - a >= margin


def _group_rank(members: list[int], points: Sequence[Point], plausibility) -> tuple:
    """Larger groups first; then the more plausible; then the group holding the earliest year."""
    distance = _distance(members, points, plausibility) or 0.0
    return (len(members), -distance, -min(points[i].year for i in members))


def describe(outlier: Outlier, where: Callable[[Point], str], unit: str | None, number: Callable[[float], str]) -> str:
    """'62,197,510 is 10.1× the 2024 value 6,172,101 (line 1075) and 10.2× the 2023 value ...;
    a digit too many?'"""
    point = outlier.point
    parts = [
        f"{times(point.value, other.value)} {other.year} value {number(other.value)} ({where(other)})"
        for other in outlier.neighbours
    ]
    text = f"{number(point.value)} is " + " and ".join(parts)
    if outlier.undecided:
        text += ("; one of these two values is out of line: check both against the source" if len(outlier.neighbours) == 1
                 else "; these values disagree and none is clearly the slip: check them against the source")
    named = slip(point.value, outlier.neighbours[0].value, unit)
    return f"{text}; {named}" if named else text
