"""The published package itself: valid for frictionless and for us, and as complete as promised."""

import subprocess
import sys
from pathlib import Path

import pytest

from country_profiles import tables
from country_profiles.coverage import coverage
from country_profiles.validation import validate

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report():
    return validate(REPO)


def rows(name):
    path, _ = tables.schemas_by_resource(REPO)[name]
    return tables.read_rows(REPO / path)


@pytest.mark.slow
def test_frictionless_validate_reports_the_package_valid():
    frictionless = Path(sys.executable).with_name("frictionless")
    assert frictionless.exists(), "frictionless (a dependency) is not installed beside this Python"
    done = subprocess.run(
        [str(frictionless), "validate", "--json", "datapackage.json"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert '"valid": true' in done.stdout


def test_the_package_has_no_errors(report):
    errors = [f"{f.path}:{f.line} [{f.rule}] {f.message}" for f in report.findings if f.severity == "error"]
    assert errors == []
    assert len(report.tables) == 11 and sum(t.rows for t in report.tables) > 20000  # something was checked


def test_every_warning_is_explained_in_the_rule_catalogue(report):
    catalogue = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    explained = catalogue[catalogue.index("## Warnings on the real data, explained"):]
    for finding in report.findings:
        if finding.severity != "warning":
            continue
        documented = "[documented exception " in finding.message
        assert documented or f"`{finding.rule}`" in explained, f"unexplained warning: {finding.rule}: {finding.message}"


def test_at_least_190_countries_have_population_area_airports_and_memberships():
    with_value = lambda table, indicator: {r["country"] for r in rows(table) if r["indicator"] == indicator}
    area = {r["iso3"] for r in rows("countries") if r["area_km2"]}
    complete = (
        with_value("demographics", "population") & with_value("infrastructure", "airports") & area
        & {r["country"] for r in rows("memberships")}
    )
    assert len(complete) >= 190


def test_every_country_with_land_borders_has_its_borders(report):
    bordered = {r["country"] for r in rows("borders")}
    missing = {r["iso3"] for r in rows("countries") if float(r["land_boundaries_km"] or 0) > 0} - bordered
    documented = {
        iso3 for f in report.findings if f.rule == "borders_add_up_to_land_boundaries" and "[documented exception" in f.message
        for iso3 in [f.message.split()[0]]
    }
    assert missing <= documented, f"land boundaries but no borders, and no documented reason: {sorted(missing - documented)}"


def test_coverage_counts_every_table_with_countries():
    by_table = {table: countries for table, indicator, countries, _, _ in coverage(REPO) if not indicator}
    assert by_table["countries"] >= 196
    assert by_table["memberships"] >= 190
    assert by_table["demographics"] >= 190
