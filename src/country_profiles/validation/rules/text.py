"""Text cells: clean edges, and nothing a spreadsheet would run. Generic over every string field."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from country_profiles.validation.findings import ERROR, Finding
from country_profiles.validation.rules._framework import ALL_TABLES, Context, distinct, rule, violations


def _distinct_texts(ctx: Context) -> pd.DataFrame:
    """Each distinct text of each string field of each table (columns table, field, text): a text
    that fills many cells, such as a country code or a source id, is judged once."""
    parts = [pd.DataFrame({"table": pd.Series(dtype="str"), "field": pd.Series(dtype="str"),
                           "text": pd.Series(dtype="str")})]
    for name, table in sorted(ctx.package.tables.items()):
        rows = ctx.rows(name)
        for field in table.schema["fields"]:
            if field.get("type", "string") == "string" and field["name"] in rows:
                texts = pd.Series(distinct(rows[field["name"]]), dtype="str")
                parts.append(pd.DataFrame({"table": name, "field": field["name"], "text": texts}))
    return pd.concat(parts, ignore_index=True)


def _text_findings(
    ctx: Context, holds: Callable[[pd.Series], pd.Series], problem: Callable[[str], str], expected: str
) -> list[Finding]:
    texts = ctx.once("distinct texts", lambda: _distinct_texts(ctx))
    bad = violations(texts, lambda d: holds(d["text"]) | d["text"].isna(), ctx.check.id)
    findings = []
    for (name, field), wrong in bad.groupby(["table", "field"], sort=True):
        rows = ctx.rows(name)
        cells = rows[rows[field].isin(wrong["text"])]
        findings += [
            ctx.finding(
                name,
                [line],
                f"{field} {value!r} {problem(value)}; expected {expected}",
                field=field,
                value=value,
            )
            for value, line in zip(cells[field], cells["line"])
        ]
    return findings


@rule(
    ERROR,
    "No text cell (codes, names, notes: every string field) begins or ends with whitespace.",
    tables=ALL_TABLES,
    hint="Trim the cell; a spreadsheet or a copy from a web page usually left the space.",
)
def text_has_no_surrounding_whitespace(ctx: Context) -> list[Finding]:
    return _text_findings(
        ctx,
        lambda s: s.str.strip() == s,
        lambda value: "begins or ends with whitespace",
        "the text without it",
    )


@rule(
    ERROR,
    "No text cell begins with a character that makes a spreadsheet run it as a formula (=, +, -, @).",
    tables=ALL_TABLES,
    hint="Reword the cell so it begins with a letter or digit (e.g. 'minus 5' or a leading quote in prose).",
    thresholds=("formula_prefixes",),
)
def text_is_not_a_formula(ctx: Context) -> list[Finding]:
    prefixes = tuple(ctx.threshold("formula_prefixes"))
    return _text_findings(
        ctx,
        lambda s: ~s.str.startswith(prefixes).fillna(False).astype(bool),
        lambda value: f"begins with {value[0]!r}, which makes a spreadsheet run it as a formula",
        "text that begins with another character",
    )
