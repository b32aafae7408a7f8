"""Shares of a population: ethnic groups and age bands."""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from typing import Any

import pandas as pd

from country_profiles.validation.findings import ERROR, WARNING, Finding
from country_profiles.validation.outliers import slip, slips_in_a_sum
from country_profiles.validation.rules._framework import Context, lines_text, percent, row_rule, rule, violations
from country_profiles.validation.rules.series import blame_first


def normalized_group(name: str) -> str:
    """A group name with case, spacing and accents ignored: ' Üzbek ' -> 'uzbek'."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


LIST = ["country", "year"]  # a list of ethnic groups or age bands: one country and year


def _normalized_groups(groups: pd.Series) -> pd.Series:
    """normalized_group of each name, computed once per distinct name."""
    distinct = groups.dropna().unique()
    return groups.map(dict(zip(distinct, map(normalized_group, distinct))))


def _ethnic_lists(ctx: Context) -> pd.DataFrame:
    """One row per (country, year) list: sums of the lower and upper ends, residual flag."""
    rows = ctx.rows("ethnic_groups")
    if rows.empty:
        return rows
    rows = rows.dropna(subset=LIST)
    residuals = {normalized_group(name) for name in ctx.threshold("ethnic_residual_groups")}
    rows = rows.assign(
        high=rows["percent_max"].fillna(rows["percent"]),
        residual=_normalized_groups(rows["group"]).isin(residuals),
        ranged=rows["percent_max"].notna(),
        known=rows["percent"].notna(),
    )
    return (
        rows.groupby(LIST, sort=True)
        .agg(
            low=("percent", "sum"),
            high=("high", "sum"),
            has_residual=("residual", "any"),
            has_range=("ranged", "any"),
            complete=("known", "all"),
        )
        .reset_index()
    )


def _with_lines(bad: pd.DataFrame, rows: pd.DataFrame, **aggregates: Any) -> pd.DataFrame:
    """The lists that break a rule, with the lines of their rows (and other `aggregates` of those
    rows). Only for these few lists: a tuple per list costs a Python call each."""
    if bad.empty:
        return bad
    members = rows.merge(bad[LIST], on=LIST)
    details = members.groupby(LIST, sort=True).agg(lines=("line", tuple), **aggregates).reset_index()
    return bad.merge(details, on=LIST, how="left")


def _sum_text(row) -> str:
    if row.has_range:
        return f"{percent(row.low)} to {percent(row.high)} (the list has ranges)"
    return percent(row.low)


@rule(
    ERROR,
    "The ethnic groups of a country and year add up to at most 100% (plus a rounding tolerance).",
    tables=("ethnic_groups",),
    hint="Look for a group listed twice, a subgroup listed beside the group it belongs to, or a typo in a share.",
    thresholds=("ethnic_sum_tolerance_pp", "ethnic_residual_groups"),
)
def ethnic_percentages_sum_to_at_most_100(ctx: Context) -> list[Finding]:
    tolerance = ctx.threshold("ethnic_sum_tolerance_pp")
    lists = _ethnic_lists(ctx)
    bad = violations(lists, lambda d: d["low"] <= 100 + tolerance, ctx.check.id)
    bad = _with_lines(bad, ctx.rows("ethnic_groups"))
    findings = []
    for row in bad.itertuples():
        finding = ctx.finding(
            "ethnic_groups",
            row.lines,
            f"ethnic groups of {row.country} in {row.year} add up to {_sum_text(row)}; "
            f"expected at most {percent(100 + tolerance)} (100% plus {tolerance} points for rounding)",
            field="percent",
            value=round(float(row.low), 6),
        )
        findings.append(_blame_slipped_share(ctx, finding, "ethnic_groups", row.country, row.year))
    return findings


@dataclasses.dataclass(frozen=True)
class SlippedShare:
    """The share of a list that explains why the list does not add up: the value that would make
    it add up to 100% (`needed`), the same group's or band's share in the country's nearest
    other year (`before`: year, share) and the slip the factor between them names."""

    line: int
    share: float
    needed: float
    before: tuple[int, float] | None
    named: str | None


def slipped_share(rows: pd.DataFrame, year: int, keys: pd.Series) -> SlippedShare | None:
    """The share of the `year` list among one country's `rows` (every year; `keys` names each
    row's group or band) that explains the list's deviation from 100%: the one whose value would
    come nearest the same group's share in the nearest other year if replaced by the value that
    makes the list add up; with no such history, the only share whose value is a power of ten
    from that value. None when neither says which."""
    rows = rows.assign(key=keys)[rows["percent"].notna()]
    listed, others = rows[rows["year"] == year], rows[rows["year"] != year]
    total = float(listed["percent"].sum())
    scored = []
    for item in listed.itertuples():
        share = float(item.percent)
        needed = 100 - (total - share)
        if share <= 0 or needed <= 0:
            continue
        history = others[others["key"] == item.key]
        before = None
        if not history.empty:
            nearest = history.iloc[(history["year"] - year).abs().argsort().iloc[0]]
            before = (int(nearest["year"]), float(nearest["percent"]))
        found = SlippedShare(int(item.line), share, needed, before, slip(share, needed, "percent"))
        if before is not None and before[1] > 0:
            # How much nearer its history the share comes when it makes the list add up.
            gain = abs(math.log10(share / before[1])) - abs(math.log10(needed / before[1]))
            if gain > 0:
                scored.append((gain, found))
    if scored:
        return max(scored, key=lambda pair: pair[0])[1]
    shares = {int(item.line): float(item.percent) for item in listed.itertuples() if item.percent > 0}
    named = [line for line, _, _ in slips_in_a_sum(shares, 100, "percent") if line is not None]
    if not named:
        return None
    share = shares[named[0]]
    needed = 100 - (total - share)
    return SlippedShare(named[0], share, needed, None, slip(share, needed, "percent"))


def _blame_slipped_share(ctx: Context, finding: Finding, resource: str, country: str, year: int) -> Finding:
    """The finding blamed on the share that explains it (slipped_share), saying why; unchanged
    when no share does."""
    rows = ctx.rows(resource)
    rows = rows[rows["country"] == country]
    if rows.empty:
        return finding
    keys = _normalized_groups(rows["group"]) if resource == "ethnic_groups" else rows["age_band"]
    found = slipped_share(rows, year, keys)
    if found is None:
        return finding
    return blame_first(dataclasses.replace(finding, message=f"{finding.message}; {_slip_text(found, resource)}"),
                       found.line)


def _slip_text(found: SlippedShare, resource: str) -> str:
    kind = "group" if resource == "ethnic_groups" else "band"
    text = f"line {found.line} has {percent(found.share)}"
    if found.before is not None:
        text += f" where {found.before[0]} had {percent(found.before[1])} for the same {kind}"
    else:
        text += f" where {percent(found.needed)} would make the list add up"
    return f"{text} ({found.named})" if found.named else text


@rule(
    WARNING,
    "An ethnic list that has a residual group ('other', 'unspecified', ...) adds up to 100% within a tolerance.",
    tables=("ethnic_groups",),
    hint="A residual group means the list covers everyone: check for a missing group or a mistyped share. "
    "A warning, not an error: the Factbook itself publishes some lists that fall short.",
    thresholds=("ethnic_sum_tolerance_pp", "ethnic_residual_groups"),
)
def ethnic_percentages_with_residual_sum_to_100(ctx: Context) -> list[Finding]:
    # Only the shortfall: a list over 100% is ethnic_percentages_sum_to_at_most_100's error.
    tolerance = ctx.threshold("ethnic_sum_tolerance_pp")
    lists = _ethnic_lists(ctx)
    if lists.empty:
        return []
    lists = lists[lists["has_residual"] & lists["complete"]]  # a missing share is a structure error
    bad = violations(lists, lambda d: d["high"] >= 100 - tolerance, ctx.check.id)
    bad = _with_lines(bad, ctx.rows("ethnic_groups"))
    return [
        ctx.finding(
            "ethnic_groups",
            row.lines,
            f"ethnic groups of {row.country} in {row.year} include a residual group but add up to "
            f"{_sum_text(row)}; expected 100% within {tolerance} points",
            field="percent",
            value=round(float(row.high), 6),
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "An ethnic list with a residual group that falls short of 100% has no share a factor of 10 or 100 off: when one "
    "share, so scaled, makes the list add up, it is a slip (a fraction written for a percentage, a digit too few).",
    tables=("ethnic_groups",),
    hint="Correct the share named against the source: 0.738 is 73.8%, 1.48 may be 14.8%.",
    thresholds=("ethnic_sum_tolerance_pp", "ethnic_residual_groups"),
)
def ethnic_shares_are_not_slipped_in_scale(ctx: Context) -> list[Finding]:
    tolerance = ctx.threshold("ethnic_sum_tolerance_pp")
    lists = _ethnic_lists(ctx)
    if lists.empty:
        return []
    # Only complete lists with a residual group must add up; lists over 100% are the sum rule's error.
    lists = lists[lists["has_residual"] & lists["complete"] & ~lists["has_range"]]
    short = violations(lists, lambda d: d["low"] >= 100 - tolerance, ctx.check.id)
    rows = ctx.rows("ethnic_groups")
    findings = []
    for item in short.itertuples():
        mine = rows[rows["country"] == item.country]
        found = slipped_share(mine, item.year, _normalized_groups(mine["group"]))
        if found is None or found.named is None:
            continue
        findings.append(ctx.finding(
            "ethnic_groups", [found.line],
            f"ethnic groups of {item.country} in {item.year} include a residual group but add up to "
            f"{percent(item.low)}; {_slip_text(found, 'ethnic_groups')}",
            field="percent", value=found.share))
    return findings


@rule(
    ERROR,
    "No ethnic group appears twice in one country and year once case, spacing and accents are ignored.",
    tables=("ethnic_groups",),
    hint="Merge the rows into one group (add up their shares only if the source lists them separately).",
)
def ethnic_groups_are_distinct(ctx: Context) -> list[Finding]:
    rows = ctx.rows("ethnic_groups").dropna(subset=["country", "year", "group"])
    if rows.empty:
        return []
    rows = rows.assign(key=_normalized_groups(rows["group"]))
    spellings = rows.groupby(["country", "year", "key"])["group"].transform("nunique")
    # Identical spellings are a primary-key violation the structure checks report already.
    bad = violations(rows.assign(spellings=spellings), lambda d: d["spellings"] <= 1, ctx.check.id)
    findings = []
    for (country, year, _), same in bad.groupby(["country", "year", "key"], sort=True):
        names = ", ".join(repr(name) for name in same["group"])
        findings.append(
            ctx.finding(
                "ethnic_groups",
                same["line"],
                f"{country} in {year} lists the same group {len(same)} times as {names} "
                f"({lines_text(same['line'])}); expected each group once",
                field="group",
                value=same["group"].iloc[0],
            )
        )
    return findings


def _age_bands(ctx: Context) -> tuple[str, ...]:
    """The bands the schema allows; every country and year must have all of them."""
    table = ctx.table("age_structure")
    if table is None:
        return ()
    field = next(f for f in table.schema["fields"] if f["name"] == "age_band")
    return tuple(field["constraints"]["enum"])


def _age_lists(ctx: Context) -> pd.DataFrame:
    """One row per (country, year): the sum of its shares, whether all are known, and whether it
    has every band the schema allows."""
    rows = ctx.rows("age_structure").dropna(subset=LIST)
    if rows.empty:
        return rows
    required = _age_bands(ctx)
    rows = rows.assign(allowed_band=rows["age_band"].where(rows["age_band"].isin(required)),
                       known=rows["percent"].notna())
    lists = (
        rows.groupby(LIST, sort=True)
        .agg(allowed_bands=("allowed_band", "nunique"), total=("percent", "sum"), complete=("known", "all"))
        .reset_index()
    )
    return lists.assign(has_all_bands=lists["allowed_bands"] == len(required))


@rule(
    ERROR,
    "Every country and year in age_structure has all three age bands (0-14, 15-64, 65+).",
    tables=("age_structure",),
    hint="Add the missing band from the same source, or remove the incomplete year.",
)
def age_bands_are_complete(ctx: Context) -> list[Finding]:
    required = frozenset(_age_bands(ctx))
    lists = _age_lists(ctx)
    bad = violations(lists, lambda d: d["has_all_bands"], ctx.check.id)
    bad = _with_lines(bad, ctx.rows("age_structure"), bands=("age_band", lambda s: frozenset(s.dropna())))
    return [
        ctx.finding(
            "age_structure",
            row.lines,
            f"age structure of {row.country} in {row.year} lacks band(s) "
            f"{', '.join(sorted(required - row.bands))}; expected all of {', '.join(sorted(required))}",
            field="age_band",
        )
        for row in bad.itertuples()
    ]


@rule(
    ERROR,
    "The three age bands of a country and year add up to 100% within a rounding tolerance.",
    tables=("age_structure",),
    hint="Check the band named first against the source (a fraction for a percentage, or a digit too many or too "
    "few, shows as a factor of 10 or 100 from the value that makes the list add up); the source rounds each band to "
    "0.1 point.",
    thresholds=("age_sum_tolerance_pp",),
)
def age_bands_sum_to_100(ctx: Context) -> list[Finding]:
    tolerance = ctx.threshold("age_sum_tolerance_pp")
    lists = _age_lists(ctx)
    if lists.empty:
        return []
    # Incomplete lists are age_bands_are_complete's; a missing share is a structure error.
    lists = lists[lists["has_all_bands"] & lists["complete"]]
    bad = violations(lists, lambda d: (d["total"] - 100).abs() <= tolerance, ctx.check.id)
    bad = _with_lines(bad, ctx.rows("age_structure"))
    return [
        _blame_slipped_share(ctx, ctx.finding(
            "age_structure",
            row.lines,
            f"age bands of {row.country} in {row.year} add up to {percent(row.total)}; "
            f"expected 100% within {tolerance} points",
            field="percent",
            value=round(float(row.total), 6),
        ), "age_structure", row.country, row.year)
        for row in bad.itertuples()
    ]


def _upper(rows: pd.DataFrame) -> pd.Series:
    """A share's upper end: percent_max where the table has it and the row gives it, else percent."""
    return rows["percent_max"].fillna(rows["percent"]) if "percent_max" in rows else rows["percent"]


@row_rule(
    ERROR,
    "Every share is above 0% (the schema bounds it to [0, 100]): a single percentage is above 0, and a range "
    "may start at 0 ('less than 1%' is 0 to 1) but must end above 0.",
    tables=("ethnic_groups", "age_structure"),
    hint="Drop a row whose share is 0%; where the source says 'less than 1%', record percent 0 with "
    "percent_max 1 and say so in a note.",
    holds=lambda d, ctx: _upper(d) > 0,
)
def percentages_are_positive(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
    label = "group" if resource == "ethnic_groups" else "age_band"
    return [
        ctx.finding(
            resource,
            [row.line],
            f"{row.country} in {row.year}: {getattr(row, label)!r} is {percent(row.upper)}; "
            "expected a share above 0%",
            field="percent_max" if getattr(row, "percent_max", None) == 0 else "percent",
            value=row.upper,
        )
        for row in bad.assign(upper=_upper(bad)).itertuples()
    ]


@row_rule(
    ERROR,
    "Where an ethnic share is a range, its upper end (percent_max) is not below its lower end (percent).",
    tables=("ethnic_groups",),
    hint="Swap the two ends, or clear percent_max when the source gives a single share.",
    holds=lambda d, ctx: d["percent_max"] >= d["percent"],
)
def percent_ranges_are_ordered(ctx: Context, resource: str, bad: pd.DataFrame) -> list[Finding]:
    return [
        ctx.finding(
            resource,
            [row.line],
            f"{row.country} in {row.year}: {row.group!r} ranges from {percent(row.percent)} down to "
            f"{percent(row.percent_max)}; expected percent_max at least percent",
            field="percent_max",
            value=row.percent_max,
        )
        for row in bad.itertuples()
    ]
