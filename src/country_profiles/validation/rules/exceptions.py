"""Documented exceptions: findings that are right as the source publishes them.

Each exception in validation/exceptions.json names a rule, a country (and optionally a year),
the values the excused findings report, why the data is right anyway, and the source that shows
it. A finding that blames a row of that country (and year) under that rule, reporting one of
those values, stays in the report as a warning that names the exception: nothing is silently
dropped, an edit that changes an excused value (a slip on an excused row) is an error again,
and a test fails when an exception no longer matches any finding.
"""

from __future__ import annotations

import dataclasses
from country_profiles import strict_json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from country_profiles.validation.findings import WARNING, Finding
from country_profiles.validation.model import LoadedPackage

EXCEPTIONS_PATH = Path(__file__).resolve().parents[1] / "exceptions.json"


@dataclass(frozen=True)
class RuleException:
    id: str
    rule: str
    country: str
    reason: str
    source: str
    year: int | None = None
    values: tuple[object, ...] = ()  # the excused findings' values; empty: any value (tests only)

    def matches(self, finding: Finding, package: LoadedPackage) -> bool:
        if finding.rule != self.rule or (self.values and finding.value not in self.values):
            return False
        return any(
            country == self.country and (self.year is None or year == self.year)
            for country, year in blamed_rows(finding, package)
        )


def load_exceptions(path: Path = EXCEPTIONS_PATH) -> tuple[RuleException, ...]:
    if not path.is_file():
        return ()
    entries = strict_json.loads(path.read_text(encoding="utf-8"))["exceptions"]  # a key twice is an error
    return tuple(RuleException(**{**entry, "values": tuple(entry["values"])}) for entry in entries)


def blamed_rows(finding: Finding, package: LoadedPackage) -> Iterable[tuple[str | None, int | None]]:
    """(country, year) of each row a finding blames; year is None for tables without one."""
    table = package.tables.get(finding.resource or "")
    if table is None:
        return
    frame = table.frame
    column = "country" if "country" in frame else "iso3" if "iso3" in frame else None
    if column is None:
        return
    for line in finding.lines or ((finding.line,) if finding.line is not None else ()):
        if line not in frame.index:
            continue
        country = frame.at[line, column]
        year = frame.at[line, "year"] if "year" in frame else None
        yield (None if pd.isna(country) else str(country)), (None if year is None or pd.isna(year) else int(year))


def apply_exceptions(
    findings: Sequence[Finding], package: LoadedPackage, exceptions: Sequence[RuleException]
) -> list[Finding]:
    """The findings, with each one an exception covers turned into a warning naming it."""
    result = []
    for finding in findings:
        covering = next((e for e in exceptions if e.matches(finding, package)), None)
        if covering is None:
            result.append(finding)
            continue
        result.append(
            dataclasses.replace(
                finding,
                severity=WARNING,
                message=f"{finding.message} [documented exception {covering.id}: {covering.reason} "
                f"(source: {covering.source})]",
            )
        )
    return result
