"""Indicator values: their definitions, and how they compare with each other and with the country.

Comparisons between indicators pair each row with the other indicator's row of the same
country in the nearest year, at most `nearest_year_window_years` apart (see
`pair_nearest_year`). Where the source gives a range, a part's lower end is compared with the
whole's upper end, so only a certain contradiction is reported.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.outliers import slips_in_a_sum
from country_profiles.validation.rules.series import SERIES_THRESHOLDS, blame_first, suspect_rows
from country_profiles.validation.rules._framework import (
    INDICATOR_TABLES,
    Context,
    indicator_rows,
    labels,
    lookup,
    number,
    pair_nearest_year,
    row_rule,
    rule,
    violations,
    with_land_area,
)

POPULATION = "population"
TOTAL_PERSONNEL = "total_personnel"
PERSONNEL_PARTS = ("active_personnel", "reserve_personnel", "paramilitary_personnel")
PAVED_AND_UNPAVED = {
    "airports": ("airports_paved", "airports_unpaved"),
    "roadways_km": ("roadways_paved_km", "roadways_unpaved_km"),
}
DENSITY_THRESHOLDS = {"railways_km": "railway_max_km_per_km2", "roadways_km": "roadway_max_km_per_km2"}
MILITARY_EXPENDITURE = "military_expenditure_pct_gdp"
FIELDS = ("value", "value_max")
VALUES_WITH_DEFINITIONS = "indicator values with definitions"


def _definitions(ctx: Context) -> pd.DataFrame:
    rows = ctx.rows("indicators")
    if rows.empty or "id" not in rows:
        return pd.DataFrame(columns=["id", "table", "unit", "integer", "minimum", "maximum", "line"])
    return rows.dropna(subset=["id"]).drop_duplicates("id")


def _forces_indicators(ctx: Context, unit: str) -> list[str]:
    """Indicators of the forces table in `unit`: 'persons' for personnel, 'count' for equipment."""
    defs = _definitions(ctx)
    return sorted(defs.loc[(defs["table"] == "forces") & (defs["unit"] == unit), "id"])


def _values_with_definitions(ctx: Context) -> pd.DataFrame:
    """Every value and value_max of the indicator tables, one row each, with its indicator's definition."""
    return ctx.once(VALUES_WITH_DEFINITIONS, lambda: _join_values_and_definitions(ctx))


def _join_values_and_definitions(ctx: Context) -> pd.DataFrame:
    defs = _definitions(ctx).set_index("id")[["table", "integer", "minimum", "maximum", "line"]]
    defs = defs.rename(columns={"line": "definition_line", "table": "defined_table"})
    parts = []
    for resource in INDICATOR_TABLES:
        rows = ctx.rows(resource)
        if "indicator" not in rows:
            continue
        for field in FIELDS:
            # The columns first, then the rows: only the columns needed are copied.
            cells = rows[["line", "country", "indicator", "year", field]].dropna(subset=[field])
            parts.append(cells.rename(columns={field: "number"}).assign(
                resource=labels(resource, INDICATOR_TABLES, len(cells)), field=labels(field, FIELDS, len(cells))))
    if not parts:
        return pd.DataFrame()
    cells = pd.concat(parts, ignore_index=True)
    cells = pd.concat([cells, lookup(cells["indicator"], defs)], axis=1)
    # Only defined indicators: an undefined one is a foreign key error, found by the structure checks.
    defined = cells["definition_line"].notna()
    return (cells if defined.all() else cells[defined]).astype({"definition_line": "int64"})


def _where_value(row) -> str:
    return f"{row.indicator} of {row.country} in {row.year}"


@rule(
    ERROR,
    "Values of an indicator defined as integer (indicators.integer) are whole numbers.",
    tables=("demographics", "forces", "infrastructure", "indicators"),
    hint="Counts and persons are whole numbers: round as the source does, or fix a misplaced decimal point.",
)
def integer_indicators_hold_whole_numbers(ctx: Context) -> list[Finding]:
    cells = _values_with_definitions(ctx)
    if cells.empty:
        return []
    # Judged on the columns the condition reads; the rest are looked up for the rows that fail.
    judged = cells[["integer", "number"]]
    holds = lambda d: ~d["integer"].fillna(False).astype(bool) | (d["number"] % 1 == 0)  # noqa: E731
    bad = cells.iloc[violations(judged, holds, ctx.check.id).index]
    return [
        ctx.finding(
            row.resource,
            [row.line],
            f"{_where_value(row)} has {row.field} {number(row.number)}; expected a whole number "
            f"({row.indicator} is defined as integer)",
            field=row.field,
            value=row.number,
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "Values lie within their indicator's minimum and maximum (indicators.minimum, indicators.maximum).",
    tables=("demographics", "forces", "infrastructure", "indicators"),
    hint="Check the value and its unit against the source; change the indicator's bounds only with a reason.",
)
def indicator_values_are_within_bounds(ctx: Context) -> list[Finding]:
    cells = _values_with_definitions(ctx)
    if cells.empty:
        return []
    holds = lambda d: ~(d["number"] < d["minimum"]) & ~(d["number"] > d["maximum"])  # noqa: E731
    bad = violations(cells, holds, ctx.check.id)
    findings = []
    for row in bad.itertuples():
        upper = "no maximum" if pd.isna(row.maximum) else f"at most {number(row.maximum)}"
        findings.append(
            ctx.finding(
                row.resource,
                [row.line],
                f"{_where_value(row)} has {row.field} {number(row.number)}; expected at least "
                f"{number(row.minimum)} and {upper} (indicators.csv line {row.definition_line})",
                field=row.field,
                value=row.number,
            )
        )
    return findings


@rule(
    ERROR,
    "Each indicator is used only in the table its definition names (indicators.table).",
    tables=("demographics", "forces", "infrastructure", "indicators"),
    hint="Move the row to the table the indicator belongs to, or fix the indicator id.",
)
def indicators_are_used_in_their_table(ctx: Context) -> list[Finding]:
    cells = _values_with_definitions(ctx)
    ctx.release(VALUES_WITH_DEFINITIONS)  # the last of the three rules that read it, in catalogue order
    if cells.empty:
        return []
    judged = cells[["field", "resource", "defined_table"]]  # the rest is looked up for the rows that fail
    holds = lambda d: (d["field"] != "value") | (d["defined_table"] == d["resource"])  # noqa: E731
    bad = cells.iloc[violations(judged, holds, ctx.check.id).index]
    return [
        ctx.finding(
            row.resource,
            [row.line],
            f"{_where_value(row)} is in {row.resource}; expected in {row.defined_table} "
            f"as indicators.csv line {row.definition_line} defines",
            field="indicator",
            value=row.indicator,
        )
        for row in bad.itertuples()
    ]


@row_rule(
    ERROR,
    "Where a value is a range, its upper end (value_max) is not below its lower end (value).",
    tables=INDICATOR_TABLES,
    hint="Swap the two ends, or clear value_max when the source gives a single value.",
    holds=lambda d, ctx: d["value_max"] >= d["value"],
)
def value_ranges_are_ordered(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
    return [
        ctx.finding(
            resource,
            [row.line],
            f"{_where_value(row)} ranges from {number(row.value)} down to {number(row.value_max)}; "
            "expected value_max at least value",
            field="value_max",
            value=row.value_max,
        )
        for row in bad.itertuples()
    ]


def _paired(ctx: Context, parts: list[str] | tuple[str, ...], whole: str) -> pd.DataFrame:
    """Rows of `parts`, each with `whole`'s row of the nearest year (columns suffixed `_whole`)."""
    window = ctx.threshold("nearest_year_window_years")
    return pair_nearest_year(indicator_rows(ctx, parts), indicator_rows(ctx, [whole]), window, "_whole")


def _blamed(row, *others: str) -> list[int]:
    """The row's own line, plus the lines of compared rows that sit in the same table."""
    lines = [row.line]
    for suffix in others:
        other_line = getattr(row, f"line{suffix}")
        if getattr(row, f"resource{suffix}") == row.resource and not pd.isna(other_line):
            lines.append(other_line)
    return lines


def _whole_text(ctx: Context, row) -> str:
    return f"{row.indicator_whole} {number(row.high_whole)} in {row.year_whole} ({ctx.where(row.resource_whole, row.line_whole)})"


def _at_most_whole(ctx: Context, parts: tuple[str, ...], whole: str) -> list[Finding]:
    pairs = _paired(ctx, parts, whole)
    bad = violations(pairs, lambda d: d["value"] <= d["high_whole"], ctx.check.id)
    suspects = suspect_rows(ctx)
    return [
        _on_the_row_out_of_line(ctx, row, suspects, blame_first(ctx.finding(
            row.resource,
            _blamed(row, "_whole"),
            f"{_where_value(row)} is {number(row.value)}, more than {_whole_text(ctx, row)}; "
            f"expected at most {number(row.high_whole)}",
            field="value",
            value=row.value,
        ), row.line))
        for row in bad.itertuples()
    ]


def _on_the_row_out_of_line(ctx: Context, row, suspects, finding: Finding) -> Finding:
    """The finding blamed on the compared (whole) row when that row is out of line with its own
    series, e.g. a population typed in thousands, with the row itself as context; else as it is."""
    whole = (str(row.resource_whole), int(row.line_whole))
    if whole not in suspects or (str(row.resource), int(row.line)) in suspects:
        return finding
    lines = [row.line_whole] + ([row.line] if row.resource == row.resource_whole else [])
    moved = ctx.finding(row.resource_whole, lines, f"{finding.message}; {row.indicator_whole} of {row.country} in "
                        f"{row.year_whole} is out of line with its own series, so it is blamed",
                        field="value", value=row.high_whole)
    return blame_first(moved, int(row.line_whole))


@rule(
    ERROR,
    "Labour force and manpower available for military service are at most the population.",
    tables=("demographics",),
    hint="Check both values and their years against the source; a population in thousands is a common slip.",
    thresholds=("nearest_year_window_years", *SERIES_THRESHOLDS),
)
def workforce_is_at_most_population(ctx: Context) -> list[Finding]:
    return _at_most_whole(ctx, ("labor_force", "manpower_available"), POPULATION)


@rule(
    ERROR,
    "Manpower fit for service and manpower reaching military age each year are at most the manpower available.",
    tables=("demographics",),
    hint="Check that both sexes were added up the same way for each indicator.",
    thresholds=("nearest_year_window_years", *SERIES_THRESHOLDS),
)
def manpower_subsets_are_at_most_manpower_available(ctx: Context) -> list[Finding]:
    return _at_most_whole(ctx, ("manpower_fit_for_service", "manpower_reaching_military_age"), "manpower_available")


@rule(
    ERROR,
    "Active, reserve and paramilitary personnel are each at most the total personnel.",
    tables=("forces",),
    hint="The total is active plus reserve plus paramilitary: recompute it or fix the part.",
    thresholds=("nearest_year_window_years", *SERIES_THRESHOLDS),
)
def personnel_parts_are_at_most_total(ctx: Context) -> list[Finding]:
    return _at_most_whole(ctx, PERSONNEL_PARTS, TOTAL_PERSONNEL)


@rule(
    ERROR,
    "Where active, reserve, paramilitary and total personnel all exist, the three parts add up to the total.",
    tables=("forces",),
    hint="Recompute the total from its parts, or find which part the source counts differently.",
    thresholds=("nearest_year_window_years", "personnel_sum_tolerance_ratio"),
)
def personnel_parts_add_up_to_total(ctx: Context) -> list[Finding]:
    window = ctx.threshold("nearest_year_window_years")
    tolerance = ctx.threshold("personnel_sum_tolerance_ratio")
    combined = indicator_rows(ctx, [TOTAL_PERSONNEL])
    suffixes = []
    for part in PERSONNEL_PARTS:
        suffix = f"_{part.removesuffix('_personnel')}"
        combined = pair_nearest_year(combined, indicator_rows(ctx, [part]), window, suffix).drop(columns="gap")
        suffixes.append(suffix)
    if combined.empty:
        return []
    combined = combined.assign(
        parts_low=sum(combined[f"value{s}"] for s in suffixes),
        parts_high=sum(combined[f"high{s}"] for s in suffixes),
    )
    holds = lambda d: (d["parts_low"] <= d["high"] * (1 + tolerance)) & (  # noqa: E731
        d["parts_high"] >= d["value"] * (1 - tolerance)
    )
    bad = violations(combined, holds, ctx.check.id)
    findings = []
    for row in bad.itertuples():
        parts = ", ".join(
            f"{s.lstrip('_')} {number(getattr(row, f'value{s}'))} ({getattr(row, f'year{s}')})" for s in suffixes
        )
        finding = ctx.finding(
            row.resource,
            _blamed(row, *suffixes),
            f"personnel of {row.country}: {parts} add up to {number(row.parts_low)}, but total_personnel "
            f"in {row.year} is {number(row.value)}; expected equal within {tolerance:.0%}",
            field="value",
            value=row.value,
        )
        part_lines = {getattr(row, f"line{s}"): getattr(row, f"value{s}") for s in suffixes}
        findings.append(_on_the_slipped_row(finding, part_lines, row.line, row.value, exact=True))
    return findings


def _on_the_slipped_row(finding: Finding, parts: dict, whole_line: int, whole: float, exact: bool) -> Finding:
    """The finding blamed on the row that explains why `parts` (line -> value) do not add up to (or,
    unless `exact`, fit within) `whole`: the value a power of ten from what would make them fit
    (outliers.slips_in_a_sum), named; else, unless `exact`, the one part of several larger than
    the whole on its own; else the whole. Rows of other tables stay unblamed."""
    parts = {int(line): float(value) for line, value in parts.items() if not pd.isna(line) and not pd.isna(value)}
    found = [entry for entry in slips_in_a_sum(parts, whole)
             if entry[0] is not None or exact or sum(parts.values()) > whole]
    alone = [line for line, value in parts.items() if value > whole]
    if found:
        line, why = found[0][0] or int(whole_line), f"the row out of line ({found[0][1]})"
    elif not exact and len(alone) == 1 and len(parts) > 1:
        line, why = alone[0], "more than the total on its own: the row out of line"
    else:
        line, why = int(whole_line), None
    if line not in finding.lines:
        return finding
    text = f"{finding.message}; line {line} is {why}" if why else finding.message
    return blame_first(dataclasses.replace(finding, message=text), line)


@rule(
    ERROR,
    "Military personnel (active, reserve, paramilitary or total) are at most a plausible share of the population.",
    tables=("forces", "demographics"),
    hint="Check the figure's scale (thousands?) and the population's year against the source.",
    thresholds=("nearest_year_window_years", "personnel_max_share_of_population", *SERIES_THRESHOLDS),
)
def personnel_is_a_plausible_share_of_population(ctx: Context) -> list[Finding]:
    share = ctx.threshold("personnel_max_share_of_population")
    pairs = _paired(ctx, _forces_indicators(ctx, "persons"), POPULATION)
    bad = violations(pairs, lambda d: d["value"] <= share * d["high_whole"], ctx.check.id)
    suspects = suspect_rows(ctx)
    return [
        _on_the_row_out_of_line(ctx, row, suspects, ctx.finding(
            row.resource,
            _blamed(row, "_whole"),
            f"{_where_value(row)} is {number(row.value)}, {row.value / row.high_whole:.1%} of "
            f"{_whole_text(ctx, row)}; expected at most {share:.0%} of the population",
            field="value",
            value=row.value,
        ))
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "Each equipment count (tanks, armoured vehicles, artillery, aircraft, vessels) is plausible for the "
    "personnel: at most a set number per soldier (total personnel, else active personnel).",
    tables=("forces",),
    hint="Equipment needs crews: a count far above the personnel is usually a formatting slip in the source "
    "(e.g. '5,000,268' for 5,268). Find a better source or leave the count out.",
    thresholds=("nearest_year_window_years", "equipment_max_per_soldier"),
)
def equipment_per_soldier_is_plausible(ctx: Context) -> list[Finding]:
    window = ctx.threshold("nearest_year_window_years")
    limit = ctx.threshold("equipment_max_per_soldier")
    equipment = indicator_rows(ctx, _forces_indicators(ctx, "count"))
    totals = indicator_rows(ctx, [TOTAL_PERSONNEL])
    with_total = pair_nearest_year(equipment, totals, window, "_whole", keep_unpaired=True)
    unpaired = with_total["line_whole"].isna()
    without_total, with_total = with_total.loc[unpaired, equipment.columns], with_total[~unpaired]
    with_active = pair_nearest_year(without_total, indicator_rows(ctx, ["active_personnel"]), window, "_whole")
    pairs = pd.concat([frame for frame in (with_total, with_active) if not frame.empty] or [with_total])
    return _equipment_above(ctx, pairs, limit, "soldier")


@rule(
    ERROR,
    "Each equipment count is plausible for the population: at most a set number per inhabitant.",
    tables=("forces", "demographics"),
    hint="A count near the population is a formatting slip in the source; find a better source or leave it out.",
    thresholds=("nearest_year_window_years", "equipment_max_per_inhabitant", *SERIES_THRESHOLDS),
)
def equipment_per_inhabitant_is_plausible(ctx: Context) -> list[Finding]:
    limit = ctx.threshold("equipment_max_per_inhabitant")
    pairs = _paired(ctx, _forces_indicators(ctx, "count"), POPULATION)
    found = _equipment_above(ctx, pairs, limit, "inhabitant")
    suspects = suspect_rows(ctx)
    bad = violations(pairs, lambda d: d["value"] <= limit * d["high_whole"], ctx.check.id)
    return [_on_the_row_out_of_line(ctx, row, suspects, finding) for row, finding in zip(bad.itertuples(), found)]


def _equipment_above(ctx: Context, pairs: pd.DataFrame, limit: float, per: str) -> list[Finding]:
    """Findings for equipment counts above `limit` per unit of the paired whole (soldier or inhabitant)."""
    bad = violations(pairs, lambda d: d["value"] <= limit * d["high_whole"], ctx.check.id)
    return [
        ctx.finding(
            row.resource,
            _blamed(row, "_whole"),
            f"{_where_value(row)} is {number(row.value)} for {_whole_text(ctx, row)}: "
            f"{number(row.value / row.high_whole)} per {per}; expected at most {limit} per {per}",
            field="value",
            value=row.value,
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "Paved plus unpaved airports, and paved plus unpaved roads, are at most the total (plus a tolerance).",
    tables=("infrastructure",),
    hint="The parts may be from an older year than the total; check both against the same source edition.",
    thresholds=("nearest_year_window_years", "paved_unpaved_tolerance_ratio"),
)
def paved_and_unpaved_are_at_most_total(ctx: Context) -> list[Finding]:
    window = ctx.threshold("nearest_year_window_years")
    tolerance = ctx.threshold("paved_unpaved_tolerance_ratio")
    findings = []
    for total, (paved, unpaved) in PAVED_AND_UNPAVED.items():
        totals = indicator_rows(ctx, [total])
        pairs = totals
        for part, suffix in ((paved, "_paved"), (unpaved, "_unpaved")):
            pairs = pairs.merge(_best_part_of_each_total(ctx, part, totals, window, suffix), how="left",
                                on=["resource", "line"])
        pairs = pairs[pairs["line_paved"].notna() | pairs["line_unpaved"].notna()]
        if pairs.empty:
            continue
        pairs = pairs.assign(parts=pairs["value_paved"].fillna(0.0) + pairs["value_unpaved"].fillna(0.0))
        bad = violations(pairs, lambda d: d["parts"] <= d["high"] * (1 + tolerance), ctx.check.id)
        for row in bad.itertuples():
            found = [
                f"{indicator} {number(getattr(row, f'value{s}'))} ({getattr(row, f'year{s}')})"
                for indicator, s in ((paved, "_paved"), (unpaved, "_unpaved"))
                if not pd.isna(getattr(row, f"line{s}"))
            ]
            finding = ctx.finding(
                row.resource,
                _blamed(row, "_paved", "_unpaved"),
                f"{row.country}: {' + '.join(found)} = {number(row.parts)}, more than {total} "
                f"{number(row.high)} in {row.year}; expected at most {number(row.high * (1 + tolerance))} "
                f"(the total plus {tolerance:.0%})",
                field="value",
                value=row.parts,
            )
            part_lines = {getattr(row, f"line{s}"): getattr(row, f"value{s}") for s in ("_paved", "_unpaved")}
            findings.append(_on_the_slipped_row(finding, part_lines, row.line, row.high, exact=False))
    return findings


def _best_part_of_each_total(ctx: Context, part: str, totals: pd.DataFrame, window: int, suffix: str) -> pd.DataFrame:
    """For each total, the `part` row that chose it as its partner (best one if several did).

    Parts choose their total, not the other way round, so a total of another edition that
    happens to be nearer in year is not compared with parts its edition does not break down.
    """
    chosen = pair_nearest_year(indicator_rows(ctx, [part]), totals, window, "_total")
    chosen = chosen.sort_values(["line_total", "same_source", "gap"], ascending=[True, False, True])
    chosen = chosen.drop_duplicates(["resource_total", "line_total"])
    chosen = chosen[["resource_total", "line_total", "resource", "line", "year", "value"]]
    return chosen.rename(
        columns={"resource_total": "resource", "line_total": "line", "resource": f"resource{suffix}",
                 "line": f"line{suffix}", "year": f"year{suffix}", "value": f"value{suffix}"}
    )


@rule(
    ERROR,
    "Railway and road length per km² of land area stay within physical bounds.",
    tables=("infrastructure", "countries"),
    hint="Check the unit (miles, metres) and the scale of the length, and the country's land area.",
    thresholds=("railway_max_km_per_km2", "roadway_max_km_per_km2"),
)
def network_density_is_physically_plausible(ctx: Context) -> list[Finding]:
    findings = []
    for indicator, key in DENSITY_THRESHOLDS.items():
        limit = ctx.threshold(key)
        rows = with_land_area(ctx, [indicator])
        if rows.empty:
            continue
        bad = violations(rows, lambda d: d["value"] <= limit * d["land_area_km2"], ctx.check.id)
        for row in bad.itertuples():
            density = row.value / row.land_area_km2 if row.land_area_km2 else float("inf")
            findings.append(
                ctx.finding(
                    row.resource,
                    [row.line],
                    f"{_where_value(row)} is {number(row.value)} km on {number(row.land_area_km2)} km² of land "
                    f"({ctx.where('countries', row.country_line)}): {number(density)} km per km²; "
                    f"expected at most {limit} km per km²",
                    field="value",
                    value=row.value,
                )
            )
    return findings


@rule(
    ERROR,
    "Military expenditure is below 100% of GDP (the indicator's bounds allow 100 itself).",
    tables=("forces",),
    hint="A share of GDP of 100% or more is a slip (a value in another unit, or a misplaced decimal point).",
    thresholds=("military_expenditure_below_pct_gdp",),
)
def military_expenditure_is_below_gdp(ctx: Context) -> list[Finding]:
    limit = ctx.threshold("military_expenditure_below_pct_gdp")
    rows = indicator_rows(ctx, [MILITARY_EXPENDITURE])
    defs = _definitions(ctx)[["id", "maximum"]]
    rows = rows.merge(defs, left_on="indicator", right_on="id", how="left")
    # Values above the indicator's maximum are indicator_values_are_within_bounds's findings.
    holds = lambda d: (d["high"] < limit) | (d["high"] > d["maximum"]).fillna(False)  # noqa: E731
    bad = violations(rows, holds, ctx.check.id)
    return [
        ctx.finding(
            row.resource,
            [row.line],
            f"{_where_value(row)} is {number(row.high)}% of GDP; expected below {number(limit)}%",
            field="value",
            value=row.high,
        )
        for row in bad.itertuples()
    ]
