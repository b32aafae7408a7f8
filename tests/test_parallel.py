"""The rules' second process: the same findings as one process, and a safe way back to one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from country_profiles.bench import generate
from country_profiles.paths import default_package
from country_profiles.validation import load, parallel
from country_profiles.validation.rules import run_rules

forking = pytest.mark.skipif(not parallel.can_fork(), reason="no fork here")


@forking
def test_the_second_share_runs_in_another_process() -> None:
    here, there = parallel.run_beside(os.getpid, lambda: (os.getpid(), list(range(100_000))))
    assert here == os.getpid()
    assert there[0] != os.getpid() and there[1] == list(range(100_000))  # more than a pipe holds at once


@forking
def test_a_failing_child_leaves_its_share_to_this_process() -> None:
    parent = os.getpid()

    def only_here() -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return os.getpid()

    assert parallel.run_beside(lambda: "mine", only_here) == ("mine", parent)


def test_an_error_of_the_second_share_is_raised_here() -> None:
    def broken() -> None:
        raise ValueError("a bug in a rule")

    with pytest.raises(ValueError, match="a bug in a rule"):
        parallel.run_beside(lambda: None, broken)


def test_where_fork_is_missing_both_shares_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.sys, "platform", "win32")
    assert not parallel.can_fork()
    assert parallel.run_beside(os.getpid, os.getpid) == (os.getpid(), os.getpid())


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("parallel"), 0.5, error_share=0.05, seed=11).descriptor


@forking
def test_rules_find_the_same_in_two_processes_as_in_one(broken: Path) -> None:
    package = load(broken)
    serial = run_rules(package, parallel=False)
    assert run_rules(package, parallel=True) == serial
    # One rule of each process's share finds something.
    assert {finding.rule for finding in serial} >= {"value_ranges_are_ordered", "membership_ends_after_it_begins"}


@forking
def test_the_real_package_gets_the_same_findings_in_two_processes() -> None:
    package = load(default_package())
    assert run_rules(package, parallel=True) == run_rules(package, parallel=False)


@forking
def test_one_job_and_two_report_the_same(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's --jobs: files one or two at a time, rules in one process or two (this
    package is too small for the second process unless forced, so force it)."""
    from country_profiles.validation import rules, validate

    one = validate(broken, jobs=1)
    monkeypatch.setattr(rules, "PARALLEL_FROM_ROWS", 0)
    two = validate(broken, jobs=2)
    assert one.to_json() == two.to_json() and one.counts["error"] > 10
