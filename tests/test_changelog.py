"""CHANGELOG.md has an entry for the package's version, and every place that states the version agrees."""

import json
import re
import tomllib
from pathlib import Path

import pytest

import country_profiles

REPO = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?\s*$", re.MULTILINE)
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def changelog_entries(text: str) -> list[tuple[str, str | None]]:
    """(version, date) for every `## [x.y.z] - YYYY-MM-DD` heading, top first ('Unreleased' included)."""
    return [(m["version"], m["date"]) for m in HEADING.finditer(text)]


def descriptor_version() -> str:
    return json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["version"]


ENTRIES = changelog_entries((REPO / "CHANGELOG.md").read_text(encoding="utf-8"))
RELEASES = [(v, d) for v, d in ENTRIES if v != "Unreleased"]


def test_datapackage_version_is_semver():
    assert SEMVER.fullmatch(descriptor_version())


def test_newest_changelog_entry_is_the_datapackage_version():
    assert RELEASES, "CHANGELOG.md has no release entry"
    assert RELEASES[0][0] == descriptor_version()


def test_pyproject_and_python_package_state_the_same_version():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert (pyproject["project"]["version"], country_profiles.__version__) == (descriptor_version(),) * 2


@pytest.mark.parametrize(("version", "date"), RELEASES, ids=[v for v, _ in RELEASES])
def test_every_release_entry_has_a_semver_and_an_iso_date(version, date):
    assert SEMVER.fullmatch(version), f"{version!r} is not MAJOR.MINOR.PATCH"
    assert date is not None and DATE.fullmatch(date), f"{version}: date {date!r} is not YYYY-MM-DD"


def test_releases_are_newest_first_without_repeats():
    versions = [tuple(map(int, v.split("."))) for v, _ in RELEASES]
    assert versions == sorted(set(versions), reverse=True)
    dates = [d for _, d in RELEASES]
    assert dates == sorted(dates, reverse=True)


def test_unreleased_section_if_any_is_on_top():
    names = [v for v, _ in ENTRIES]
    assert "Unreleased" not in names[1:]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("## [Unreleased]\n\n## [1.2.0] - 2027-01-02\n## [1.1.9] - 2026-12-01\n",
                 [("Unreleased", None), ("1.2.0", "2027-01-02"), ("1.1.9", "2026-12-01")], id="keep-a-changelog"),
    pytest.param("### [1.0.0] - 2027-01-02\n", [], id="subheading-ignored"),
    pytest.param("## [1.0] - soon\n", [("1.0", "soon")], id="bad-entries-are-still-found"),
])
def test_changelog_headings_are_parsed(text, expected):
    assert changelog_entries(text) == expected
