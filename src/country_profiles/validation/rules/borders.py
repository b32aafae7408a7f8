"""Land borders: listed from both sides, alike from both sides, and adding up to the country's total."""

from __future__ import annotations

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import Context, lines_text, number, row_rule, rule, violations


def _borders(ctx: Context) -> pd.DataFrame:
    return ctx.rows("borders").dropna(subset=["country", "neighbor"]) if ctx.table("borders") else pd.DataFrame()


@row_rule(
    ERROR,
    "No country borders itself.",
    tables=("borders",),
    hint="The neighbor code is probably a typo for another country's code.",
    holds=lambda d, ctx: d["country"] != d["neighbor"],
)
def no_country_borders_itself(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
    return [
        ctx.finding(
            resource,
            [row.line],
            f"{row.country} is listed as its own neighbor; expected another country's code",
            field="neighbor",
            value=row.neighbor,
        )
        for row in bad.itertuples()
    ]


def _with_reverse(rows: pd.DataFrame) -> pd.DataFrame:
    """Each border row with the row for the opposite direction (columns suffixed `_back`), if any."""
    back = rows[["country", "neighbor", "length_km", "line"]].add_suffix("_back")
    return rows.merge(
        back, how="left", left_on=["country", "neighbor"], right_on=["neighbor_back", "country_back"]
    )


@rule(
    ERROR,
    "Every border is listed in both directions: a row A-B has a row B-A.",
    tables=("borders",),
    hint="Add the missing direction with the same length and source.",
)
def borders_are_symmetric(ctx: Context) -> list[Finding]:
    rows = _borders(ctx)
    if rows.empty:
        return []
    rows = _with_reverse(rows[rows["country"] != rows["neighbor"]])  # self-borders: no_country_borders_itself
    bad = violations(rows, lambda d: d["line_back"].notna(), ctx.check.id)
    return [
        ctx.finding(
            "borders",
            [row.line],
            f"{row.country} borders {row.neighbor}, but no row says {row.neighbor} borders {row.country}; "
            f"expected the border listed from both sides",
            field="neighbor",
            value=row.neighbor,
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "Both directions of a border give the same length, within a tolerance.",
    tables=("borders",),
    hint="Use the same figure on both rows; where the source gives two, keep the one from the more recent entry "
    "and say so in a note.",
    thresholds=("border_length_tolerance_km", "border_length_tolerance_ratio"),
)
def border_lengths_agree(ctx: Context) -> list[Finding]:
    absolute, ratio = ctx.threshold("border_length_tolerance_km"), ctx.threshold("border_length_tolerance_ratio")
    rows = _borders(ctx)
    if rows.empty:
        return []
    pairs = _with_reverse(rows)
    pairs = pairs[pairs["line"] < pairs["line_back"]]  # each pair once, blamed on both lines
    longer = pairs[["length_km", "length_km_back"]].max(axis=1)
    pairs = pairs.assign(allowed=(longer * ratio).clip(lower=absolute))
    bad = violations(pairs, lambda d: (d["length_km"] - d["length_km_back"]).abs() <= d["allowed"], ctx.check.id)
    return [
        ctx.finding(
            "borders",
            [row.line, row.line_back],
            f"the border {row.country}-{row.neighbor} is {number(row.length_km)} km (line {row.line}) but "
            f"{row.neighbor}-{row.country} is {number(row.length_km_back)} km (line {int(row.line_back)}); "
            f"expected equal within {number(row.allowed)} km",
            field="length_km",
            value=row.length_km,
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "A country's borders add up to its land_boundaries_km, within a tolerance (0 km when it has none).",
    tables=("countries", "borders"),
    hint="A border missing from borders.csv, or a segment counted twice, is the usual cause.",
    thresholds=("land_boundaries_tolerance_km", "land_boundaries_tolerance_ratio"),
)
def borders_add_up_to_land_boundaries(ctx: Context) -> list[Finding]:
    absolute = ctx.threshold("land_boundaries_tolerance_km")
    ratio = ctx.threshold("land_boundaries_tolerance_ratio")
    countries = ctx.rows("countries")
    if countries.empty or ctx.table("borders") is None:
        return []
    rows = _borders(ctx)
    # A country's total is unknown when one of its borders has no length: nothing to judge then.
    total = {c: (g.sum() if g.notna().all() else float("nan")) for c, g in rows.groupby("country")["length_km"]}
    lines = {c: tuple(g) for c, g in rows.groupby("country")["line"]}
    joined = countries.assign(
        borders_km=countries["iso3"].map(lambda c: total.get(c, 0.0)).astype("float64"),
        border_lines=countries["iso3"].map(lambda c: lines.get(c, ())),
    )
    joined = joined.assign(allowed=(joined["land_boundaries_km"] * ratio).clip(lower=absolute))
    bad = violations(
        joined, lambda d: (d["borders_km"] - d["land_boundaries_km"]).abs() <= d["allowed"], ctx.check.id
    )
    findings = []
    for row in bad.itertuples():
        listed = (
            f"its {len(row.border_lines)} borders in borders.csv ({lines_text(row.border_lines)}) add up to "
            f"{number(row.borders_km)} km"
            if row.border_lines
            else "borders.csv lists no border for it"
        )
        findings.append(
            ctx.finding(
                "countries",
                [row.line],
                f"{row.iso3} has land_boundaries_km {number(row.land_boundaries_km)}, but {listed}; "
                f"expected equal within {number(row.allowed)} km",
                field="land_boundaries_km",
                value=row.land_boundaries_km,
            )
        )
    return findings
