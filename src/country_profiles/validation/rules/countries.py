"""A country's own figures agree with each other: areas, coastline and landlocked flag."""

from __future__ import annotations

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import Context, number, row_rule


def _parts(rows: pd.DataFrame) -> pd.Series:
    return rows["land_area_km2"] + rows["water_area_km2"]


@row_rule(
    ERROR,
    "Land area plus water area equals the total area, within a tolerance.",
    tables=("countries",),
    hint="Check the three areas against the source; a total rounded to thousands of km² is the usual slip.",
    thresholds=("area_tolerance_km2",),
    holds=lambda d, ctx: (_parts(d) - d["area_km2"]).abs() <= ctx.threshold("area_tolerance_km2"),
)
def land_and_water_add_up_to_area(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
    tolerance = ctx.threshold("area_tolerance_km2")
    return [
        ctx.finding(
            resource,
            [row.line],
            f"{row.iso3}: land {number(row.land_area_km2)} km² + water {number(row.water_area_km2)} km² = "
            f"{number(row.parts)} km², but the total area is {number(row.area_km2)} km²; expected equal "
            f"within {number(tolerance)} km²",
            field="area_km2",
            value=row.area_km2,
        )
        for row in bad.assign(parts=_parts(bad)).itertuples()
    ]


@row_rule(
    ERROR,
    "A country is landlocked exactly when its coastline is 0 km.",
    tables=("countries",),
    hint="Set landlocked to true when coastline_km is 0 and to false otherwise (coasts on a lake do not count).",
    holds=lambda d, ctx: d["landlocked"] == (d["coastline_km"] == 0),
)
def landlocked_exactly_when_no_coastline(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
    findings = []
    for row in bad.itertuples():
        expected = "true" if row.coastline_km == 0 else "false"
        findings.append(
            ctx.finding(
                resource,
                [row.line],
                f"{row.iso3} has landlocked {str(bool(row.landlocked)).lower()} and a coastline of "
                f"{number(row.coastline_km)} km; expected landlocked {expected}",
                field="landlocked",
                value=bool(row.landlocked),
            )
        )
    return findings
