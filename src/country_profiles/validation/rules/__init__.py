"""The rules: what a Table Schema cannot say about the data, checked with Pandera.

Each rule is a condition that must hold, named by its id (`ethnic_groups_are_distinct`), with a
severity: errors block CI, warnings inform. Rules are grouped by topic, one module each.
Tolerances and plausibility bounds live in `thresholds.json`, never in code.

Two ways to write a rule (see _framework.py): `@row_rule(..., holds=lambda rows, ctx: ...)` for
a condition on each row of its tables (a named check of that table's row-rule schema, judged
once a run; the function turns failing rows into findings), and `@rule(...)` for anything else
(the function builds the frame it judges and calls `violations`). Every rule is also a named
check of `country_profiles.schema(table)` for each table it reads (pandera_schemas.py).

    run_rules(package) -> list[Finding]
"""

from __future__ import annotations

from country_profiles import strict_json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from country_profiles.validation.findings import Finding, Rule
from country_profiles.validation.model import LoadedPackage
from country_profiles.validation.rules import (
    borders,
    counts,
    countries,
    dates,
    import_defects,
    memberships,
    percentages,
    provenance,
    series,
    shares,
    text,
)
from country_profiles.validation.rules._framework import Context, RuleCheck, forget_derived_frames
from country_profiles.validation.rules.exceptions import RuleException, apply_exceptions, load_exceptions

THRESHOLDS_PATH = Path(__file__).resolve().parents[1] / "thresholds.json"

TOPICS = {
    "percentages": "Percentages: ethnic groups and age bands",
    "counts": "Counts: indicator values and how they compare",
    "series": "Series: a value against the same country's other years",
    "shares": "Shares: what a value can be for the country's population and area",
    "countries": "Countries: areas and coastline",
    "borders": "Borders",
    "memberships": "Memberships in international organizations",
    "provenance": "Provenance: sources and dates",
    "dates": "Dates: pairs of dates in one row",
    "text": "Text cells",
    "import_defects": "Import defects: copied years, territories counted twice, combined figures",
}

CHECKS: tuple[RuleCheck, ...] = tuple(
    value
    for module in (percentages, counts, series, shares, countries, borders, memberships, provenance, dates, text, import_defects)
    for value in vars(module).values()
    if isinstance(value, RuleCheck) and value.topic == module.__name__.rsplit(".", 1)[-1]
)
RULES: tuple[Rule, ...] = tuple(check.rule for check in CHECKS)


def threshold_entries(path: Path = THRESHOLDS_PATH) -> dict[str, dict[str, Any]]:
    """The thresholds file's entries: key -> {"value", "unit", "why"}."""
    return strict_json.loads(path.read_text(encoding="utf-8"))["thresholds"]  # a key twice is an error


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, Any]:
    """Threshold values by key, as the rules read them."""
    return {key: entry["value"] for key, entry in threshold_entries(path).items()}


def resolve_thresholds(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The file's values, with `overrides` (e.g. from a test) replacing some of them."""
    values = load_thresholds()
    unknown = sorted(set(overrides or {}) - set(values))
    if unknown:
        raise KeyError(f"unknown thresholds {unknown}; known: {sorted(values)}")
    return {**values, **(overrides or {})}


def run_rules(
    package: LoadedPackage,
    thresholds: dict | None = None,
    *,
    today: date | None = None,
    only: tuple[str, ...] | None = None,
    exceptions: Sequence[RuleException] | None = None,
) -> list[Finding]:
    """Every finding of every rule (or of the rules named in `only`), in catalogue order.

    `thresholds` replaces some of thresholds.json's values; `today` is the date that counts as
    now for the rules about the future (default: the real today); `exceptions` replaces the
    documented exceptions of exceptions.json (pass () to see every finding as the rules report it).
    """
    values = resolve_thresholds(thresholds)
    chosen = [check for check in CHECKS if only is None or check.id in only]
    shared: dict[tuple[str, str], Any] = {}  # frames the rules of a topic share (Context.once)
    findings = []
    for check in chosen:
        findings += run_check(check, package, values, today=today, shared=shared)[0]
        forget_derived_frames(shared, topic=check.topic)
    return apply_exceptions(findings, package, load_exceptions() if exceptions is None else exceptions)


def run_check(
    check: RuleCheck,
    package: LoadedPackage,
    thresholds: Mapping[str, Any] | None = None,
    *,
    today: date | None = None,
    shared: dict[str, Any] | None = None,
) -> tuple[list[Finding], set[str]]:
    """One rule's findings (sorted by file, line and field) and the thresholds it read.
    `shared` holds frames built by earlier rules of the same run on the same package."""
    ctx = Context(package, resolve_thresholds(thresholds), today or date.today(), check,
                  shared=shared if shared is not None else {})
    found = sorted(check.find(ctx), key=lambda f: (f.resource or "", f.line or 0, f.field or "", f.message))
    return found, ctx.read


__all__ = [
    "CHECKS",
    "RULES",
    "THRESHOLDS_PATH",
    "TOPICS",
    "load_exceptions",
    "load_thresholds",
    "run_check",
    "run_rules",
    "threshold_entries",
]
