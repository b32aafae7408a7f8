"""Curated corrections of the memberships tables: load, validate, apply.

The corrections live in one JSON file (corrections/memberships.json), checked against
schemas/corrections.schema.json. Each record names the row it changes, the new values, a reason and a
source (an id of data/sources.csv). Records apply in file order. A record that matches no row, or an
`add` that would duplicate one, stops the import with a CorrectionError naming the record: a silent
correction rots.

Changes:
- add               a membership row (country, organization, status [, since, until, note])
- remove            the membership row (country, organization, status)
- set_status        that row's status -> new_status [, since, until, note]
- set_since         that row's since
- set_until         that row's until
- set_note          appends a note to that row
- add_organization  an organization row (organization, name, kind [, founded, dissolved, note])
- set_organization  fields of an existing organization row

A changed or added membership row cites the correction's source; its note says which correction
changed which field ("until from <source>; correction <id>") and, for an imported row, where the status
came from. Notes are "; "-separated parts; a part "<field> from <source>" is replaced when a correction
sets that field again. An organization row cites the source of its name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from country_profiles.importer.notes import join_notes

MEMBERSHIP_CHANGES = ("add", "remove", "set_status", "set_since", "set_until", "set_note")
ORGANIZATION_CHANGES = ("add_organization", "set_organization")
ORGANIZATION_FIELDS = ("name", "kind", "founded", "dissolved", "note")


class CorrectionError(Exception):
    """A correction file that cannot be read or a correction that cannot be applied."""


@dataclass
class CorrectedTables:
    organizations: list[dict[str, Any]]
    memberships: list[dict[str, Any]]
    applied: list[str]


def load_corrections(path: Path, schema_path: Path, sources_csv: Path | None = None) -> list[dict[str, Any]]:
    """The correction records of `path`, after the JSON Schema and the source ids are checked."""
    document = _read_json(path)
    schema = _read_json(schema_path)
    errors = validation_errors(document, schema)
    if errors:
        raise CorrectionError(f"{path}: does not match {schema_path.name}:\n  " + "\n  ".join(errors))
    records = document["corrections"]
    duplicates = sorted({r["id"] for r in records if sum(1 for s in records if s["id"] == r["id"]) > 1})
    if duplicates:
        raise CorrectionError(f"{path}: correction ids used twice: {', '.join(duplicates)}")
    if sources_csv is not None:
        known = read_source_ids(sources_csv)
        unknown = [f"{r['id']} cites {r['source_id']!r}" for r in records if r["source_id"] not in known]
        if unknown:
            raise CorrectionError(f"{path}: sources missing from {sources_csv}: " + "; ".join(unknown))
    return records


def validation_errors(document: Any, schema: dict[str, Any]) -> list[str]:
    """Every JSON Schema violation, each with where it is (correction id when there is one)."""
    validator = jsonschema.Draft202012Validator(schema)
    messages = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        record_id = _record_id(document, list(error.absolute_path))
        label = f"{where} (correction {record_id})" if record_id else where
        messages.append(f"{label}: {error.message}")
    return messages


def _record_id(document: Any, path: list[Any]) -> str | None:
    if len(path) >= 2 and path[0] == "corrections" and isinstance(path[1], int):
        record = document["corrections"][path[1]]
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            return record["id"]
    return None


def read_source_ids(path: Path) -> set[str]:
    if not path.is_file():
        raise CorrectionError(f"{path}: sources table not found (corrections cite its ids)")
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"] for row in csv.DictReader(handle)}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorrectionError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise CorrectionError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None


def apply_corrections(
    organizations: Iterable[dict[str, Any]], memberships: Iterable[dict[str, Any]], corrections: list[dict[str, Any]]
) -> CorrectedTables:
    """New tables with every correction applied in order; the inputs are not changed."""
    orgs = {row["id"]: dict(row) for row in organizations}
    rows = {_key(row): dict(row) for row in memberships}
    applied: list[str] = []
    corrected: set[tuple[str, str, str]] = set()  # imported rows whose values a correction changed
    for record in corrections:
        if record["change"] in ORGANIZATION_CHANGES:
            _apply_to_organization(orgs, record)
        else:
            _apply_to_membership(rows, orgs, record, corrected)
        applied.append(record["id"])
    return CorrectedTables(list(orgs.values()), list(rows.values()), applied)


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return (row["country"], row["organization"], row["status"])


def _apply_to_organization(orgs: dict[str, dict[str, Any]], record: dict[str, Any]) -> None:
    organization, change, ident, source = record["organization"], record["change"], record["id"], record["source_id"]
    if change == "add_organization":
        if organization in orgs:
            raise CorrectionError(f"correction {ident}: organization {organization} already exists")
        orgs[organization] = {
            "id": organization, "name": record["name"], "founded": record.get("founded"),
            "dissolved": record.get("dissolved"), "kind": record["kind"],
            "note": join_notes(record.get("note"), f"correction {ident}"), "source_id": source,
            "founded_source_id": source if record.get("founded") is not None else None,
        }
        return
    row = orgs.get(organization)
    if row is None:
        raise CorrectionError(f"correction {ident}: matches no organization {organization}")
    changed = [name for name in ORGANIZATION_FIELDS if name in record and name != "note"]
    for name in changed:
        row[name] = record[name]
    if "founded" in changed:
        row["founded_source_id"] = source
    notes = _drop_origin(row["note"], changed)
    if "name" in changed:  # source_id is the source of the name
        row["source_id"] = source
    origins = [f"{name} from {source}" for name in changed if name != "name"]
    row["note"] = join_notes(notes, record.get("note"), *origins, _marker(ident, source, bool(changed)))


def _apply_to_membership(
    rows: dict[tuple[str, str, str], dict[str, Any]],
    orgs: dict[str, dict[str, Any]],
    record: dict[str, Any],
    corrected: set[tuple[str, str, str]],
) -> None:
    ident, change, source = record["id"], record["change"], record["source_id"]
    key = (record["country"], record["organization"], record["status"])
    label = f"{key[0]} {key[1]} {key[2]}"
    if record["organization"] not in orgs:
        raise CorrectionError(f"correction {ident}: organization {record['organization']} is not in the table")
    if change == "add":
        if key in rows:
            raise CorrectionError(f"correction {ident}: membership {label} already exists; use a set_ change")
        rows[key] = {
            "country": key[0], "organization": key[1], "status": key[2],
            "since": record.get("since"), "until": record.get("until"),
            "note": join_notes(record.get("note"), f"correction {ident}"), "source_id": source,
            "since_source_id": source if record.get("since") is not None else None,
        }
        _check_years(ident, rows[key])
        corrected.add(key)
        return
    row = rows.get(key)
    if row is None:
        raise CorrectionError(f"correction {ident}: matches no membership row {label} (change {change})")
    if change == "remove":
        del rows[key]
        return
    changed = [name for name in ("since", "until") if name in record]
    notes = _drop_origin(row["note"], changed)
    values_changed = bool(changed) or change == "set_status"
    if values_changed and key not in corrected:  # the imported source stays named for the status
        notes = join_notes(notes, f"status from {row['source_id']}")
    if change == "set_status":
        new_key = (key[0], key[1], record["new_status"])
        if new_key in rows:
            raise CorrectionError(f"correction {ident}: membership {key[0]} {key[1]} {new_key[2]} already exists")
        del rows[key]
        row["status"] = record["new_status"]
        rows[new_key] = row
        notes = join_notes(_drop_origin(notes, ["status"]), f"status {key[2]} -> {row['status']} from {source}")
        key = new_key
    for name in changed:
        row[name] = record[name]
    if "since" in changed:
        row["since_source_id"] = source
    origins = [f"{name} from {source}" for name in changed]
    row["note"] = join_notes(notes, record.get("note"), *origins, _marker(ident, source, values_changed))
    if values_changed:  # a note alone does not change where the values come from
        row["source_id"] = source
        corrected.add(key)
    _check_years(ident, row)


def _marker(ident: str, source: str, values_changed: bool) -> str:
    """Names the correction; names its source too when no "<field> from <source>" part does."""
    return f"correction {ident}" if values_changed else f"correction {ident} ({source})"


def _drop_origin(note: str | None, fields: list[str]) -> str | None:
    """The note without the parts that said where the now replaced fields came from."""
    if not note:
        return note
    parts = [part for part in note.split("; ") if not any(part.startswith(f"{name} from ") for name in fields)]
    return "; ".join(parts) or None


def _check_years(ident: str, row: dict[str, Any]) -> None:
    if row["since"] is not None and row["until"] is not None and row["since"] > row["until"]:
        raise CorrectionError(f"correction {ident}: since {row['since']} is after until {row['until']}")
