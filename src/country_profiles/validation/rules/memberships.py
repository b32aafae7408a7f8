"""Memberships in international organizations: dated within the organization's life, without overlaps.

Years are whole years, so a period from `since` to `until` includes both years, and a status that
ends in the year another begins (observer until 2015, member since 2015) does not overlap it.
A status may begin and end in the same year (`until` equal to `since`).
"""

from __future__ import annotations

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import Context, lookup, row_rule, rule, violations


def _with_organization(ctx: Context) -> pd.DataFrame:
    """Memberships with their organization's founded, dissolved and line (line_org); none for an
    organization that organizations.csv lacks (a foreign key error)."""
    memberships = ctx.rows("memberships")
    organizations = ctx.rows("organizations")
    if memberships.empty or organizations.empty:
        return pd.DataFrame()
    organizations = organizations.drop_duplicates("id").set_index("id")[["founded", "dissolved", "line"]]
    rows = memberships[["country", "organization", "status", "since", "until", "line"]]
    found = lookup(rows["organization"], organizations.rename(columns={"line": "line_org"}))
    return pd.concat([rows, found], axis=1)


def _period(since, until) -> str:
    start = "?" if pd.isna(since) else str(since)
    return f"{start}-{'' if pd.isna(until) else until}"


@rule(
    ERROR,
    "A membership lies within its organization's life: it begins no earlier than the founding and no later "
    "than the dissolution, and ends no later than the dissolution.",
    tables=("memberships", "organizations"),
    hint="Check the years against the source; a membership in a predecessor organization belongs to that "
    "organization, or in a note.",
)
def membership_within_organization_lifetime(ctx: Context) -> list[Finding]:
    rows = _with_organization(ctx)
    if rows.empty:
        return []
    checks = {
        "since": lambda d: ~(d["since"] < d["founded"]) & ~(d["since"] > d["dissolved"]),
        "until": lambda d: ~(d["until"] > d["dissolved"]),
    }
    findings = []
    for field, holds in checks.items():
        bad = violations(rows, holds, ctx.check.id)
        for row in bad.itertuples():
            first = "?" if pd.isna(row.founded) else row.founded
            last = "now" if pd.isna(row.dissolved) else row.dissolved
            findings.append(
                ctx.finding(
                    "memberships",
                    [row.line],
                    f"{row.country} is {row.status} of {row.organization} with {field} {getattr(row, field)}, "
                    f"outside the organization's life ({ctx.where('organizations', row.line_org)}: {first}-{last}); "
                    f"expected a year from {first} to {last}",
                    field=field,
                    value=getattr(row, field),
                )
            )
    return findings


@row_rule(
    ERROR,
    "A membership does not end before it begins (until is at least since; the same year is allowed).",
    tables=("memberships",),
    hint="Swap since and until, or fix the mistyped year.",
    holds=lambda d, ctx: d["until"] >= d["since"],
)
def membership_ends_after_it_begins(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
    return [
        ctx.finding(
            resource,
            [row.line],
            f"{row.country} is {row.status} of {row.organization} from {row.since} until {row.until}; "
            "expected until at least since",
            field="until",
            value=row.until,
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "A country's periods in one organization do not overlap, whatever their status (except the statuses "
    "that only qualify another, such as a suspension).",
    tables=("memberships",),
    hint="End the earlier status in the year the later one begins (e.g. observer until 2015, member since 2015).",
    thresholds=("membership_statuses_that_overlap",),
)
def membership_periods_do_not_overlap(ctx: Context) -> list[Finding]:
    qualifying = set(ctx.threshold("membership_statuses_that_overlap"))
    rows = ctx.rows("memberships")[["country", "organization", "status", "since", "until", "line"]]
    if rows.empty:
        return []
    # Only a country listed several times in an organization can have periods that overlap.
    rows = rows[rows.duplicated(["country", "organization"], keep=False)]
    rows = rows[~rows["status"].isin(qualifying)].dropna(subset=["country", "organization", "since"])
    pairs = rows.merge(rows, on=["country", "organization"], suffixes=("", "_other"))
    pairs = pairs[pairs["line"] < pairs["line_other"]]
    # [since, until] years, open-ended while until is empty; touching in one year is a handover.
    far_future = 10**6
    until = pairs["until"].fillna(far_future)
    until_other = pairs["until_other"].fillna(far_future)
    pairs = pairs.assign(overlap=(pairs["since"] < until_other) & (pairs["since_other"] < until))
    bad = violations(pairs, lambda d: ~d["overlap"], ctx.check.id)
    return [
        ctx.finding(
            "memberships",
            [row.line, row.line_other],
            f"{row.country} in {row.organization}: {row.status} {_period(row.since, row.until)} (line {row.line}) "
            f"overlaps {row.status_other} {_period(row.since_other, row.until_other)} (line {row.line_other}); "
            "expected one status at a time",
            field="since",
            value=row.since_other,
        )
        for row in bad.itertuples()
    ]
