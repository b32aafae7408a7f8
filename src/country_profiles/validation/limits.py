"""Caps that keep a report bounded whatever a pull request holds.

A million bad rows would otherwise be three million findings (gigabytes, and a report nobody
reads). Findings are listed up to a cap per rule and column in a file (structure checks stop
making them there), per rule in a file and per file; each cap that cuts adds one finding that
says how many more there were, so nothing is dropped silently.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from country_profiles.validation.findings import Finding

PER_RULE_AND_COLUMN = 1_000  # cells listed per rule and column of a file
PER_RULE = 2_000  # findings listed per rule in a file
PER_FILE = 10_000  # findings listed per file
PER_REPORT = 50_000  # findings listed in all (about 10 MB of text report at most)


def more_finding(example: Finding, count: int, scope: str, cap: int) -> Finding:
    """The finding that stands for `count` findings left out of the report."""
    return replace(example, message=f"{count:,} more findings of this rule {scope} are not listed (the first "
                   f"{cap:,} are); fix those and run again", line=None, lines=(), value=None, column=None)


def capped(findings: list[Finding]) -> list[Finding]:
    """`findings` with at most PER_RULE per rule and file, PER_FILE per file and PER_REPORT in all, in their order,
    plus one finding per cut saying how many were left out."""
    per_rule: Counter = Counter()
    per_file: Counter = Counter()
    kept: list[Finding] = []
    left_out: dict[tuple, tuple[Finding, int, str, int]] = {}
    for finding in findings:
        rule_key, file_key = (finding.path, finding.rule), finding.path
        per_rule[rule_key] += 1
        per_file[file_key] += 1
        if per_rule[rule_key] > PER_RULE:
            example, count, scope, cap = left_out.get(rule_key, (finding, 0, "in this file", PER_RULE))
            left_out[rule_key] = (example, count + 1, scope, cap)
        elif per_file[file_key] > PER_FILE:
            key = (finding.path, finding.rule, "file")
            example, count, scope, cap = left_out.get(key, (finding, 0, "(this file has too many to list)", PER_FILE))
            left_out[key] = (example, count + 1, scope, cap)
        elif len(kept) >= PER_REPORT:
            key = (finding.path, finding.rule, "report")
            example, count, scope, cap = left_out.get(key, (finding, 0, "(the report has too many to list)", PER_REPORT))
            left_out[key] = (example, count + 1, scope, cap)
        else:
            kept.append(finding)
    return kept + [more_finding(*entry) for entry in left_out.values()]
