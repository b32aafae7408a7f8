"""What a reviewer does with the findings before reading them out: a malformed row's own error
stands alone, and a key that resolves nowhere comes with the keys it probably meant.

Done on the findings, after every check has run, so that the checks themselves stay simple:
a row with a cell too many or too few has its cells shifted, and every error about those cells
(a wrong type, an unknown key, an implausible value) follows from the one real cause.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable

import pandas as pd

from country_profiles.validation.findings import Finding
from country_profiles.validation.model import LoadedPackage

MALFORMED_ROW_RULES = ("row_has_all_cells", "row_has_no_extra_cells")
# Findings about the file or the row as written (a quote never closed, a bad byte): causes, kept.
ROW_CAUSES = ("csv_", "row_", "header_")
UNRESOLVED = re.compile(r"is not in (\w+)\.(\w+)$")
# Other names of a row, written in its note: '(Turkic Council)', 'formerly the X', 'as the X'.
OTHER_NAMES = re.compile(r"\(([^()]{3,80})\)|(?:formerly|as) (?:the )?([A-Z][^;,.()]{2,80})")
LABEL_FIELDS = ("name", "title")


def refine(findings: Iterable[Finding], package: LoadedPackage | None) -> list[Finding]:
    findings = list(findings)
    malformed = {(f.path, line) for f in findings if f.rule in MALFORMED_ROW_RULES
                 for line in (f.lines or (f.line,)) if line is not None}
    kept = []
    for finding in findings:
        blamed = finding.lines or ((finding.line,) if finding.line is not None else ())
        if not finding.rule.startswith(ROW_CAUSES) and any((finding.path, line) in malformed for line in blamed):
            continue  # follows from the shifted cells of a malformed row, reported on its own
        if finding.rule == "foreign_key_resolves" and package is not None:
            finding = _with_suggestion(finding, package)
        kept.append(finding)
    return kept


def _with_suggestion(finding: Finding, package: LoadedPackage) -> Finding:
    match = UNRESOLVED.search(finding.message.split(" (it holds")[0])
    if match is None or not isinstance(finding.value, str) or not finding.value:
        return finding
    nearest = nearest_keys(finding.value, package, match.group(1), match.group(2))
    if not nearest:
        return finding
    return dataclasses.replace(finding, message=f"{finding.message}; did you mean {' or '.join(nearest)}?")


def nearest_keys(value: str, package: LoadedPackage, table: str, field: str, limit: int = 3) -> list[str]:
    """Keys of `table`.`field` nearest to `value`, matched on the key, the row's name or title,
    and the other names its note gives (a former name): ['OTS (Organization of Turkic States)']."""
    target = package.tables.get(table)
    if target is None or field not in target.frame:
        return []
    frame = target.frame
    labels: dict[str, str] = {}  # a name, casefolded -> the key it names
    for position, key in enumerate(frame[field].tolist()):
        if pd.isna(key):
            continue
        names = [str(key)]
        for column in LABEL_FIELDS:
            if column in frame and not pd.isna(frame[column].iloc[position]):
                names.append(str(frame[column].iloc[position]))
        if "note" in frame and not pd.isna(frame["note"].iloc[position]):
            names += [a or b for a, b in OTHER_NAMES.findall(str(frame["note"].iloc[position]))]
        for name in names:
            labels.setdefault(name.strip().casefold(), str(key))
    close = difflib.get_close_matches(value.strip().casefold(), list(labels), n=limit * 3, cutoff=0.75)
    keys = list(dict.fromkeys(labels[name] for name in close))[:limit]
    described = []
    for key in keys:
        row = frame[frame[field] == key].iloc[0]
        label = next((str(row[c]) for c in LABEL_FIELDS if c in frame and not pd.isna(row[c])), "")
        described.append(f"{key} ({label})" if label and label != key else key)
    return described
