"""How a diff report reads: text for a terminal, markdown for a pull-request comment, JSON for
tools, GitHub workflow commands for annotations. diff.py computes the report; this only shows it."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from country_profiles import escape, tables
from country_profiles.plural import count_of

if TYPE_CHECKING:  # diff imports this module: the report types are only named here
    from country_profiles.diff import DiffReport, FindingsDiff, RowChange, TableDiff

MARKDOWN_LIMIT = 60_000  # GitHub cuts comments at 65,536 characters; keep a margin
MAX_ANNOTATIONS = 50  # GitHub shows at most 50 annotations per job
DEFAULT_MAX_ROWS = 50  # rows shown per table in text and markdown; json has them all
FORMATS = ("text", "markdown", "json", "github")


def render(report: DiffReport, format_: str, max_rows: int = DEFAULT_MAX_ROWS) -> str:
    if format_ == "json":
        return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
    if format_ == "markdown":
        return render_markdown(report, max_rows)
    if format_ == "github":
        return render_github(report)
    return render_text(report, max_rows)


def cell_text(value: Any) -> str:
    return "(empty)" if value is None else tables.format_cell(value)


def _short(text: str, width: int = 80) -> str:
    text = " ".join(text.split()) if ("\n" in text or "\r" in text) else text
    return text if len(text) <= width else text[: width - 1] + "…"


def key_text(key: tuple) -> str:
    return "/".join(cell_text(part) for part in key)


def _change_text(change: RowChange) -> str:
    if change.before is None:
        return ", ".join(f"{f}={_short(cell_text(change.after[f]))}" for f in change.fields)
    if change.after is None:
        return ", ".join(f"{f}={_short(cell_text(change.before[f]))}" for f in change.fields)
    return "; ".join(
        f"{f} {_short(cell_text(change.before.get(f)))} → {_short(cell_text(change.after.get(f)))}" for f in change.fields
    )


def _counts(diff: TableDiff) -> str:
    parts = [f"{len(diff.added)} added", f"{len(diff.removed)} removed", f"{len(diff.changed)} changed"]
    return ", ".join(parts) + f", {diff.unchanged} unchanged"


def _finding_where(finding: Any) -> str:
    where = finding.path or finding.resource or "package"
    if finding.line:
        where += f":{finding.line}"
    return where + (f" {finding.field}" if finding.field else "")


def _findings_headline(findings: FindingsDiff) -> str:
    if findings.note:
        return f"Validation findings: {findings.note}"
    errors = sum(1 for f in findings.introduced if f.severity == "error")
    return (
        f"Validation findings: {len(findings.introduced)} introduced ({count_of(errors, 'error')}), "
        f"{len(findings.fixed)} fixed, {len(findings.unchanged)} unchanged"
    )


def render_text(report: DiffReport, max_rows: int = DEFAULT_MAX_ROWS) -> str:
    out = [f"Data diff {report.base} → {report.head}", ""]
    touched = [d for d in report.tables if d.touched]
    if not touched:
        out.append("No table changed (layout-only edits are not changes).")
    for diff in touched:
        status = "" if diff.status == "changed" else f" [table {diff.status}]"
        out.append(f"{diff.name} ({diff.path}){status}: {_counts(diff)}")
        if diff.columns_added or diff.columns_removed:
            out.append(f"  columns added: {', '.join(diff.columns_added) or '-'}; removed: {', '.join(diff.columns_removed) or '-'}")
        for sign, rows in (("+", diff.added), ("-", diff.removed), ("~", diff.changed)):
            for change in rows[:max_rows]:
                out.append(f"  {sign} {key_text(change.key)} (line {change.line}): {_change_text(change)}")
            if len(rows) > max_rows:
                out.append(f"  {sign} ... {len(rows) - max_rows} more")
    out += ["", f"Flags: {count_of(len(report.flags), 'flag')}"]
    out += [f"  ! {f.kind}: {f.path}:{f.line} {key_text(f.key)}: {f.message}" for f in report.flags]
    out += ["", _findings_headline(report.findings)]
    for sign, findings in (("+", report.findings.introduced), ("-", report.findings.fixed)):
        for finding in findings:
            out.append(f"  {sign} {finding.severity} {finding.rule} {_finding_where(finding)}: {_short(finding.message, 160)}")
    if report.notes:
        out += ["", "Notes:"] + [f"  {note}" for note in report.notes]
    return "\n".join(escape.text_line(line) for line in out) + "\n"


def _md(text: Any, width: int = 80) -> str:
    """A value safe inside a markdown table cell."""
    return escape.markdown(_short(str(text), width))


class _Budget:
    """Markdown that stops growing before GitHub would cut it, and says what it left out."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.size, self.left_out = limit, [], 0, 0

    def add(self, text: str) -> bool:
        if self.size + len(text) + 1 > self.limit:
            return False
        self.parts.append(text)
        self.size += len(text) + 1
        return True

    def text(self) -> str:
        return "\n".join(self.parts) + "\n"


def render_markdown(report: DiffReport, max_rows: int = DEFAULT_MAX_ROWS, limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment: summary first, details after, cut to fit `limit` characters."""
    reserve = 400  # for the closing note about what was left out
    budget = _Budget(limit - reserve)
    findings = report.findings
    touched = [d for d in report.tables if d.touched]
    head = [f"## Data diff `{_md(report.base)}` → `{_md(report.head)}`", ""]
    if touched:
        head += ["| table | added | removed | changed | unchanged |", "|---|---:|---:|---:|---:|"]
        head += [
            f"| `{d.path}`{'' if d.status == 'changed' else f' (table {d.status})'} | {len(d.added)} | "
            f"{len(d.removed)} | {len(d.changed)} | {d.unchanged} |"
            for d in touched
        ]
    else:
        head.append("No table changed (layout-only edits are not changes).")
    head += ["", f"**{count_of(len(report.flags), 'flag')}** · **{_findings_headline(findings).removeprefix('Validation findings: ')}**"]
    budget.add("\n".join(head))
    skipped: Counter = Counter()

    def listing(title: str, lines: list[str], what: str) -> None:
        if not lines:
            return
        if not budget.add(f"\n### {title}\n"):
            skipped[what] += len(lines)
            return
        for line in lines:
            if not budget.add(line):
                skipped[what] += 1

    if findings.introduced:
        listing("Findings this change introduces", [
            f"- **{f.severity}** `{f.rule}` {_md(_finding_where(f))}: {_md(f.message, 300)}" for f in findings.introduced
        ], "introduced findings")
    listing("Changes to look at twice", [
        f"- `{f.kind}` {_md(f.path)}:{f.line or ''} `{_md(key_text(f.key))}`: {_md(f.message, 300)}" for f in report.flags
    ], "flags")
    listing("Findings this change fixes", [
        f"- `{f.rule}` {_md(_finding_where(f))}: {_md(f.message, 300)}" for f in findings.fixed
    ], "fixed findings")
    for diff in touched:
        rows = [("added", c) for c in diff.added[:max_rows]] + [("removed", c) for c in diff.removed[:max_rows]]
        rows += [("changed", c) for c in diff.changed[:max_rows]]
        hidden = len(diff.added) + len(diff.removed) + len(diff.changed) - len(rows)
        section = [f"\n<details><summary><code>{_md(diff.path)}</code>: {_counts(diff)}</summary>\n"]
        if diff.columns_added or diff.columns_removed:
            section.append(f"Columns added: {_md(', '.join(diff.columns_added) or '-')}; removed: {_md(', '.join(diff.columns_removed) or '-')}\n")
        section += [f"| | {' / '.join(diff.key_fields)} | line | values |", "|---|---|---:|---|"]
        if not budget.add("\n".join(section)):
            skipped[f"rows of {diff.path}"] += len(rows) + hidden
            continue
        for kind, change in rows:
            if not budget.add(f"| {kind} | `{_md(key_text(change.key))}` | {change.line} | {_md(_change_text(change))} |"):
                skipped[f"rows of {diff.path}"] += 1
        if hidden:
            budget.add(f"\n… {hidden} more rows (`country-profiles diff --format json` lists them all)")
        budget.parts.append("\n</details>")  # always close what was opened
        budget.size += len("\n</details>") + 1
    if report.notes:
        listing("Notes", [f"- {_md(note, 300)}" for note in report.notes], "notes")
    text = budget.text()
    if skipped:
        left = ", ".join(f"{n} {what}" for what, n in skipped.items())
        text += f"\n_Cut to fit a comment: {left} not shown. Run `country-profiles diff` locally for everything._\n"
    return text


def render_github(report: DiffReport) -> str:
    """GitHub workflow commands: an annotation on each introduced finding and flag (at most 50)."""
    lines = []
    for finding in report.findings.introduced:
        level = "error" if finding.severity == "error" else "warning"
        lines.append(_annotation(level, finding.path, finding.line, f"new finding: {finding.rule}", finding.message))
    for flag in report.flags:
        lines.append(_annotation("warning", flag.path, flag.line, f"look twice: {flag.kind}", flag.message))
    shown = lines[:MAX_ANNOTATIONS]
    if len(lines) > MAX_ANNOTATIONS:
        shown.append(f"::notice::{len(lines) - MAX_ANNOTATIONS} more annotations not shown; see the diff summary")
    return "".join(line + "\n" for line in shown)


def _annotation(level: str, path: str | None, line: int | None, title: str, message: str) -> str:
    properties = [f"title={_escape_property(title)}"]
    if path:
        properties.insert(0, f"file={_escape_property(path)}")
        if line:
            properties.insert(1, f"line={line}")
    return f"::{level} {','.join(properties)}::{escape.github_data(escape.text(message))}"


_escape_property = escape.github_property


def report_json(report: DiffReport) -> dict[str, Any]:
    def values(row: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if row is None else {k: (None if v is None else tables.format_cell(v)) for k, v in row.items()}

    def change(c: RowChange) -> dict[str, Any]:
        return {"key": [cell_text(k) for k in c.key], "line": c.line, "fields": c.fields,
                "before": values(c.before), "after": values(c.after)}

    def finding(f: Any) -> dict[str, Any]:
        return f.to_json() if hasattr(f, "to_json") else dict(vars(f))

    return {
        "base": report.base,
        "head": report.head,
        "factor": report.factor,
        "tables": [
            {
                "name": d.name, "path": d.path, "status": d.status, "primary_key": d.key_fields,
                "counts": {"added": len(d.added), "removed": len(d.removed), "changed": len(d.changed), "unchanged": d.unchanged},
                "columns_added": d.columns_added, "columns_removed": d.columns_removed,
                "added": [change(c) for c in d.added], "removed": [change(c) for c in d.removed],
                "changed": [change(c) for c in d.changed],
            }
            for d in report.tables if d.touched
        ],
        "flags": [
            {"kind": f.kind, "table": f.table, "path": f.path, "key": [cell_text(k) for k in f.key],
             "field": f.field, "line": f.line, "message": f.message}
            for f in report.flags
        ],
        "findings": {
            "note": report.findings.note,
            "introduced": [finding(f) for f in report.findings.introduced],
            "fixed": [finding(f) for f in report.findings.fixed],
            "unchanged": len(report.findings.unchanged),
        },
        "notes": report.notes,
    }
