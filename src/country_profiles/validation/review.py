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

import numpy as np
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
CLOSE_ENOUGH = 0.75  # difflib's similarity ratio from which a key is suggested


def refine(findings: Iterable[Finding], package: LoadedPackage | None) -> list[Finding]:
    findings = list(findings)
    malformed = {(f.path, line) for f in findings if f.rule in MALFORMED_ROW_RULES
                 for line in (f.lines or (f.line,)) if line is not None}
    keys = KeyNames(package) if package is not None else None
    kept = []
    for finding in findings:
        blamed = finding.lines or ((finding.line,) if finding.line is not None else ())
        if not finding.rule.startswith(ROW_CAUSES) and any((finding.path, line) in malformed for line in blamed):
            continue  # follows from the shifted cells of a malformed row, reported on its own
        if finding.rule == "foreign_key_resolves" and keys is not None:
            finding = _with_suggestion(finding, keys)
        kept.append(finding)
    return kept


def _with_suggestion(finding: Finding, keys: "KeyNames") -> Finding:
    match = UNRESOLVED.search(finding.message.split(" (it holds")[0])
    if match is None or not isinstance(finding.value, str) or not finding.value:
        return finding
    nearest = keys.nearest(finding.value, match.group(1), match.group(2))
    if not nearest:
        return finding
    return dataclasses.replace(finding, message=f"{finding.message}; did you mean {' or '.join(nearest)}?")


class KeyNames:
    """The keys of a package's tables and the names they go by, gathered once per key field:
    a package with thousands of unresolved keys asks for the same table's names each time."""

    def __init__(self, package: LoadedPackage) -> None:
        self._package = package
        self._gathered: dict[tuple[str, str], tuple[dict[str, str], dict[str, str], CharacterCounts]] = {}

    def nearest(self, value: str, table: str, field: str, limit: int = 3) -> list[str]:
        """Keys of `table`.`field` nearest to `value`, matched on the key, the row's name or
        title, and the other names its note gives (a former name): ['OTS (Organization of Turkic States)']."""
        if (table, field) not in self._gathered:
            names, labels = self._gather(table, field)
            self._gathered[table, field] = names, labels, CharacterCounts(list(names))
        names, labels, counts = self._gathered[table, field]
        query = value.strip().casefold()
        candidates = counts.could_match(query, CLOSE_ENOUGH)
        close = difflib.get_close_matches(query, candidates, n=limit * 3, cutoff=CLOSE_ENOUGH)
        keys = list(dict.fromkeys(names[name] for name in close))[:limit]
        return [f"{key} ({labels[key]})" if labels.get(key, key) != key else key for key in keys]

    def _gather(self, table: str, field: str) -> tuple[dict[str, str], dict[str, str]]:
        """(a name, casefolded -> the key it names; a key -> its row's name or title)."""
        target = self._package.tables.get(table)
        if target is None or field not in target.frame:
            return {}, {}
        frame = target.frame
        empty = pd.Series(pd.NA, index=frame.index, dtype="object")
        columns = [frame[c] if c in frame else empty for c in (field, *LABEL_FIELDS, "note")]
        names: dict[str, str] = {}
        labels: dict[str, str] = {}
        for key, *titles, note in zip(*columns):
            if pd.isna(key):
                continue
            key = str(key)
            titles = [str(t) for t in titles if not pd.isna(t)]
            if titles:
                labels.setdefault(key, titles[0])
            others = [a or b for a, b in OTHER_NAMES.findall(str(note))] if not pd.isna(note) else []
            for name in (key, *titles, *others):
                names.setdefault(name.strip().casefold(), key)
        return names, labels


class CharacterCounts:
    """The names whose similarity to a query can reach a cutoff, found for all names at once.

    difflib compares a query with each name in Python, a few microseconds each: seconds per
    unknown key once a key table has tens of thousands of names (the 100x benchmark). Its
    quick_ratio, twice the characters two strings have in common over their total length, is
    an upper bound of the ratio it suggests by; computed here for every name in one array
    operation, it leaves difflib only the names that can match, so the suggestions are exactly
    difflib's. No maintained library offers this bound over many names at once."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.column = {char: i for i, char in enumerate(sorted({char for name in names for char in name}))}
        rows = np.repeat(np.arange(len(names)), [len(name) for name in names])
        columns = np.fromiter((self.column[char] for name in names for char in name), dtype=np.int64, count=len(rows))
        self.counts = np.zeros((len(names), len(self.column)), dtype=np.int32)
        np.add.at(self.counts, (rows, columns), 1)
        self.lengths = np.array([len(name) for name in names], dtype=np.int64)

    def could_match(self, query: str, cutoff: float) -> list[str]:
        # Only the query's own characters can be in common: their columns alone are compared.
        known = sorted({char for char in query if char in self.column})
        columns = [self.column[char] for char in known]
        wanted = np.array([query.count(char) for char in known], dtype=np.int32)
        common = np.minimum(self.counts[:, columns], wanted).sum(axis=1)
        bound = 2.0 * common / np.maximum(self.lengths + len(query), 1)
        return [self.names[i] for i in np.flatnonzero(bound >= cutoff)]
