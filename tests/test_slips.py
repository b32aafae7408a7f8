"""The slips contributors really make (issue 13), each made on a copy of the real package: the
edit must fail validation at the edited row, with a message that names the likely slip."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import REPO, copy_package, edit_rows, read_lines, write_lines

from country_profiles.validation import validate
from country_profiles.validation.findings import ERROR
from country_profiles.validation.report import format_text


@pytest.fixture
def real(tmp_path: Path) -> Path:
    return copy_package(REPO, tmp_path / "package")


def record_of(path: Path, **cells: str) -> int:
    """The record number (= CSV line: the real data has no multi-line cells) of the first row
    whose cells equal `cells`."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        if all(row[header.index(name)] == value for name, value in cells.items()):
            return number
    raise AssertionError(f"no row {cells} in {path.name}")


def edit(path: Path, line: int, **cells: str) -> None:
    def change(rows: list[list[str]]) -> None:
        for name, value in cells.items():
            rows[line - 1][rows[0].index(name)] = value

    edit_rows(path, change)


def errors_at(package: Path, table: str, line: int) -> list:
    report = validate(package)
    errors = [f for f in report.findings if f.severity == ERROR]
    assert errors, "the edit passed validation"
    return [f for f in errors if f.path == f"data/{table}.csv" and f.line == line], errors


def assert_blamed(package: Path, table: str, line: int, pattern: str) -> None:
    import re

    at, errors = errors_at(package, table, line)
    shown = "\n".join(f"{f.path}:{f.line} [{f.rule}] {f.message}" for f in errors)
    assert at, f"no error at {table}.csv line {line}; errors:\n{shown}"
    assert any(re.search(pattern, f.message) for f in at), shown
    assert all(f.line == line for f in errors if f.path == f"data/{table}.csv" and f.rule != "foreign_key_resolves"), \
        f"an error blames another row:\n{shown}"


@pytest.mark.parametrize("value, pattern", [
    ("62197510", r"KGZ population 2025: 62,197,510 is 10.1× the 2024 value 6,172,101 \(line \d+\).*a digit too many"),
    ("1411750000", r"KGZ population 2025: 1,411,750,000 is 229× the 2024 value"),
    ("6220", r"thousands written for persons"),
])
def test_population_out_of_its_series(real, value, pattern):
    path = real / "data/demographics.csv"
    line = record_of(path, country="KGZ", indicator="population", year="2025")
    edit(path, line, value=value)
    assert_blamed(real, "demographics", line, pattern)


def test_population_in_thousands_blames_the_population_not_the_labour_force(real):
    path = real / "data/demographics.csv"
    line = record_of(path, country="KAZ", indicator="population", year="2024")
    edit(path, line, value="20260")
    assert_blamed(real, "demographics", line, r"thousands written for persons")


def test_military_expenditure_written_as_a_fraction(real):
    path = real / "data/forces.csv"
    line = record_of(path, country="KGZ", indicator="military_expenditure_pct_gdp", year="2022")
    edit(path, line, value="0.03")
    assert_blamed(real, "forces", line, r"percentage written as a fraction")


def test_labour_force_in_thousands(real):
    path = real / "data/demographics.csv"
    line = record_of(path, country="KGZ", indicator="labor_force", year="2024")
    edit(path, line, value="3197")
    assert_blamed(real, "demographics", line, r"thousands")


def test_labour_force_in_thousands_without_a_series(real):
    """A single labour force value: judged against the population alone."""
    path = real / "data/demographics.csv"
    line = record_of(path, country="KGZ", indicator="labor_force", year="2024")
    lines = read_lines(path)
    kept = [text for number, text in enumerate(lines, start=1)
            if number == line or not text.startswith("KGZ,labor_force,")]
    write_lines(path, kept)
    line = record_of(path, country="KGZ", indicator="labor_force", year="2024")
    edit(path, line, value="3000")
    assert_blamed(real, "demographics", line, r"0.048% of population .*expected at least 7.0%")


def test_airports_a_thousand_times(real):
    path = real / "data/infrastructure.csv"
    line = record_of(path, country="KGZ", indicator="airports", year="2025")
    edit(path, line, value="28000")
    assert_blamed(real, "infrastructure", line, r"28,000 is 1,000× the 2021 value 28")


def test_organization_dissolved_before_it_was_founded(real):
    path = real / "data/organizations.csv"
    line = record_of(path, id="OTS")
    edit(path, line, dissolved="2002")
    assert_blamed(real, "organizations", line, r"OTS: dissolved 2002 is before founded 2009")


def test_organization_founded_in_the_future(real):
    path = real / "data/organizations.csv"
    line = record_of(path, id="OTS")
    edit(path, line, founded="2099")
    assert_blamed(real, "organizations", line, r"founded 2099 is in the future")


def test_ethnic_shares_written_as_fractions(real):
    path = real / "data/ethnic_groups.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    year = max(int(row["year"]) for row in rows if row["country"] == "KGZ")

    def change(records: list[list[str]]) -> None:
        header = records[0]
        for record in records[1:]:
            if record[0] == "KGZ" and record[1] == str(year):
                record[header.index("percent")] = str(round(float(record[header.index("percent")]) / 100, 4))

    edit_rows(path, change)
    line = record_of(path, country="KGZ", year=str(year))
    assert_blamed(real, "ethnic_groups", line, r"fractions written for percentages")


def test_an_unquoted_comma_gives_the_extra_cell_error_alone(real):
    path = real / "data/memberships.csv"
    line = record_of(path, country="KGZ", organization="CSTO", status="member")
    lines = read_lines(path)
    cells = lines[line - 1].split(",")
    cells[5] = "joined in 1992, treaty member"
    lines[line - 1] = ",".join(cells)
    write_lines(path, lines)
    at, errors = errors_at(real, "memberships", line)
    assert [f.rule for f in at] == ["row_has_no_extra_cells"], [f"{f.rule}: {f.message}" for f in errors]


def test_an_unknown_organization_suggests_the_one_meant(real):
    path = real / "data/memberships.csv"
    line = record_of(path, country="KGZ", organization="CSTO", status="member")
    edit(path, line, organization="Turkish Council")
    at, errors = errors_at(real, "memberships", line)
    assert any(f.rule == "foreign_key_resolves" and "did you mean OTS (Organization of Turkic States)" in f.message
               for f in at), [f.message for f in errors]


def test_an_ethnic_list_over_100_is_blamed_at_the_share_that_grew(real):
    path = real / "data/ethnic_groups.csv"
    line = record_of(path, country="KGZ", year="2021", group="Uzbek")
    edit(path, line, percent="44.8")
    report = validate(real)
    (found,) = [f for f in report.findings if f.rule == "ethnic_percentages_sum_to_at_most_100" and f.severity == ERROR]
    assert found.line == line and len(found.lines) == 5, found
    assert f"line {line} has 44.8% where 2009 had 14.3% for the same group" in found.message
    assert f"    lines: {line}, " in format_text(report)
