"""Pairs of dates in one row: what ends does not end before it begins.

Memberships (since/until) and sources (published/accessed) have their own rules with their own
messages (memberships.py, provenance.py); this rule covers every other pair any table declares.
"""

from __future__ import annotations

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import ALL_TABLES, Context, rule, violations

# (start, end) field names: wherever a table has both, the end is not before the start.
DATE_PAIRS = (("founded", "dissolved"), ("since", "until"), ("published", "accessed"))
CHECKED_ELSEWHERE = {("memberships", "since", "until"), ("sources", "published", "accessed")}


def _shown(value) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


@rule(
    ERROR,
    "In every table, a row's end date is not before its start date (an organization is dissolved no earlier "
    "than it was founded).",
    tables=ALL_TABLES,
    hint="Swap the two dates, or correct the mistyped one against the source.",
)
def date_pairs_are_in_order(ctx: Context) -> list[Finding]:
    findings = []
    for name in sorted(ctx.package.tables):
        rows = ctx.rows(name)
        key = ctx.table(name).schema.get("primaryKey") or [rows.columns[0]]
        key = [key] if isinstance(key, str) else key
        for start, end in DATE_PAIRS:
            if start not in rows or end not in rows or (name, start, end) in CHECKED_ELSEWHERE:
                continue
            holds = lambda d, s=start, e=end: (d[e] >= d[s]) | d[s].isna() | d[e].isna()  # noqa: E731
            bad = violations(rows, holds, ctx.check.id)
            for row in bad.itertuples():
                label = " ".join(str(getattr(row, field, "")) for field in key)
                first, last = getattr(row, start), getattr(row, end)
                findings.append(ctx.finding(
                    name, [row.line],
                    f"{name} {label}: {end} {_shown(last)} is before {start} {_shown(first)}; expected {end} "
                    f"no earlier than {start} (the two dates swapped, or a typo?)",
                    field=end, value=_shown(last)))
    return findings
