"""Resources the fast path does not read are handed to frictionless itself.

The fast path reads what this package's tables use: one CSV file per resource, RFC 4180 with a
header line, and a Table Schema. A resource declaring anything else the Data Package standard
allows (another dialect, several header rows, inline data, no schema, another format, a
`fieldsMatch` other than exact) is validated by frictionless, and each error it reports
becomes a finding at file, line and column like ours. A table the fast path reads that
declares `bytes` or `hash` is also given to frictionless, as a plain file whose byte count and
hash (nothing else) it compares with the declared ones; its rows are still the fast path's and
the rules'. Paths are guarded before (package.py refuses URLs, paths leaving the package and
symlinks out of it), and frictionless gets the resource with its schema already read, and the
resources its foreign keys name (their paths guarded too), so it opens no other file and
nothing over the network.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from country_profiles import safe_io
from country_profiles.validation.findings import ERROR, Finding, Rule

FALLBACK_RULE = Rule(
    "frictionless_reports",
    ERROR,
    "A resource using Data Package features the fast path does not read is valid as frictionless checks it.",
    hint="The message is frictionless' own; correct the cell, row or descriptor it names.",
)
# CSV Dialect v2 (and v1's caseSensitiveHeader): any other value is read by frictionless.
DEFAULT_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "headerRows": [1],
                   "lineTerminator": "\n", "skipInitialSpace": False, "caseSensitiveHeader": True,
                   "headerJoin": " ", "headerCase": True, "commentChar": None, "commentRows": [],
                   "skipBlankRows": False, "escapeChar": None, "nullSequence": None}
# frictionless' error types -> our rule of the same meaning (anything else: FALLBACK_RULE)
RULE_OF = {
    "type-error": "cell_has_field_type", "missing-cell": "row_has_all_cells", "extra-cell": "row_has_no_extra_cells",
    "blank-row": "row_is_not_blank", "primary-key": "primary_key_unique", "unique-error": "values_unique",
    "foreign-key": "foreign_key_resolves", "incorrect-label": "header_matches_schema",
    "missing-label": "header_matches_schema", "extra-label": "header_matches_schema",
    "duplicate-label": "header_matches_schema", "blank-label": "header_matches_schema",
    "encoding-error": "csv_is_utf8", "constraint-error": "value_within_bounds",
}
MAX_FINDINGS = 1000  # frictionless' own default limit: a broken file gives a bounded report


def needs_frictionless(resource: dict[str, Any]) -> bool:
    """Whether a resource declares something the fast path does not read."""
    if "data" in resource or not isinstance(resource.get("path"), str) or resource.get("schema") is None:
        return True
    if resource.get("format", "csv") != "csv" or str(resource.get("encoding", "utf-8")).lower() not in ("utf-8", "utf8"):
        return True
    dialect = resource.get("dialect")
    if isinstance(dialect, dict):
        return any(key in DEFAULT_DIALECT and value != DEFAULT_DIALECT[key]
                   and not (key == "lineTerminator" and value == "\r\n") for key, value in dialect.items())
    return False


def schema_needs_frictionless(schema: dict[str, Any] | None) -> bool:
    """Whether a Table Schema matches the header other than exactly (v2 `fieldsMatch`)."""
    return isinstance(schema, dict) and schema.get("fieldsMatch", "exact") != "exact"


def declared_counts(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The resource as a plain file with its declared `bytes` and `hash`, for frictionless to
    compare with the file, if it declares either (of the type the meta-schema requires)."""
    counts = {key: resource[key] for key, valid in (("bytes", _is_count), ("hash", _is_text)) if valid(resource.get(key))}
    if not counts or not isinstance(resource.get("path"), str):
        return None
    return {"name": resource.get("name", ""), "path": resource["path"], "type": "file", **counts}


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def referenced_resources(schema: dict[str, Any] | None) -> set[str]:
    """The other resources a Table Schema's foreign keys name (frictionless reads them too)."""
    keys = schema.get("foreignKeys") if isinstance(schema, dict) else None
    references = [key.get("reference") for key in keys if isinstance(key, dict)] if isinstance(keys, list) else []
    return {reference["resource"] for reference in references
            if isinstance(reference, dict) and isinstance(reference.get("resource"), str) and reference["resource"]}


def _for_frictionless(resource: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    # Sources and licences say nothing about the data, and the meta-schema checks them already.
    descriptor = {key: value for key, value in resource.items() if key not in ("schema", "$schema", "sources", "licenses")}
    if isinstance(schema, dict):
        descriptor["schema"] = schema
    return descriptor


@dataclass
class FrictionlessChecked:
    """What frictionless found in one resource, and what it read (for the report's summary)."""

    findings: list[Finding]
    rows: int
    labels: tuple[str, ...]


def check_with_frictionless(root: Path, resource: dict[str, Any], schema: dict[str, Any] | None,
                            rules: dict[str, Rule],
                            references: Sequence[tuple[dict[str, Any], dict[str, Any] | None]] = ()) -> FrictionlessChecked:
    """frictionless' errors for one resource (its path already guarded), as findings. REFERENCES
    are the resources (and schemas) its foreign keys name, their paths guarded too."""
    import frictionless

    name = str(resource.get("name", ""))
    path = resource.get("path") if isinstance(resource.get("path"), str) else "datapackage.json"
    descriptor = _for_frictionless(resource, schema)
    try:
        if references:  # frictionless resolves foreign keys to other resources only within a package
            others = [_for_frictionless(other, other_schema) for other, other_schema in references]
            table = frictionless.Package({"resources": [descriptor, *others]}, basepath=str(root)).get_resource(name)
        else:
            table = frictionless.Resource(descriptor, basepath=str(root))
        report = table.validate(limit_errors=MAX_FINDINGS)
        errors = report.flatten(["type", "message", "rowNumber", "fieldName", "fieldNumber", "cell"])
        task = report.tasks[0] if report.tasks else None
        rows = int(task.stats.get("rows") or 0) if task else 0
        labels = tuple(str(label) for label in (task.labels or ())) if task else ()
    except Exception as exc:  # frictionless refuses the descriptor itself: one finding, never a traceback
        errors = [["resource-error", f"frictionless cannot read the resource: {exc}", None, None, None, None]]
        rows, labels = 0, ()
    findings = []
    starts = _record_lines(root, resource) if any(error[2] for error in errors) else None
    for kind, message, row, field, number, cell in errors[:MAX_FINDINGS]:
        rule = rules.get(RULE_OF.get(kind, ""), FALLBACK_RULE)
        line = int(row) if row else (1 if kind.endswith("label") else None)
        if line and starts and line <= len(starts):
            line = starts[line - 1]  # frictionless counts records; a quoted cell may hold line breaks
        line = line if "data" not in resource else None  # inline rows are no lines of a file; the message names the row
        findings.append(Finding(rule.id, rule.severity, f"{message} (frictionless: {kind})", name, path, line,
                                (line,) if line else (), field or None, cell, int(number) if number else None))
    return FrictionlessChecked(findings, rows, labels)


def _record_lines(root: Path, resource: dict[str, Any]) -> list[int] | None:
    """The line where each record of a CSV resource starts, read with its declared dialect (None
    when it is no CSV file or cannot be read so: row numbers then stand for lines)."""
    dialect = resource.get("dialect") if isinstance(resource.get("dialect"), dict) else {}
    delimiter = {"csv": dialect.get("delimiter", ","), "tsv": "\t"}.get(str(resource.get("format", "csv")).lower())
    if "data" in resource or not isinstance(resource.get("path"), str) or delimiter is None:
        return None
    try:
        text = safe_io.read_inside(root, resource["path"]).decode(str(resource.get("encoding", "utf-8")), "replace")
        reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter,
                            quotechar=dialect.get("quoteChar", '"'), doublequote=dialect.get("doubleQuote", True),
                            escapechar=dialect.get("escapeChar"), skipinitialspace=dialect.get("skipInitialSpace", False))
        starts, next_line = [], 1
        for _ in reader:
            starts.append(next_line)
            next_line = reader.line_num + 1
    except (safe_io.PackagePathError, OSError, LookupError, TypeError, ValueError, csv.Error):
        return None
    return starts
