"""The benchmark's synthetic packages: clean except the rows broken on purpose, and the comparison
of frictionless' report with ours (scripts/bench.py relies on both)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from country_profiles.bench import (
    BREAKS,
    frictionless_error_lines,
    generate,
    missed,
    our_error_lines,
    timed,
)
from country_profiles.validation import validate


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    # A high share, so that every kind of break occurs in a few hundred breakable rows.
    return generate(tmp_path_factory.mktemp("bench"), 0.5, countries=12, error_share=0.15, seed=3)


def test_generated_package_has_every_table_with_rows(small) -> None:
    descriptor = json.loads(small.descriptor.read_text(encoding="utf-8"))
    assert set(small.rows) == {resource["name"] for resource in descriptor["resources"]}
    assert all(count > 0 for count in small.rows.values())


def test_validator_finds_exactly_the_broken_lines(small) -> None:
    report = validate(small.descriptor)
    errors = {(finding.path, line) for finding in report.findings if finding.severity == "error"
              for line in finding.lines}
    assert not [finding for finding in report.findings if finding.severity != "error"]
    assert errors == set(small.broken)
    assert len(small.broken) >= 20


def test_every_kind_of_break_occurs(small) -> None:
    kinds = {kind for breaks in BREAKS.values() for kind in breaks}
    assert set(small.broken.values()) == kinds


def test_without_breaks_the_package_is_valid(tmp_path: Path) -> None:
    generated = generate(tmp_path, 0.1, countries=5, error_share=0.0)
    report = validate(generated.descriptor)
    assert generated.broken == {}
    assert report.findings == []
    assert report.rows_checked == generated.total_rows


def test_scale_grows_every_growing_table(tmp_path: Path) -> None:
    one = generate(tmp_path / "one", 1, countries=3, error_share=0.0)
    three = generate(tmp_path / "three", 3, countries=3, error_share=0.0)
    for table in ("demographics", "forces", "infrastructure", "ethnic_groups", "age_structure", "memberships"):
        assert three.rows[table] >= 2.5 * one.rows[table], table
    assert three.rows["countries"] == one.rows["countries"] == 3


def test_missed_lists_frictionless_errors_our_report_lacks() -> None:
    frictionless = {
        "tasks": [
            {"place": "data/a.csv", "errors": [{"type": "type-error", "rowNumber": 4},
                                               {"type": "incorrect-label"}]},
            {"place": "data/b.csv", "errors": [{"type": "foreign-key", "rowNumber": 9},
                                               {"type": "scheme-error"}]},
        ]
    }
    ours = {
        "findings": [
            {"severity": "error", "path": "data/a.csv", "line": 4, "lines": [4, 7]},
            {"severity": "error", "path": "data/a.csv", "line": 1, "lines": [1]},
            {"severity": "warning", "path": "data/b.csv", "line": 9, "lines": [9]},
        ]
    }
    theirs, found = frictionless_error_lines(frictionless), our_error_lines(ours)
    assert found == {("data/a.csv", 4), ("data/a.csv", 7), ("data/a.csv", 1)}
    assert missed(theirs, found) == {("data/b.csv", 9), ("data/b.csv", None)}


def test_timed_measures_a_child_process() -> None:
    run = timed([sys.executable, "-c", "import sys; b = bytearray(64 * 2**20); sys.exit(3)"])
    assert run.returncode == 3
    assert run.peak_mib >= 64
    assert run.seconds > 0


def test_timed_counts_a_child_process_alongside_its_parent() -> None:
    """Parent and child each hold 150 MiB at the same time: the process tree needs 300 MiB,
    though neither process alone (what wait4 reports) ever held more than 150 MiB."""
    hold = "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    child = f"import time; {hold}; time.sleep(0.6)"
    parent = f"import subprocess, sys; {hold}; subprocess.run([sys.executable, '-c', {child!r}])"
    run = timed([sys.executable, "-c", parent], sample_memory=True)
    assert run.returncode == 0
    assert run.peak_mib >= 290
