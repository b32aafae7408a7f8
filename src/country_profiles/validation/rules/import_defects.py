"""Import defects that faked data once: copied years, territories counted twice, combined figures.

Each rule looks for the shape a systematic import defect leaves in the tables (issue 14): a
source repeating one value under several years without saying so, a border that two countries
both count, and a figure several countries share where only some rows say it is combined.
"""

from __future__ import annotations

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import INDICATOR_TABLES, Context, lines_text, number, rule

# The importer's wording (importer/factbook.py): a repeat it recognised, a figure it knows is combined.
REPEAT_MARK = "same value as"
COMBINED_MARKS = ("combined", "entry includes")


def _indicator_rows(ctx: Context) -> pd.DataFrame:
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
    return rows.assign(note=rows["note"].fillna("").astype(str), value_max=rows["value_max"].fillna(-1.0))


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
    newest = rows.groupby(keys, observed=True)["year"].transform("max")
    repeats = rows[(rows["year"] < newest) & ~rows["note"].str.contains(REPEAT_MARK, regex=False)]
    repeats = repeats.assign(newest=newest[repeats.index])
    findings = []
    for row in repeats.itertuples():
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
    listed = set(zip(rows["country"], rows["neighbor"]))
    pairs = rows.merge(rows, on=["neighbor", "length_km"], suffixes=("", "_other"))
    pairs = pairs[pairs["country"] < pairs["country_other"]]
    findings = []
    for row in pairs.itertuples():
        back = [c for c in (row.country, row.country_other) if (row.neighbor, c) in listed]
        if len(back) == 2:
            continue  # the third country lists both: two real borders of the same length
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
    rows = rows.assign(marked=marked, precise=rows["value"].map(_is_precise_count))
    keys = ["indicator", "year", "value", "value_max"]
    groups = rows.groupby(keys, observed=True)
    shared = groups["country"].transform("nunique") > 1
    bad = rows[shared & (groups["marked"].transform("any") | rows["precise"]) & ~rows["marked"]]
    findings = []
    for row in bad.itertuples():
        same = rows[(rows["indicator"] == row.indicator) & (rows["year"] == row.year) & (rows["value"] == row.value)
                    & (rows["value_max"] == row.value_max) & (rows["country"] != row.country)]
        others = ", ".join(sorted(set(same["country"])))
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


def _is_precise_count(value: float) -> bool:
    """1,000 or more, whole, not whole thousands, three or more significant digits (86,800; not 7,500)."""
    if pd.isna(value) or value < 1000 or not float(value).is_integer() or value % 1000 == 0:
        return False
    return len(str(int(value)).rstrip("0")) >= 3
