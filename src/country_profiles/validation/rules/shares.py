"""What a value can be for its country: shares of the population, networks per km² and per
inhabitant, and lists of shares written as fractions.

A comparison with the population blames the population's row when that row is itself out of
line with its own series (a population typed in thousands), and the other row otherwise.
"""

from __future__ import annotations

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import (
    Context,
    indicator_rows,
    lines_text,
    number,
    pair_nearest_year,
    rule,
    violations,
    with_land_area,
)
from country_profiles.validation.rules.series import POPULATION, SERIES_THRESHOLDS, blame_first, suspect_rows

# Roads and railways per km² are network_density_is_physically_plausible's (counts.py).
LIST = ["country", "year"]


def _with_population(ctx: Context, indicators: list[str]) -> pd.DataFrame:
    window = ctx.threshold("nearest_year_window_years")
    return pair_nearest_year(indicator_rows(ctx, indicators), indicator_rows(ctx, [POPULATION]), window, "_pop")


def _blame(ctx: Context, row, message: str, suspects) -> Finding:
    """A finding on the row, or on its population's row when that one is out of its own series."""
    population = (str(row.resource_pop), int(row.line_pop))
    if population in suspects:
        lines = [row.line_pop] + ([row.line] if row.resource == row.resource_pop else [])
        finding = ctx.finding(row.resource_pop, lines, f"{message}; the population is out of line with its own "
                              "series (values_are_in_line_with_their_series), so it is blamed",
                              field="value", value=row.value_pop)
        return blame_first(finding, int(row.line_pop))
    lines = [row.line] + ([row.line_pop] if row.resource == row.resource_pop else [])
    return blame_first(ctx.finding(row.resource, lines, message, field="value", value=row.value), int(row.line))


@rule(
    ERROR,
    "Labour force and military manpower are plausible shares of the population: at least a set share each "
    "(and manpower reaching military age at most a set share).",
    tables=("demographics",),
    hint="A labour force or manpower typed in thousands (3,000 for 3,000,000) is the usual slip; or the "
    "population has digits too many. Compare both with the source.",
    thresholds=("nearest_year_window_years", "population_share_min", "population_share_max", *SERIES_THRESHOLDS),
)
def workforce_is_a_plausible_share_of_population(ctx: Context) -> list[Finding]:
    low, high = ctx.threshold("population_share_min"), ctx.threshold("population_share_max")
    pairs = _with_population(ctx, sorted(set(low) | set(high)))
    if pairs.empty:
        return []
    pairs = pairs.assign(low_share=pairs["indicator"].astype("str").map(low).astype("float64"),
                         high_share=pairs["indicator"].astype("str").map(high).astype("float64"))
    holds = lambda d: ~(d["high"] < d["low_share"] * d["value_pop"]) & ~(d["value"] > d["high_share"] * d["high_pop"])  # noqa: E731
    bad = violations(pairs, holds, ctx.check.id)
    suspects = suspect_rows(ctx)
    findings = []
    for row in bad.itertuples():
        share = row.value / row.value_pop
        bounds = (f"at least {row.low_share:.1%}" if row.high < row.low_share * row.value_pop
                  else f"at most {row.high_share:.1%}")
        message = (f"{row.country} {row.indicator} {row.year}: {number(row.value)} is {share:.3%} of population "
                   f"{number(row.value_pop)} in {row.year_pop} ({ctx.where(row.resource_pop, row.line_pop)}); "
                   f"expected {bounds} of the population (a value in thousands?)")
        findings.append(_blame(ctx, row, message, suspects))
    return findings


@rule(
    ERROR,
    "Airports, heliports, ports, waterways and pipelines per km² of land stay within what any country shows.",
    tables=("infrastructure", "countries"),
    hint="Check the value's scale (a digit too many, metres for km) against the source, and the country's land area.",
    thresholds=("infrastructure_max_per_km2",),
)
def infrastructure_per_km2_is_plausible(ctx: Context) -> list[Finding]:
    limits = ctx.threshold("infrastructure_max_per_km2")
    rows = with_land_area(ctx, sorted(limits))
    if rows.empty:
        return []
    rows = rows.assign(limit=rows["indicator"].astype("str").map(limits).astype("float64"))
    bad = violations(rows, lambda d: d["value"] <= d["limit"] * d["land_area_km2"], ctx.check.id)
    findings = []
    for row in bad.itertuples():
        density = number(row.value / row.land_area_km2) if row.land_area_km2 else "infinitely many"
        findings.append(ctx.finding(
            row.resource, [row.line],
            f"{row.country} {row.indicator} {row.year}: {number(row.value)} on {number(row.land_area_km2)} km² of "
            f"land ({ctx.where('countries', row.country_line)}) is {density} per km²; expected at most "
            f"{number(row.limit)} per km² (a digit too many?)",
            field="value", value=row.value))
    return findings


@rule(
    ERROR,
    "Airports, heliports, ports, roads, railways, waterways and pipelines per inhabitant stay within what any "
    "country shows.",
    tables=("infrastructure", "demographics"),
    hint="Check the value's scale against the source (a digit too many, metres for km), or the population's.",
    thresholds=("nearest_year_window_years", "infrastructure_max_per_inhabitant", *SERIES_THRESHOLDS),
)
def infrastructure_per_inhabitant_is_plausible(ctx: Context) -> list[Finding]:
    limits = ctx.threshold("infrastructure_max_per_inhabitant")
    pairs = _with_population(ctx, sorted(limits))
    if pairs.empty:
        return []
    pairs = pairs.assign(limit=pairs["indicator"].astype("str").map(limits).astype("float64"))
    bad = violations(pairs, lambda d: d["value"] <= d["limit"] * d["high_pop"], ctx.check.id)
    suspects = suspect_rows(ctx)
    return [
        _blame(ctx, row,
               f"{row.country} {row.indicator} {row.year}: {number(row.value)} for population "
               f"{number(row.value_pop)} in {row.year_pop} ({ctx.where(row.resource_pop, row.line_pop)}) is "
               f"{number(row.value / row.value_pop)} per inhabitant; expected at most {number(row.limit)} "
               "per inhabitant (a digit too many?)", suspects)
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "The shares of an ethnic or age list are percentages, not fractions: a list does not add up to about 1.",
    tables=("ethnic_groups", "age_structure"),
    hint="Write each share in percent (73.8, not 0.738): multiply the list by 100.",
    thresholds=("fraction_list_sum_range",),
)
def shares_are_percentages_not_fractions(ctx: Context) -> list[Finding]:
    low, high = ctx.threshold("fraction_list_sum_range")["low"], ctx.threshold("fraction_list_sum_range")["high"]
    findings = []
    for resource in ("ethnic_groups", "age_structure"):
        rows = ctx.rows(resource).dropna(subset=LIST)
        if rows.empty:
            continue
        upper = rows["percent_max"].fillna(rows["percent"]) if "percent_max" in rows else rows["percent"]
        lists = (rows.assign(upper=upper).groupby(LIST, sort=True)
                 .agg(total=("upper", "sum"), largest=("upper", "max")).reset_index())
        bad = violations(lists, lambda d: ~((d["total"] >= low) & (d["total"] <= high) & (d["largest"] <= 1)),
                         ctx.check.id)
        if bad.empty:
            continue
        # The lines of the few lists that break the rule only: a tuple per list costs a Python call.
        members = rows.merge(bad[LIST], on=LIST)
        bad = bad.merge(members.groupby(LIST, sort=True).agg(lines=("line", tuple)).reset_index(), on=LIST)
        kind = "ethnic groups" if resource == "ethnic_groups" else "age bands"
        findings += [
            ctx.finding(
                resource, row.lines,
                f"{kind} of {row.country} in {row.year} add up to {number(row.total)} ({lines_text(row.lines)}): "
                f"fractions written for percentages? expected percent, adding up to about 100",
                field="percent", value=round(float(row.total), 6))
            for row in bad.itertuples()
        ]
    return findings
