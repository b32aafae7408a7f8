"""The article the project began from, submitted as a contributor would: validation must refuse it."""

import csv
import shutil
from pathlib import Path

import pytest

from country_profiles import tables
from country_profiles.validation import validate

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "article-kyrgyzstan"


def _primary_key(schema):
    key = schema["primaryKey"]
    return [key] if isinstance(key, str) else key


def apply_submission(package: Path) -> None:
    """Add the fixture's rows to each table, replacing rows with the same primary key, and apply edits.csv."""
    schemas = tables.schemas_by_resource(package)
    for patch in sorted(FIXTURE.glob("*.csv")):
        if patch.stem == "edits":
            continue
        path, schema = schemas[patch.stem]
        key = _primary_key(schema)
        rows = tables.read_rows(package / path)
        added = tables.read_rows(patch)
        added_keys = {tuple(r[k] for k in key) for r in added}
        rows = [r for r in rows if tuple(r[k] for k in key) not in added_keys] + added
        _write(package / path, schema, rows)
    for edit in tables.read_rows(FIXTURE / "edits.csv"):
        path, schema = schemas[edit["table"]]
        rows = tables.read_rows(package / path)
        (key,) = _primary_key(schema)
        matched = [r for r in rows if r[key] == edit["key"]]
        assert matched, f"edit matches no row: {edit}"
        for row in matched:
            row[edit["field"]] = edit["value"]
        _write(package / path, schema, rows)


def _write(path: Path, schema, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, [f["name"] for f in schema["fields"]], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def article_report(tmp_path_factory):
    package = tmp_path_factory.mktemp("article") / "package"
    package.mkdir()
    shutil.copy(REPO / "datapackage.json", package)
    shutil.copytree(REPO / "schemas", package / "schemas")
    shutil.copytree(REPO / "data", package / "data")
    apply_submission(package)
    return validate(package)


def test_the_article_does_not_pass(article_report):
    assert not article_report.valid


def test_report_names_the_duplicated_ethnic_group(article_report):
    found = [
        f for f in article_report.findings
        if f.severity == "error" and f.path == "data/ethnic_groups.csv" and "Uzbek" in f"{f.value} {f.message}"
    ]
    assert found, "no error names Uzbek twice in data/ethnic_groups.csv"
    assert any(len(f.lines) >= 2 for f in found), "the finding should blame both Uzbek rows"


def test_report_names_the_impossible_vehicle_count(article_report):
    found = [
        f for f in article_report.findings
        if f.severity == "error" and f.path == "data/forces.csv" and "armored_vehicles" in f"{f.field} {f.value} {f.message}"
    ]
    assert found, "no error about armored_vehicles in data/forces.csv"
    assert any("5000268" in f"{f.value} {f.message}".replace(",", "") for f in found)


def test_report_names_the_rounded_area(article_report):
    assert any(
        f.severity == "error" and f.path == "data/countries.csv" and "KGZ" in f"{f.value} {f.message}"
        for f in article_report.findings
    ), "land plus water area no longer equals the rounded total"


def test_report_names_the_unknown_organization(article_report):
    assert any(
        f.path == "data/memberships.csv" and "Turkish Council" in f"{f.value} {f.message}"
        for f in article_report.findings
    )
