"""Land borders: listed from both sides, alike from both sides, and adding up to the country's total."""

from __future__ import annotations

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.outliers import slip
from country_profiles.validation.rules._framework import Context, lines_text, number, row_rule, rule, violations
from country_profiles.validation.rules.series import blame_first


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
    thresholds=("border_length_tolerance_km", "border_length_tolerance_ratio", "land_boundaries_tolerance_km",
                "land_boundaries_tolerance_ratio"),
)
def border_lengths_agree(ctx: Context) -> list[Finding]:
    absolute, ratio = ctx.threshold("border_length_tolerance_km"), ctx.threshold("border_length_tolerance_ratio")
    rows = _borders(ctx)
    if rows.empty:
        return []
    pairs = _with_reverse(rows)
    pairs = pairs[pairs["line"] < pairs["line_back"]]  # each pair once
    longer = pairs[["length_km", "length_km_back"]].max(axis=1)
    pairs = pairs.assign(allowed=(longer * ratio).clip(lower=absolute))
    bad = violations(pairs, lambda d: (d["length_km"] - d["length_km_back"]).abs() <= d["allowed"], ctx.check.id)
    if bad.empty:
        return []
    totals = _land_boundary_totals(ctx)
    adds_up = dict(zip(totals["iso3"], totals["adds_up"])) if not totals.empty else {}
    findings = []
    for row in bad.itertuples():
        message = (f"the border {row.country}-{row.neighbor} is {number(row.length_km)} km (line {row.line}) but "
                   f"{row.neighbor}-{row.country} is {number(row.length_km_back)} km (line {int(row.line_back)}); "
                   f"expected equal within {number(row.allowed)} km")
        sides = [(row.country, int(row.line), int(row.line_back)), (row.neighbor, int(row.line_back), int(row.line))]
        # The row of the country whose borders no longer add up to its land_boundaries_km is the one out of line.
        wrong = [side for side in sides if adds_up.get(side[0]) is False]
        if len(wrong) == 1:
            country, line, other = wrong[0]
            blamed = [(line, other, f"; {country}'s borders do not add up to its land_boundaries_km while the "
                                    f"other country's do: line {line} is the one out of line")]
        else:
            blamed = [(line, other, "; the totals cannot tell which is wrong: check both against the source")
                      for _, line, other in sides]
        lengths = {int(row.line): row.length_km, int(row.line_back): row.length_km_back}
        for line, other, why in blamed:
            named = slip(lengths[line], lengths[other])
            finding = ctx.finding("borders", [line, other], message + why + (f" ({named})" if named else ""),
                                  field="length_km", value=lengths[line])
            findings.append(blame_first(finding, line))
    return findings


def _land_boundary_totals(ctx: Context) -> pd.DataFrame:
    """Each country with the sum of its borders (`borders_km`, NaN when a length is missing), their
    lines, the tolerance (`allowed`) and whether the sum matches its land_boundaries_km (`adds_up`)."""
    absolute = ctx.threshold("land_boundaries_tolerance_km")
    ratio = ctx.threshold("land_boundaries_tolerance_ratio")
    countries = ctx.rows("countries")
    if countries.empty or ctx.table("borders") is None:
        return pd.DataFrame()
    rows = _borders(ctx)
    # A country's total is unknown when one of its borders has no length: nothing to judge then.
    total = {c: (g.sum() if g.notna().all() else float("nan")) for c, g in rows.groupby("country")["length_km"]}
    lines = {c: tuple(g) for c, g in rows.groupby("country")["line"]}
    joined = countries.assign(
        borders_km=countries["iso3"].map(lambda c: total.get(c, 0.0)).astype("float64"),
        border_lines=countries["iso3"].map(lambda c: lines.get(c, ())),
    )
    joined = joined.assign(allowed=(joined["land_boundaries_km"] * ratio).clip(lower=absolute))
    difference = (joined["borders_km"] - joined["land_boundaries_km"]).abs()
    known = joined["borders_km"].notna() & joined["land_boundaries_km"].notna()
    return joined.assign(adds_up=(difference <= joined["allowed"]).where(known, None))


@rule(
    ERROR,
    "A country's borders add up to its land_boundaries_km, within a tolerance (0 km when it has none).",
    tables=("countries", "borders"),
    hint="A border missing from borders.csv, or a segment counted twice, is the usual cause.",
    thresholds=("land_boundaries_tolerance_km", "land_boundaries_tolerance_ratio"),
)
def borders_add_up_to_land_boundaries(ctx: Context) -> list[Finding]:
    joined = _land_boundary_totals(ctx)
    if joined.empty:
        return []
    bad = violations(joined, lambda d: d["adds_up"], ctx.check.id)  # missing (a length unknown): nothing to judge
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
