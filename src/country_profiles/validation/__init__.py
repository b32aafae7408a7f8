"""Validation of the data package: `validate(package)` finds every problem in one run.

Order: the descriptor and Table Schemas (package.py), then each CSV (structure.py), then
foreign keys across the tables that could be read, then the rules (validation/rules/) on the
tables whose header matches their schema. Heavy imports (pandas, jsonschema, pandera) happen
inside `validate`, so importing `findings` or `model` stays cheap.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from country_profiles.validation.findings import Finding, Rule
    from country_profiles.validation.model import LoadedPackage
    from country_profiles.validation.report import CheckedTable, Report
    from country_profiles.validation.structure import TableResult

__all__ = ["load", "validate"]


def validate(package: str | Path, *, rules: bool = True, jobs: int = 2) -> "Report":
    """Check the package at PACKAGE (a folder holding datapackage.json, or the descriptor).

    Raises `package.PackageNotFound` when there is nothing to check; every problem with the
    package itself is a finding in the returned report. `rules=False` runs the package and
    structure checks only (tests of those use it; the command always runs everything).
    `jobs=1` reads one file at a time (less memory); with 2 (the default), two files are
    checked at a time. The findings are the same."""
    started = perf_counter()
    from country_profiles.validation.findings import Finding
    from country_profiles.validation.memory import return_free_memory
    from country_profiles import safe_io
    from country_profiles.validation.limits import capped
    from country_profiles.validation.model import LoadedPackage
    from country_profiles.validation.package import PACKAGE_RULES, check_package, locate_descriptor
    from country_profiles.validation.report import CheckedTable, Report
    from country_profiles.validation.structure import STRUCTURE_RULES, check_foreign_keys

    timings = {"imports": perf_counter() - started}
    descriptor_path = locate_descriptor(package)
    mark = perf_counter()
    checked = check_package(descriptor_path)
    findings: list[Finding] = list(checked.findings)
    timings["descriptor"] = perf_counter() - mark

    mark = perf_counter()
    # Pandera loads while the files are read: the reading leaves Python's lock free much of the time.
    pandera_loading = threading.Thread(target=_load_pandera, name="load pandera", daemon=True)
    if rules:
        pandera_loading.start()

    results, found, fallback_tables = _check_files(checked, jobs)
    findings += found
    # A repeated resource name is a descriptor error; keys refer to the first resource of a name.
    first = {}
    for result in results:
        first.setdefault(result.name, result)
    frames = {name: result.table.frame for name, result in first.items() if result.table is not None}
    schemas = {}
    for spec in checked.resources:
        if spec.schema is not None:
            schemas.setdefault(spec.name, spec.schema)
    for spec in checked.resources:
        if spec.schema is not None and spec.name in first and first[spec.name].path == spec.path:
            findings += check_foreign_keys(spec.name, spec.path, spec.schema, frames, schemas)
    timings["structure"] = perf_counter() - mark

    return_free_memory()

    mark = perf_counter()
    loaded = LoadedPackage(
        root=checked.root,
        descriptor=checked.descriptor or {},
        tables={name: result.table for name, result in first.items() if result.table is not None and result.header_ok},
    )
    if rules:
        pandera_loading.join()
    rule_findings, catalogue_rules = _run_rules(loaded) if rules else ([], ())
    paths = {spec.name: spec.path for spec in checked.resources}
    findings += [_with_path(finding, paths) for finding in rule_findings]
    timings["rules"] = perf_counter() - mark

    catalogue = {rule.id: rule for rule in (*PACKAGE_RULES, *STRUCTURE_RULES, *catalogue_rules)}
    tables = [CheckedTable(result.name, result.path, result.rows, tuple(result.labels))
              for result in results if result.table is not None] + fallback_tables
    schema_fields = {spec.path: tuple(spec.schema.field_names) for spec in checked.resources if spec.schema is not None}
    findings = capped(findings)  # limits.py: a bounded report, saying how many more there were
    mark = perf_counter()
    from country_profiles.validation.review import refine  # issue 13: follow-on errors, key suggestions

    findings = refine(findings, loaded)
    timings["review"] = perf_counter() - mark
    timings["total"] = perf_counter() - started
    return Report(descriptor_path, findings, tables, catalogue, schema_fields, timings, loaded)


def load(package: str | Path) -> "LoadedPackage":
    """The package's tables, typed by their Table Schemas (index = CSV line), as the rules see
    them: only tables whose CSV could be read and whose header matches the schema."""
    report = validate(package, rules=False)
    assert report.package is not None
    return report.package


def _check_files(checked: Any, jobs: int) -> tuple[list["TableResult"], list["Finding"], list["CheckedTable"]]:
    """Each resource's file: the fast path's results, the findings of every file, and what
    frictionless read of the resources handed to it."""
    from country_profiles import safe_io
    from country_profiles.validation.fallback import check_with_frictionless, declared_counts, referenced_resources
    from country_profiles.validation.findings import Finding
    from country_profiles.validation.memory import return_free_memory
    from country_profiles.validation.package import PACKAGE_RULES
    from country_profiles.validation.report import CheckedTable
    from country_profiles.validation.structure import STRUCTURE_RULES, check_table

    findings: list[Finding] = []
    fallback_tables: list[CheckedTable] = []  # read by frictionless, counted in the summary like ours
    rules_by_id = {rule.id: rule for rule in (*PACKAGE_RULES, *STRUCTURE_RULES)}

    def has_data(spec: Any) -> bool:
        return spec.file is not None or "data" in (spec.descriptor or {})

    for spec in checked.resources:  # what the fast path does not read, frictionless does
        if spec.fallback and has_data(spec):
            names = referenced_resources(spec.raw_schema) - {spec.name}
            references = [(other.descriptor or {}, other.raw_schema) for other in checked.resources
                          if other.name in names and has_data(other)]
            read = check_with_frictionless(checked.root, spec.descriptor or {}, spec.raw_schema, rules_by_id, references)
            findings += read.findings
            fallback_tables.append(CheckedTable(spec.name, spec.path or "datapackage.json", read.rows, read.labels))
        elif spec.file is not None and (counts := declared_counts(spec.descriptor or {})):
            findings += check_with_frictionless(checked.root, counts, None, rules_by_id).findings

    def check_file(spec: Any) -> "TableResult | Finding":
        try:
            # The bytes go straight into check_table, which then holds the only reference and
            # lets them go once they are parsed. (check_table itself does no input or output.)
            result = check_table(spec.name, spec.path, spec.raw_schema, spec.schema,
                                 safe_io.read_inside(checked.root, spec.file))
        except safe_io.PackagePathError as exc:
            return _package_finding("resource_file_exists", f"{spec.path} {exc.reason}", spec.name, spec.path)
        except OSError as exc:
            return _package_finding("resource_file_exists", f"{spec.path} cannot be read: {exc.strerror or exc}",
                                    spec.name, spec.path)
        return_free_memory()  # what parsing the file needed and no longer does (memory.py)
        return result

    readable = [spec for spec in checked.resources if not spec.fallback
                and spec.file is not None and spec.schema is not None and spec.raw_schema is not None]
    results = []
    # Two files at a time: Arrow reads and parses without holding Python's global lock, so one
    # file's reading overlaps the other's checks in pandas. The largest files start first, so
    # the last to finish is a small one; results keep the descriptor's order.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        pending = {id(spec): pool.submit(check_file, spec) for spec in sorted(readable, key=_size, reverse=True)}
        for spec in readable:
            outcome = pending[id(spec)].result()
            if isinstance(outcome, Finding):
                findings.append(outcome)
            else:
                results.append(outcome)
                findings += outcome.findings
    return results, findings, fallback_tables


def _load_pandera() -> None:
    try:
        from country_profiles.validation.rules._framework import _pandera

        _pandera()
    except Exception:  # noqa: BLE001  (the rules load it again and report what went wrong)
        pass


def _size(spec: Any) -> int:
    try:
        return spec.file.stat().st_size
    except OSError:
        return 0  # reading it will say why


def _run_rules(package: "LoadedPackage") -> tuple[list["Finding"], tuple["Rule", ...]]:
    """Run the Pandera rules of validation/rules/. An exception there is a bug: it becomes a
    finding (so the structural findings are still reported) unless COUNTRY_PROFILES_DEBUG is set."""
    from country_profiles.validation import rules as rules_module  # imports pandera: only when rules run

    catalogue = tuple(rules_module.RULES)
    try:
        return list(rules_module.run_rules(package)), catalogue
    except Exception as exc:
        if os.environ.get("COUNTRY_PROFILES_DEBUG"):
            raise
        message = (f"the rules stopped with {type(exc).__name__}: {exc}; rule findings are incomplete "
                   "(set COUNTRY_PROFILES_DEBUG=1 to see the traceback)")
        return [_package_finding("rules_completed", message, None, None)], catalogue


def _package_finding(rule_id: str, message: str, resource: str | None, path: str | None) -> "Finding":
    from country_profiles.validation.findings import Finding
    from country_profiles.validation.package import PACKAGE_RULES

    rule = next(rule for rule in PACKAGE_RULES if rule.id == rule_id)
    return Finding(rule.id, rule.severity, message, resource, path)


def _with_path(finding: "Finding", paths: dict[str, Any]) -> "Finding":
    """Rules may name only the resource; reports need its file."""
    if finding.path is None and finding.resource in paths:
        return dataclasses.replace(finding, path=paths[finding.resource])
    return finding
