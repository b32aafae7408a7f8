"""Where the values come from and when: no date in the future, nothing newer than its source.

That every source_id names a source in sources.csv is a foreign key, checked by the structure
checks; these rules add what a foreign key cannot say.
"""

from __future__ import annotations

import re

from collections.abc import Iterator

import pandas as pd

from country_profiles.validation.findings import ERROR, WARNING, Finding
from country_profiles.validation.model import Table
from country_profiles.validation.rules._framework import Context, distinct, lookup, row_rule, rule, violations


def year_fields(table: Table) -> list[str]:
    """Integer fields that hold a year, by their schema description ('Year the status began')."""
    return [
        f["name"]
        for f in table.schema["fields"]
        if f.get("type") == "integer" and f.get("description", "").lower().startswith("year")
    ]


def _tables(ctx: Context) -> Iterator[tuple[str, Table]]:
    yield from sorted(ctx.package.tables.items())


def _row_label(table: Table, row) -> str:
    """A few key cells to recognise a row by: its primary key."""
    key = table.schema.get("primaryKey") or [table.schema["fields"][0]["name"]]
    key = [key] if isinstance(key, str) else key
    return " ".join(str(getattr(row, name)) for name in key)


@rule(
    ERROR,
    "No year in any table (year, since, until, founded, dissolved) is after the current year.",
    tables=("demographics", "forces", "infrastructure", "ethnic_groups", "age_structure", "memberships", "organizations"),
    hint="A future year is a projection or a typo: store the year the source dates the value to.",
)
def years_are_not_in_the_future(ctx: Context) -> list[Finding]:
    this_year = ctx.today.year
    findings = []
    for name, table in _tables(ctx):
        rows = ctx.rows(name)
        for field in year_fields(table):
            bad = violations(rows, lambda d: d[field] <= this_year, ctx.check.id)
            findings += [
                ctx.finding(
                    name,
                    [row.line],
                    f"{_row_label(table, row)}: {field} {getattr(row, field)} is in the future; "
                    f"expected {this_year} or earlier",
                    field=field,
                    value=getattr(row, field),
                )
                for row in bad.itertuples()
            ]
    return findings


@rule(
    ERROR,
    "No date (a source's published or accessed date) is after today.",
    tables=("sources",),
    hint="Check the date's format (YYYY-MM-DD) and year.",
)
def dates_are_not_in_the_future(ctx: Context) -> list[Finding]:
    today = pd.Timestamp(ctx.today)
    findings = []
    for name, table in _tables(ctx):
        rows = ctx.rows(name)
        for field in [f["name"] for f in table.schema["fields"] if f.get("type") == "date"]:
            # Dates have no nullable dtype: a missing date compares False, so it is let through here.
            bad = violations(rows, lambda d: (d[field] <= today) | d[field].isna(), ctx.check.id)
            findings += [
                ctx.finding(
                    name,
                    [row.line],
                    f"{_row_label(table, row)}: {field} {getattr(row, field).date().isoformat()} is after today "
                    f"({ctx.today.isoformat()}); expected a past date",
                    field=field,
                    value=getattr(row, field).date().isoformat(),
                )
                for row in bad.itertuples()
            ]
    return findings


@row_rule(
    ERROR,
    "A source was published no later than the project accessed it.",
    tables=("sources",),
    hint="Swap the two dates, or fix the mistyped one.",
    holds=lambda d, ctx: (d["published"] <= d["accessed"]) | d["published"].isna() | d["accessed"].isna(),
)
def sources_are_published_before_accessed(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
    return [
        ctx.finding(
            resource,
            [row.line],
            f"source {row.id} was published {row.published.date().isoformat()} but accessed "
            f"{row.accessed.date().isoformat()}; expected published on or before accessed",
            field="published",
            value=row.published.date().isoformat(),
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "No row is dated after the publication of the source it cites (its year is at most the source's year).",
    tables=("demographics", "forces", "infrastructure", "ethnic_groups", "age_structure", "memberships", "organizations"),
    hint="The row cites the wrong source edition, or the year is a typo: cite the edition that gives the value.",
)
def values_are_not_dated_after_their_source(ctx: Context) -> list[Finding]:
    sources = ctx.rows("sources")
    if sources.empty or "published" not in sources:
        return []
    published = sources.dropna(subset=["id"]).drop_duplicates("id")
    published = published.assign(source_year=published["published"].dt.year.astype("Int64"))
    source_years = published.set_index("id")[["source_year"]]
    published = published[["id", "published", "line"]].rename(columns={"line": "source_line"})
    findings = []
    for name, table in _tables(ctx):
        fields = year_fields(table)
        if not fields or "source_id" not in table.frame:
            continue
        rows = ctx.rows(name)
        # A row citing no known source has no source year: nothing to judge (a foreign key error).
        rows = rows.assign(source_year=lookup(rows["source_id"], source_years)["source_year"])
        for field in fields:
            bad = violations(rows, lambda d: d[field] <= d["source_year"], ctx.check.id)
            bad = bad.merge(published, left_on="source_id", right_on="id", suffixes=("", "_source"))
            findings += [
                ctx.finding(
                    name,
                    [row.line],
                    f"{_row_label(table, row)}: {field} {getattr(row, field)} is after its source {row.source_id} "
                    f"was published ({row.published.date().isoformat()}, {ctx.where('sources', row.source_line)}); "
                    f"expected {row.source_year} or earlier",
                    field=field,
                    value=getattr(row, field),
                )
                for row in bad.itertuples()
            ]
    return findings


@rule(
    WARNING,
    "Every source in sources.csv is cited by another table: in a source_id column (or a per-field one such as "
    "since_source_id), or by its id in a note.",
    tables=("sources",),
    hint="Remove a source nothing cites, or cite it where its values are used. A warning: an uncited "
    "source harms no value, it only clutters the list.",
)
def every_source_is_cited(ctx: Context) -> list[Finding]:
    cited: set[str] = set()
    sources = ctx.rows("sources")
    known = set(sources["id"].dropna())
    for name, table in _tables(ctx):
        if name == "sources":
            continue
        for column in table.frame.columns:  # source_id, and per-field ones such as since_source_id
            if column == "source_id" or column.endswith("_source_id"):
                cited |= set(distinct(table.frame[column]))
        if "note" in table.frame:  # a correction that only adds a remark names its source there
            notes = " ".join(distinct(table.frame["note"]))
            cited |= set(re.findall(r"[a-z0-9][a-z0-9-]*", notes)) & known
    bad = violations(sources, lambda d: d["id"].isin(cited) | d["id"].isna(), ctx.check.id)
    return [
        ctx.finding(
            "sources",
            [row.line],
            f"source {row.id} is cited by no row of any table; expected each source to be used",
            field="id",
            value=row.id,
        )
        for row in bad.itertuples()
    ]
