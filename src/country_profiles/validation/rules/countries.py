"""A country's own figures agree with each other: areas, coastline and landlocked flag."""

from __future__ import annotations

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import Context, number, rule, violations


@rule(
    ERROR,
    "Land area plus water area equals the total area, within a tolerance.",
    tables=("countries",),
    hint="Check the three areas against the source; a total rounded to thousands of km² is the usual slip.",
    thresholds=("area_tolerance_km2",),
)
def land_and_water_add_up_to_area(ctx: Context) -> list[Finding]:
    tolerance = ctx.threshold("area_tolerance_km2")
    rows = ctx.rows("countries")
    if rows.empty:
        return []
    rows = rows.assign(parts=rows["land_area_km2"] + rows["water_area_km2"])
    bad = violations(rows, lambda d: (d["parts"] - d["area_km2"]).abs() <= tolerance, ctx.check.id)
    return [
        ctx.finding(
            "countries",
            [row.line],
            f"{row.iso3}: land {number(row.land_area_km2)} km² + water {number(row.water_area_km2)} km² = "
            f"{number(row.parts)} km², but the total area is {number(row.area_km2)} km²; expected equal "
            f"within {number(tolerance)} km²",
            field="area_km2",
            value=row.area_km2,
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "A country is landlocked exactly when its coastline is 0 km.",
    tables=("countries",),
    hint="Set landlocked to true when coastline_km is 0 and to false otherwise (coasts on a lake do not count).",
)
def landlocked_exactly_when_no_coastline(ctx: Context) -> list[Finding]:
    rows = ctx.rows("countries")
    bad = violations(rows, lambda d: d["landlocked"] == (d["coastline_km"] == 0), ctx.check.id)
    findings = []
    for row in bad.itertuples():
        expected = "true" if row.coastline_km == 0 else "false"
        findings.append(
            ctx.finding(
                "countries",
                [row.line],
                f"{row.iso3} has landlocked {str(bool(row.landlocked)).lower()} and a coastline of "
                f"{number(row.coastline_km)} km; expected landlocked {expected}",
                field="landlocked",
                value=bool(row.landlocked),
            )
        )
    return findings
