"""A value against its own series: the same country's same indicator in neighbouring years.

The judgement itself (which values are out of line, and which slip a factor suggests) is
validation/outliers.py, shared with `diff`. Here the package's rows become series, and the
findings blame the row out of line with the rest of its series, quoting its neighbours.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.outliers import (
    Outlier,
    Point,
    Settings,
    describe,
    expected_scale,
    median_by_country,
    out_of_line,
    settings_from,
)
from country_profiles.validation.rules._framework import Context, indicator_rows, number, rule, violations, with_land_area

SERIES_THRESHOLDS = ("series_window_years", "series_max_ratio_by_unit", "series_max_ratio_by_indicator",
                     "series_tie_margin_decades")
POPULATION = "population"


def definitions(ctx: Context) -> pd.DataFrame:
    """Indicator id -> unit (the first definition of each id)."""
    rows = ctx.rows("indicators")
    if rows.empty or "id" not in rows:
        return pd.DataFrame({"unit": pd.Series(dtype="str")}, index=pd.Index([], dtype="str", name="id"))
    return rows.dropna(subset=["id"]).drop_duplicates("id").set_index("id")[["unit"]]


def series_settings(ctx: Context) -> Settings:
    return settings_from({key: ctx.threshold(key) for key in SERIES_THRESHOLDS})


def series_limits(ctx: Context) -> dict[str, float]:
    """The largest ratio between values in line for each defined indicator (thresholds.json:
    by indicator where it names one, else by unit)."""
    settings = series_settings(ctx)
    limits = {}
    for indicator, unit in definitions(ctx)["unit"].items():
        limit = settings.limit(indicator, unit)
        if limit is not None:
            limits[indicator] = limit
    return limits


def series_outliers(ctx: Context) -> list[tuple[Outlier, str, str, str | None]]:
    """Every value out of line with its series: (outlier, country, indicator, unit). A point's
    ref is (resource, line). Rules that compare a row with another indicator read this to know
    whether the other row is the one to blame (so they declare SERIES_THRESHOLDS)."""
    settings = series_settings(ctx)
    window = settings.window
    limits = series_limits(ctx)
    if not limits:
        return []
    rows = indicator_rows(ctx, list(limits))
    rows = rows[["resource", "line", "country", "indicator", "year", "value"]].dropna(subset=["country", "year", "value"])
    rows = rows[rows["value"] > 0]
    if rows.empty:
        return []
    # Codes stay categories (as indicator_rows gives them): sorting, comparing and mapping them
    # works on small integers; only the few series judged below are read as text.
    rows = rows.sort_values(["country", "indicator", "year"], kind="stable").reset_index(drop=True)
    # Only series where two neighbouring values disagree need the full judgement: if every pair of
    # consecutive values within the window is in line, no value is out of line with the rest.
    same = (rows["country"] == rows["country"].shift()) & (rows["indicator"] == rows["indicator"].shift())
    values = rows["value"].to_numpy(dtype="float64")
    previous = np.roll(values, 1)
    ratios = np.maximum(values, previous) / np.minimum(values, previous)
    limit = rows["indicator"].map(limits).to_numpy(dtype="float64")
    gap = rows["year"].astype("int64").diff().fillna(window + 1).to_numpy()
    disagree = same.to_numpy() & (gap <= window) & (ratios > limit)
    if not disagree.any():
        return []
    flagged = rows.loc[disagree, ["country", "indicator"]].drop_duplicates()
    judged = rows.merge(flagged, on=["country", "indicator"])
    units = definitions(ctx)["unit"].to_dict()
    scales = _expected_scales(ctx, sorted(set(flagged["indicator"])), units)
    found = []
    for (country, indicator), series in judged.groupby(["country", "indicator"], sort=True):
        points = [Point(int(r.year), float(r.value), (r.resource, int(r.line))) for r in series.itertuples()]
        expected = scales.get(indicator)
        score = (lambda p, c=country, e=expected: e(c, p.value)) if expected else None
        for outlier in out_of_line(points, limits[indicator], window, score, settings.margin):
            found.append((outlier, country, indicator, units.get(indicator)))
    return found


def _expected_scales(ctx: Context, indicators: list[str], units: dict) -> dict:
    """outliers.expected_scale of each indicator, from the package's countries and values."""
    countries = ctx.rows("countries")
    land = {}
    if not countries.empty and "land_area_km2" in countries:
        land = {c: a for c, a in zip(countries["iso3"], countries["land_area_km2"]) if not pd.isna(a) and a > 0}
    people_rows = indicator_rows(ctx, [POPULATION])
    people = median_by_country(zip(people_rows["country"].astype("str"), people_rows["value"]))
    scales = {}
    for indicator in indicators:
        rows = indicator_rows(ctx, [indicator])
        scale = expected_scale(indicator, units.get(indicator), zip(rows["country"].astype("str"), rows["value"]),
                               land, people)
        if scale is not None:
            scales[indicator] = scale
    return scales


class suspect_rows:  # noqa: N801  (used like a function that returns a set)
    """(resource, line) of each value out of line with its own series, found on the first
    question: most comparisons find nothing to blame, and then the series are not judged. The
    thresholds are read at once, so a rule that declares them always reads them."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._rows: set[tuple[str, int]] | None = None
        for key in SERIES_THRESHOLDS:
            ctx.threshold(key)

    def __contains__(self, row: object) -> bool:
        if self._rows is None:
            self._rows = {outlier.point.ref for outlier, *_ in series_outliers(self._ctx)}
        return row in self._rows


def blame_first(finding: Finding, line: int) -> Finding:
    """The finding with `line` as its blamed row and the other lines as context after it."""
    others = tuple(other for other in finding.lines if other != line)
    return dataclasses.replace(finding, line=int(line), lines=(int(line), *others))


@rule(
    ERROR,
    "Each indicator value is in line with the same country's values of neighbouring years: no more than a set "
    "factor (by unit or indicator) from the rest of its series.",
    tables=("demographics", "forces", "infrastructure", "indicators"),
    hint="Compare the value with the source and with the neighbouring years quoted: a factor of 10, 100 or 1,000 "
    "is a digit too many or too few, or a value in another unit (thousands, a fraction for a percentage). "
    "A real break (a war, a new state, a rebased series) is a documented exception with its source.",
    thresholds=SERIES_THRESHOLDS,
)
def values_are_in_line_with_their_series(ctx: Context) -> list[Finding]:
    window = series_settings(ctx).window
    limits = series_limits(ctx)
    findings = []
    for outlier, country, indicator, unit in series_outliers(ctx):
        resource, line = outlier.point.ref

        def where(point: Point, resource=resource) -> str:
            other_resource, other_line = point.ref
            return f"line {other_line}" if other_resource == resource else ctx.where(other_resource, other_line)

        limit = limits[indicator]
        message = (f"{country} {indicator} {outlier.point.year}: {describe(outlier, where, unit, number)}; "
                   f"expected within {number(limit)}× of the values up to {window} years away")
        context = [p.ref[1] for p in outlier.neighbours if p.ref[0] == resource]
        finding = ctx.finding(resource, [line, *context], message, field="value", value=outlier.point.value)
        findings.append(blame_first(finding, line))
    return findings


@rule(
    ERROR,
    "A country's population is plausible for its land area: its density lies within the bounds any real country "
    "shows (this judges a population that has no other year to be compared with).",
    tables=("demographics", "countries"),
    hint="Check the population's scale (persons, not thousands or millions) and the country's land area.",
    thresholds=("population_min_per_km2", "population_max_per_km2"),
)
def population_density_is_plausible(ctx: Context) -> list[Finding]:
    low, high = ctx.threshold("population_min_per_km2"), ctx.threshold("population_max_per_km2")
    rows = with_land_area(ctx, [POPULATION])
    if rows.empty:
        return []
    rows = rows[rows["land_area_km2"] > 0]
    holds = lambda d: (d["value"] >= low * d["land_area_km2"]) & (d["high"] <= high * d["land_area_km2"])  # noqa: E731
    bad = violations(rows, holds, ctx.check.id)
    findings = []
    for row in bad.itertuples():
        density = row.value / row.land_area_km2
        findings.append(ctx.finding(
            row.resource, [row.line],
            f"{row.country} population {row.year}: {number(row.value)} on {number(row.land_area_km2)} km² of land "
            f"({ctx.where('countries', row.country_line)}) is {number(density)} inhabitants per km²; expected "
            f"{number(low)} to {number(high)} per km² (persons written in thousands or millions?)",
            field="value", value=row.value))
    return findings
