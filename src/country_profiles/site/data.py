"""What the site shows, gathered once through the package's API and the validator.

`gather(package)` returns a `SiteData`: each country's profile (latest figures, borders,
memberships), every year of its indicator series, age structure and ethnic composition, the
sources and indicator definitions, the validator's findings placed on the countries whose rows
they blame, and the rule catalogue as Markdown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from country_profiles import api

if TYPE_CHECKING:
    import pandas as pd

    from country_profiles.validation.findings import Finding
    from country_profiles.validation.report import Report

COUNTRY_COLUMNS = {"countries": "iso3"}  # other tables name the country in `country`


@dataclass(frozen=True)
class PlacedFinding:
    """A finding of the validator with the countries whose rows it blames (none for package-wide ones)."""

    number: int  # its anchor on the quality page: #finding-<number>
    finding: "Finding"
    countries: tuple[str, ...]


@dataclass
class SiteData:
    package: str  # "name version"
    profiles: dict[str, dict[str, Any]]  # iso3 -> api.profile()
    series: dict[str, dict[str, list[dict[str, Any]]]]  # iso3 -> indicator -> rows of every year
    age_structure: dict[str, list[dict[str, Any]]]  # iso3 -> rows of every year
    ethnic_groups: dict[str, list[dict[str, Any]]]
    indicators: dict[str, dict[str, Any]]  # id -> indicators.csv row, in file order
    sources: dict[str, dict[str, Any]]  # id -> sources.csv row
    age_bands: tuple[str, ...]  # declared order
    findings: list[PlacedFinding] = field(default_factory=list)
    rules_markdown: str = ""
    rule_ids: frozenset[str] = frozenset()
    counts: dict[str, int] = field(default_factory=dict)  # severity -> number of findings

    def findings_for(self, iso3: str) -> list[PlacedFinding]:
        return [placed for placed in self.findings if iso3 in placed.countries]


def plain(value: Any) -> Any:
    """A pandas cell as a plain Python value (missing -> None, numpy scalars unwrapped, dates as text)."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.strftime("%Y-%m-%d")
    return value.item() if hasattr(value, "item") else value


def rows(frame: "pd.DataFrame") -> list[dict[str, Any]]:
    """A frame loaded by `api.load` as plain dicts, its key back as columns, in file order."""
    flat = frame.reset_index() if any(name is not None for name in frame.index.names) else frame
    columns = [str(c) for c in flat.columns]
    return [dict(zip(columns, (plain(v) for v in values))) for values in zip(*(flat[c].tolist() for c in flat.columns))]


def by_country(table_rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in table_rows:
        grouped.setdefault(row["country"], []).append(row)
    return grouped


def gather(package: str | Path | None = None) -> SiteData:
    root = api.package_root(package)
    frames = api.load_package(root)
    profiles = {p["country"]["iso3"]: p for p in api.profiles(root)}
    series: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table in api.INDICATOR_TABLES:
        for row in rows(frames[table]):
            row["table"] = table
            series.setdefault(row["country"], {}).setdefault(row["indicator"], []).append(row)
    for indicators in series.values():
        for indicator_rows in indicators.values():
            indicator_rows.sort(key=lambda r: r["year"])
    first = next(iter(profiles.values()), None)
    package_label = f"{first['package']['name']} {first['package']['version']}" if first else root.name
    data = SiteData(
        package=package_label,
        profiles=profiles,
        series=series,
        age_structure=by_country(rows(frames["age_structure"])),
        ethnic_groups=by_country(rows(frames["ethnic_groups"])),
        indicators={r["id"]: r for r in rows(frames["indicators"])},
        sources={r["id"]: r for r in rows(frames["sources"])},
        age_bands=tuple(str(b) for b in frames["age_structure"].index.get_level_values("age_band").categories),
    )
    report = _validate(root)
    data.findings = place_findings(report)
    data.counts = report.counts
    data.rules_markdown, data.rule_ids = _catalogue(root), frozenset(report.rules)
    return data


def _validate(root: Path) -> "Report":
    from country_profiles.validation import validate

    return validate(root)


def place_findings(report: "Report") -> list[PlacedFinding]:
    """Each finding with the countries of the rows it blames (looked up by CSV line in the tables
    the validator read), in report order."""
    tables = report.package.tables if report.package is not None else {}
    placed = []
    for number, finding in enumerate(report.findings, start=1):
        countries: list[str] = []
        table = tables.get(finding.resource or "")
        column = COUNTRY_COLUMNS.get(finding.resource or "", "country")
        if table is not None and column in table.frame.columns:
            for line in finding.lines or ((finding.line,) if finding.line else ()):
                if line in table.frame.index:
                    code = plain(table.frame.at[line, column])
                    if code and code not in countries:
                        countries.append(str(code))
        placed.append(PlacedFinding(number, finding, tuple(countries)))
    return placed


def _catalogue(root: Path) -> str:
    """The rule catalogue as `country-profiles rules` renders it, keeping the package's hand-written part."""
    from country_profiles.validation import catalogue

    return catalogue.expected(root / "docs" / "rules.md")
