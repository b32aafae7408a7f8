"""The validation report and its formats: text (terminal), json, github (workflow annotations)
and markdown (pull request summary). Formatting is pure: each format returns a string."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from country_profiles import escape
from country_profiles.plural import count_of
from country_profiles.validation.findings import ERROR, SEVERITIES, WARNING, Finding, Rule
from country_profiles.validation.model import LoadedPackage

MARKDOWN_LIMIT = 65_000  # GitHub rejects step summaries and comments much above 65,536 characters
GITHUB_ANNOTATION_LIMIT = 50  # GitHub shows at most this many annotations of each type per step


@dataclass(frozen=True)
class CheckedTable:
    name: str
    path: str
    rows: int
    columns: tuple[str, ...]  # line 1 of the CSV as written


@dataclass
class Report:
    """Everything one validation run found, sorted by file, line and rule."""

    descriptor: Path
    findings: list[Finding]
    tables: list[CheckedTable] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)  # the catalogue, for hints
    schemas: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path -> schema field names
    timings: dict[str, float] = field(default_factory=dict)
    package: LoadedPackage | None = field(default=None, repr=False)  # the typed tables the rules saw

    def __post_init__(self) -> None:
        self.findings = sorted((_bounded(finding) for finding in self.findings),
                               key=lambda finding: finding_order(finding, self.descriptor.name))

    @property
    def root(self) -> Path:
        return self.descriptor.parent

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        return counts

    @property
    def valid(self) -> bool:
        return self.counts[ERROR] == 0

    @property
    def rows_checked(self) -> int:
        return sum(table.rows for table in self.tables)

    @property
    def files(self) -> list[str]:
        """The files with findings, in report order."""
        return list(dict.fromkeys(finding.path or "" for finding in self.findings))

    def column_number(self, finding: Finding) -> int | None:
        """1-based column of the blamed cell: as the check says, else where the field's name is
        in the CSV's header, else its position in the schema."""
        if finding.column is not None:
            return finding.column
        if finding.field is None or finding.path is None:
            return None
        for table in self.tables:
            if table.path == finding.path and finding.field in table.columns:
                return table.columns.index(finding.field) + 1
        names = self.schemas.get(finding.path, ())
        return names.index(finding.field) + 1 if finding.field in names else None

    def hint(self, rule_id: str) -> str:
        rule = self.rules.get(rule_id)
        return rule.hint if rule else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "counts": self.counts,
            "checked": {"tables": len(self.tables), "rows": self.rows_checked},
            "findings": [finding.to_json() for finding in self.findings],
        }

    def summary(self) -> str:
        counts = self.counts
        files = len(self.files)
        return (
            f"{_plural(counts[ERROR], 'error')}, {_plural(counts[WARNING], 'warning')} in {_plural(files, 'file')} "
            f"(checked {_plural(self.rows_checked, 'row')} in {_plural(len(self.tables), 'table')})"
        )


MAX_TEXT = 1000  # characters of a message or value in a report: a 50 MB cell must not become a 50 MB report


def _bounded(finding: Finding) -> Finding:
    """The finding with an overlong message or value cut, saying how long it was."""
    def cut(text: str) -> str:
        return text if len(text) <= MAX_TEXT else f"{text[:MAX_TEXT - 1]}… ({len(text):,} characters in all)"

    value = cut(finding.value) if isinstance(finding.value, str) else finding.value
    if len(finding.message) <= MAX_TEXT and value is finding.value:
        return finding
    return replace(finding, message=cut(finding.message), value=value)


def finding_order(finding: Finding, descriptor: str = "datapackage.json") -> tuple[Any, ...]:
    """By file, the descriptor before the files it describes; in a file, whole-file findings
    first, then by line and rule."""
    return (
        finding.path is not None,
        finding.path != descriptor,
        finding.path or "",
        finding.line is not None,
        finding.line or 0,
        finding.rule,
        finding.field or "",
        finding.message,
    )


_plural = count_of  # one spelling of counts for every report


# --- text ---


def format_text(report: Report, errors_only: bool = False) -> str:
    """A reviewer's reading order: the summary line first, then the errors, then the warnings
    (left out with `errors_only`), each grouped by file as `path:line: severity [rule] column c:
    message`, followed by every line the finding blames and the rule's hint; the summary again
    at the end, where a terminal leaves the eye."""
    out: list[str] = [report.summary()]
    for severity, title in ((ERROR, "Errors"), (WARNING, "Warnings")):
        chosen = [finding for finding in report.findings if finding.severity == severity]
        if not chosen or (errors_only and severity == WARNING):
            continue
        out += ["", f"{title}:"]
        current: str | None = None
        for finding in chosen:
            path = finding.path or str(report.descriptor.name)
            if path != current:
                current = path
                in_file = [item for item in chosen if (item.path or str(report.descriptor.name)) == path]
                out += ["", escape.text_line(f"{path} ({_counted(in_file)})")]
            out += _text_finding(report, finding, path)
    if errors_only and report.counts[WARNING]:
        out += ["", f"({_plural(report.counts[WARNING], 'warning')} not shown: --errors-only)"]
    if len(out) > 1:
        out += ["", report.summary()]
    return "\n".join(out) + "\n"


def _text_finding(report: Report, finding: Finding, path: str) -> list[str]:
    location = f"{path}:{finding.line}" if finding.line is not None else path
    column = f"column {finding.field}: " if finding.field else ""
    lines = [escape.text_line(f"{location}: {finding.severity} [{finding.rule}] {column}{finding.message}")]
    if len(finding.lines) > 1:
        lines.append(f"    lines: {', '.join(str(line) for line in finding.lines)}")
    hint = report.hint(finding.rule)
    if hint:
        lines.append(f"    hint: {hint}")
    return lines


def _counted(findings: list[Finding]) -> str:
    errors = sum(finding.severity == ERROR for finding in findings)
    warnings = len(findings) - errors
    parts = [_plural(errors, "error")] if errors else []
    parts += [_plural(warnings, "warning")] if warnings else []
    return ", ".join(parts)


# --- json ---


def format_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


# --- github ---


escape_data = escape.github_data  # the escapers live in escape.py, one per format
escape_property = escape.github_property


def format_github(report: Report, prefix: str = "") -> str:
    """One `::error`/`::warning` command per finding (all of them, though GitHub shows only the
    first 50 of each type), then a plain summary line. `prefix` is the package folder relative
    to the repository root, when they differ."""
    out: list[str] = []
    for finding in report.findings:
        path = finding.path or report.descriptor.name
        properties = [f"file={escape_property(prefix + path)}"]
        if finding.line is not None:
            properties.append(f"line={finding.line}")
            column = report.column_number(finding)
            if column is not None:
                properties.append(f"col={column}")
        properties.append(f"title={escape_property(finding.rule)}")
        message = escape.text((f"column {finding.field}: " if finding.field else "") + finding.message)
        hint = report.hint(finding.rule)
        if hint:
            message += f"\n{escape.text(hint)}"  # a real line break in the annotation
        out.append(f"::{finding.severity} {','.join(properties)}::{escape_data(message)}")
    counts = report.counts
    summary = report.summary()
    hidden = [f"{counts[severity] - GITHUB_ANNOTATION_LIMIT} {severity}s" for severity in SEVERITIES
              if counts[severity] > GITHUB_ANNOTATION_LIMIT]
    if hidden:
        summary += (f"; GitHub shows only the first {GITHUB_ANNOTATION_LIMIT} annotations of each type, so "
                    f"{' and '.join(hidden)} appear only in this log")
    out.append(summary)
    return "\n".join(out) + "\n"


# --- markdown ---


_cell = escape.markdown


def format_markdown(report: Report, limit: int = MARKDOWN_LIMIT) -> str:
    """A pull request summary: counts, then one table per file (line, column, rule, message),
    cut politely before `limit` characters with a note of how many findings were left out."""
    status = "passed" if report.valid else "failed"
    head = [f"## country-profiles validate: {status}", "", report.summary() + "."]
    closing_reserve = 400  # room for the note about findings left out
    body: list[str] = []
    size = sum(len(line) + 1 for line in head)
    shown = 0
    rules_seen: list[str] = []
    for path in report.files:
        in_file = [finding for finding in report.findings if (finding.path or "") == path]
        shown_path = escape.text(path or report.descriptor.name).replace("`", "'")  # inside a code span
        section = ["", f"### `{shown_path}` ({_counted(in_file)})", "",
                   "| Line | Column | Severity | Rule | Message |", "|---:|---|---|---|---|"]
        section_size = sum(len(line) + 1 for line in section)
        if size + section_size > limit - closing_reserve:
            break
        body += section
        size += section_size
        for finding in in_file:
            row = (f"| {finding.line if finding.line is not None else ''} | {_cell(finding.field or '')} | "
                   f"{finding.severity} | `{finding.rule}` | {_cell(finding.message)} |")
            if size + len(row) + 1 > limit - closing_reserve:
                break
            body.append(row)
            size += len(row) + 1
            shown += 1
            if finding.rule not in rules_seen:
                rules_seen.append(finding.rule)
        else:
            continue
        break
    left_out = len(report.findings) - shown
    hints = ["", "### How to fix", ""] + [f"- `{rule}`: {_cell(report.hint(rule))}" for rule in rules_seen if report.hint(rule)]
    if left_out == 0 and size + sum(len(line) + 1 for line in hints) <= limit - closing_reserve and len(hints) > 3:
        body += hints
    if left_out:
        body += ["", f"*{count_of(left_out, 'more finding')} left out to keep this summary under "
                     f"{limit:,} characters; run `country-profiles validate` locally for the full list.*"]
    return "\n".join(head + body) + "\n"


FORMATS: dict[str, Callable[[Report], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "markdown": format_markdown,
}
