"""A country's own figures agree with each other: areas, coastline and landlocked flag."""

from __future__ import annotations

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.outliers import slips_in_a_sum, times
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
    findings = []
    for row in bad.assign(parts=_parts(bad)).itertuples():
        field, why = _slipped_area(row)
        findings.append(ctx.finding(
            resource,
            [row.line],
            f"{row.iso3}: land {number(row.land_area_km2)} km² + water {number(row.water_area_km2)} km² = "
            f"{number(row.parts)} km², but the total area is {number(row.area_km2)} km²; expected equal "
            f"within {number(tolerance)} km²{why}",
            field=field,
            value=getattr(row, field),
        ))
    return findings


def _slipped_area(row) -> tuple[str, str]:
    """The area a power of ten from what the other two make it (named), else the total."""
    found = slips_in_a_sum({"land_area_km2": row.land_area_km2, "water_area_km2": row.water_area_km2}, row.area_km2)
    if not found:
        return "area_km2", ""
    field, named, expected = found[0]
    field = field or "area_km2"
    how = {"area_km2": "land plus water", "land_area_km2": "the total minus water",
           "water_area_km2": "the total minus land"}[field]
    return field, f"; {field} is {times(getattr(row, field), expected)} {number(expected)} km² {how} gives ({named})"


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
