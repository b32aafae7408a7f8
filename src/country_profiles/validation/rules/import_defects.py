"""Import defects that faked data once: copied years, territories counted twice, combined figures.

Each rule looks for the shape a systematic import defect leaves in the tables (issue 14): a
source repeating one value under several years without saying so, a border that two countries
both count, and a figure several countries share where only some rows say it is combined.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import (
    INDICATOR_TABLES,
    Context,
    lines_text,
    number,
    records,
    rule,
    violations,
)

# The importer's wording (importer/factbook.py): a repeat it recognised, a figure it knows is combined.
REPEAT_MARK = "same value as"
COMBINED_MARKS = ("combined", "entry includes")


def _indicator_rows(ctx: Context) -> pd.DataFrame:
    """Every indicator row with its note, shared by the rules of this module."""
    return ctx.once("indicator rows with notes", lambda: _gather_indicator_rows(ctx))


def _gather_indicator_rows(ctx: Context) -> pd.DataFrame:
    parts = []
    for name in INDICATOR_TABLES:
        rows = ctx.rows(name)
        if rows.empty or "indicator" not in rows:
            continue
        rows = rows.dropna(subset=["country", "indicator", "year", "value"])
        parts.append(rows.assign(resource=name)[["resource", "line", "country", "indicator", "year", "value",
                                                   "value_max", "note", "source_id"]])
    if not parts:
        return pd.DataFrame()
    rows = pd.concat(parts, ignore_index=True)
    # Codes as categories: grouping hundreds of thousands of rows by them hashes small integers,
    # not text, and holds a byte or two per row instead of a copy of the text.
    codes = {"resource": "category", "country": "category", "indicator": "category", "source_id": "category"}
    return rows.astype(codes).assign(note=rows["note"].fillna("").astype(str), value_max=rows["value_max"].fillna(-1.0))


@rule(
    ERROR,
    "A source that gives one value for several years of an indicator says so: every row but the newest "
    "notes 'same value as <year>'.",
    tables=INDICATOR_TABLES,
    hint="The source copied its newest value under older years (the 2016 Factbook's 'X% (2012) ++ Y% (2011) "
    "++ X% (2010)'): leave the copy out and say why in the import report, or keep it with a note "
    "'same value as <year> in the same entry'.",
)
def a_value_repeated_under_another_year_is_marked(ctx: Context) -> list[Finding]:
    rows = _indicator_rows(ctx)
    if rows.empty:
        return []
    keys = ["country", "indicator", "source_id", "value", "value_max"]
    rows = rows.assign(newest=rows.groupby(keys, observed=True)["year"].transform("max"),
                       noted=rows["note"].str.contains(REPEAT_MARK, regex=False))
    # Pandera judges the columns of the condition; its failure cases then cost little per row.
    judged = violations(rows[["year", "newest", "noted"]], lambda d: (d["year"] >= d["newest"]) | d["noted"], ctx.check.id)
    repeats = rows.iloc[judged.index]
    findings = []
    for row in records(repeats, ["resource", "line", "country", "indicator", "year", "value", "source_id", "newest"]):
        findings.append(
            ctx.finding(
                row.resource,
                [row.line],
                f"{row.country} {row.indicator} {row.year} is {number(row.value)}, the same value {row.source_id} "
                f"gives for {row.newest}; expected it left out as a copy, or a note '{REPEAT_MARK} {row.newest}'",
                field="value",
                value=row.value,
            )
        )
    return findings


@rule(
    ERROR,
    "No border is counted by two countries: two countries never list a border of the same length with one "
    "third country that lists only one of them (or neither).",
    tables=("borders",),
    hint="One country's profile counts the other territory in (Morocco's borders and area with Western "
    "Sahara's from 2021): take the geography from a source that lists the territory apart.",
)
def no_border_is_counted_by_two_countries(ctx: Context) -> list[Finding]:
    rows = ctx.rows("borders").dropna(subset=["country", "neighbor", "length_km"]) if ctx.table("borders") else None
    if rows is None or rows.empty:
        return []
    rows = rows[rows["country"] != rows["neighbor"]]
    listed = rows[["country", "neighbor"]].rename(columns={"country": "neighbor", "neighbor": "country"})
    pairs = rows.merge(rows, on=["neighbor", "length_km"], suffixes=("", "_other"))
    pairs = pairs[pairs["country"] < pairs["country_other"]].reset_index(drop=True)
    # Whether the third country (neighbor) lists each of the two back.
    for side in ("", "_other"):
        back = listed.assign(**{f"back{side}": True}).rename(columns={"country": f"country{side}"})
        pairs = pairs.merge(back.drop_duplicates(), on=[f"country{side}", "neighbor"], how="left")
    pairs = pairs.assign(back=pairs["back"].notna(), back_other=pairs["back_other"].notna())
    # Both listed back: two real borders that happen to have the same length.
    bad = violations(pairs, lambda d: d["back"] & d["back_other"], ctx.check.id)
    findings = []
    for row in bad.itertuples():
        back = [c for c, listed_back in ((row.country, row.back), (row.country_other, row.back_other)) if listed_back]
        findings.append(
            ctx.finding(
                "borders",
                [row.line, row.line_other],
                f"{row.country} and {row.country_other} both list a {number(row.length_km)} km border with "
                f"{row.neighbor} ({lines_text([row.line, row.line_other])}), which lists "
                f"{'only ' + back[0] if back else 'neither'}; expected the border counted by one of them",
                field="length_km",
                value=row.length_km,
            )
        )
    return findings


@rule(
    ERROR,
    "A figure that several countries share for the same indicator and year is noted as combined on every "
    "one of them when one of them notes it so, or when it is a precise count (at least 1,000, three or more "
    "significant digits, not whole thousands) that two countries can hardly share by chance.",
    tables=INDICATOR_TABLES,
    hint="The source gives one figure for several territories ('entry includes Jersey and Guernsey'): note "
    "it as combined on each row that repeats it, so nobody adds them up.",
)
def a_combined_figure_is_marked_wherever_it_is_shared(ctx: Context) -> list[Finding]:
    rows = _indicator_rows(ctx)
    if rows.empty:
        return []
    lowered = rows["note"].str.lower()
    marked = pd.concat([lowered.str.contains(m, regex=False) for m in COMBINED_MARKS], axis=1).any(axis=1)
    rows = rows.assign(marked=marked.to_numpy(), precise=_precise_counts(rows["value"]))
    keys = ["indicator", "year", "value", "value_max"]
    groups = rows.groupby(keys, observed=True)
    rows = rows.assign(sharing=groups["country"].transform("nunique"), group_marked=groups["marked"].transform("any"))
    holds = lambda d: (d["sharing"] <= 1) | d["marked"] | ~(d["group_marked"] | d["precise"])  # noqa: E731
    judged = violations(rows[["sharing", "marked", "group_marked", "precise"]], holds, ctx.check.id)
    if judged.empty:
        return []
    bad = rows.iloc[judged.index]
    sharing = rows.merge(bad[keys].drop_duplicates(), on=keys)[[*keys, "country"]].drop_duplicates()
    sharers: dict[tuple, set[str]] = {}
    for *key, country in records(sharing, [*keys, "country"]):
        sharers.setdefault(tuple(key), set()).add(country)
    findings = []
    for row in records(bad, ["resource", "line", "country", *keys, "note"]):
        others = ", ".join(sorted(sharers[(row.indicator, row.year, row.value, row.value_max)] - {row.country}))
        findings.append(
            ctx.finding(
                row.resource,
                [row.line],
                f"{row.country} {row.indicator} {row.year} is {number(row.value)}, the same figure as {others}; "
                f"expected a note that it is combined (one figure for several territories)",
                field="note",
                value=row.note or None,
            )
        )
    return findings


def _precise_counts(values: pd.Series) -> np.ndarray:
    """1,000 or more, whole, not whole thousands, three or more significant digits (86,800; not 7,500)."""
    v = values.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        candidate = np.isfinite(v) & (v >= 1000) & (np.mod(v, 1) == 0) & (np.mod(v, 1000) != 0)
        # Not whole thousands: at most two trailing zeros to strip before counting the digits.
        stripped = np.where(np.mod(v, 100) == 0, v / 100, np.where(np.mod(v, 10) == 0, v / 10, v))
    return candidate & (stripped >= 100)
