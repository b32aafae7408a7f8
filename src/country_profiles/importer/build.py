"""Rebuild data/ from the raw sources folder, deterministically.

load: the Factbook snapshots, the code table, COW IGO, the curated records of this repository;
process: apply the records, then keep every row of data/ that a contributor added (a row
citing a source the import does not read, see provenance.py) as it is;
save: every table in canonical form (rows sorted by primary key) and docs/import-report.md.
Same input, byte-identical output.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import csv
import io

from country_profiles import codec, safe_io, tables
from country_profiles.plural import count_of
from country_profiles.importer.factbook import FactbookExtract, extract_factbook
from country_profiles.importer.factbook_merge import INDICATOR_TABLES
from country_profiles.importer.memberships import MembershipsExtract, extract_memberships
from country_profiles.provenance import ImportedSources

HAND_MAINTAINED = ("indicators", "sources")  # read from data/, written back canonically
CURATED_BORDERS = Path("curated/borders.csv")
EXCLUSIONS = Path("curated/exclusions.csv")
CELL_CORRECTIONS = Path("curated/corrections.csv")
MEMBERSHIP_CORRECTIONS = Path("corrections/memberships.json")
IMPORT_REPORT = Path("docs/import-report.md")


class ImportError_(Exception):
    """The import cannot produce a consistent package; the message says what to fix."""


@dataclass
class Conflict:
    """A contributed row and an imported row with the same primary key: the contributed one is kept."""

    table: str
    contributed: str  # "data/demographics.csv:12: KGZ,population,2025,..."
    imported: str  # the row as the import builds it, as a CSV line


@dataclass
class ImportResult:
    tables: dict[str, list[dict[str, Any]]]
    factbook: FactbookExtract
    memberships: MembershipsExtract
    contributed: dict[str, int]  # rows kept from data/ per table
    conflicts: list[Conflict]
    report: str


def run(sources: Path, root: Path, out: Path | None = None) -> ImportResult:
    """Import from `sources` using the curated files under `root`; write to `out` (default root)."""
    out = root if out is None else out
    # load
    for required in ("factbook", "country-codes-gec", "cow-igo-v3"):
        if not (sources / required).is_dir():
            raise ImportError_(f"{sources}: no folder {required!r}; pass the shared sources folder (see SOURCES.md)")
    schemas = tables.schemas_by_resource(root)
    factbook = extract_factbook(sources)
    gec_to_iso3 = {row["gec"]: row["iso3"] for row in factbook.countries}
    memberships = extract_memberships(sources, gec_to_iso3, root / MEMBERSHIP_CORRECTIONS)
    hand = {name: _typed_rows(root, schemas[name][0], schemas[name][1]) for name in HAND_MAINTAINED}
    curated_borders = _typed_rows(root, CURATED_BORDERS, schemas["borders"][1])
    exclusions = _typed_rows(root, EXCLUSIONS, tables.json_file(Path("schemas/exclusions.schema.json"), root))
    cell_corrections = _typed_rows(root, CELL_CORRECTIONS,
                                   tables.json_file(Path("schemas/corrections-cells.schema.json"), root))

    # process
    built: dict[str, list[dict[str, Any]]] = {
        "countries": factbook.countries,
        "borders": factbook.borders,
        "demographics": factbook.demographics,
        "forces": factbook.forces,
        "infrastructure": factbook.infrastructure,
        "ethnic_groups": factbook.ethnic_groups,
        "age_structure": factbook.age_structure,
        "organizations": memberships.organizations,
        "memberships": memberships.memberships,
        **hand,
    }
    built["borders"] = _add_rows(built["borders"], curated_borders, schemas["borders"][1], CURATED_BORDERS)
    excluded = _exclude(built, exclusions, schemas)
    _correct_cells(built, cell_corrections, schemas)
    corrected = [f"{c['table']} `{c['key']}` {c['field']}: {c['old']!r} -> {c['new']!r} ({c['source_id']}): {c['reason']}" for c in cell_corrections]
    missing = set(schemas) - set(built)
    if missing:
        raise ImportError_(f"datapackage.json declares tables the importer does not build: {sorted(missing)}")
    contributed, conflicts = _keep_contributed_rows(built, root, schemas, ImportedSources.of(root))
    _check_references(built)

    # save
    out.mkdir(parents=True, exist_ok=True)
    for name, (path, schema) in schemas.items():
        _write_if_changed(out, path, tables.render_csv(built[name], schema))
    report = render_report(built, factbook, memberships, contributed, conflicts, excluded, corrected)
    _write_if_changed(out, IMPORT_REPORT, report)
    return ImportResult(built, factbook, memberships, contributed, conflicts, report)


def _typed_rows(root: Path, relpath: str | Path, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A curated table's rows as values, read through the package guard and by the codec (as
    validation reads them)."""
    return _parsed_rows(_text_inside(root, relpath), schema, root / relpath)


def _text_inside(root: Path, relpath: str | Path) -> str:
    try:
        return safe_io.read_inside(root, relpath).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{root / relpath}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def _parsed_rows(text: str, schema: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    readers = {f["name"]: codec.field_codec(f, schema) for f in schema["fields"]}
    rows = []
    for line, raw in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        try:
            rows.append({name: reader.read(raw.get(name, "")) for name, reader in readers.items()})
        except codec.CellError as exc:
            raise ImportError_(f"{path}:{line}: {exc}") from None
    return rows


def _key_of(schema: dict[str, Any]):
    fields = schema["primaryKey"] if isinstance(schema["primaryKey"], list) else [schema["primaryKey"]]
    return lambda row: tuple(row[f] for f in fields)


def _add_rows(rows, added, schema, origin: Path) -> list[dict[str, Any]]:
    """Imported rows plus curated ones; a curated row the source now has itself is stale."""
    key = _key_of(schema)
    imported = {key(r) for r in rows}
    stale = [key(r) for r in added if key(r) in imported]
    if stale:
        raise ImportError_(f"{origin}: the sources now give these rows themselves; remove them: {stale}")
    return rows + added


def _exclude(built, exclusions, schemas) -> list[tuple[dict[str, Any], int]]:
    """Drop the rows each exclusion names; an exclusion that matches nothing fails the import."""
    done = []
    for line, record in enumerate(exclusions, start=2):
        if record["table"] not in built:
            raise ImportError_(f"{EXCLUSIONS}:{line}: no table {record['table']!r}")
        key = _key_of(schemas[record["table"]][1])
        wanted = tuple(record["key"].split("|"))
        keep, dropped = [], 0
        for row in built[record["table"]]:
            if tuple(tables.format_cell(v) for v in key(row))[: len(wanted)] == wanted:
                dropped += 1
            else:
                keep.append(row)
        if not dropped:
            raise ImportError_(f"{EXCLUSIONS}:{line}: {record['table']} has no row with key {record['key']!r}; remove the record")
        built[record["table"]] = keep
        done.append((record, dropped))
    return done


def _correct_cells(built, corrections, schemas) -> None:
    """Replace single cells; a record whose old value the source no longer gives fails the import."""
    for line, record in enumerate(corrections, start=2):
        where = f"{CELL_CORRECTIONS}:{line}"
        if record["table"] not in built:
            raise ImportError_(f"{where}: no table {record['table']!r}")
        key = _key_of(schemas[record["table"]][1])
        wanted = tuple(record["key"].split("|"))
        rows = [r for r in built[record["table"]] if tuple(tables.format_cell(v) for v in key(r)) == wanted]
        if not rows:
            raise ImportError_(f"{where}: {record['table']} has no row with key {record['key']!r}; remove the record")
        (row,) = rows
        if record["field"] not in row:
            raise ImportError_(f"{where}: {record['table']} has no column {record['field']!r}")
        current = tables.format_cell(row[record["field"]])
        if current != record["old"]:
            raise ImportError_(
                f"{where}: {record['table']} {record['key']} {record['field']} is now {current!r}, not {record['old']!r}; "
                "update or remove the record"
            )
        schema = schemas[record["table"]][1]
        (field,) = [f for f in schema["fields"] if f["name"] == record["field"]]
        try:
            row[record["field"]] = codec.field_codec(field, schema).read(record["new"])
        except codec.CellError as exc:
            raise ImportError_(f"{where}: {exc}") from None


def _check_references(built: dict[str, list[dict[str, Any]]]) -> None:
    """Fail early on what would make the package inconsistent: unknown sources or indicators."""
    source_ids = {row["id"] for row in built["sources"]}
    cited = Counter(row["source_id"] for rows in built.values() for row in rows if row.get("source_id"))
    unknown = sorted(set(cited) - source_ids)
    if unknown:
        raise ImportError_(f"rows cite sources missing from data/sources.csv: {unknown}")
    indicator_table = {row["id"]: row["table"] for row in built["indicators"]}
    for table in INDICATOR_TABLES:
        bad = sorted({r["indicator"] for r in built[table]} - {i for i, t in indicator_table.items() if t == table})
        if bad:
            raise ImportError_(f"{table}: indicators not defined for this table in data/indicators.csv: {bad}")


def _keep_contributed_rows(built, root: Path, schemas, imported: ImportedSources) -> tuple[dict[str, int], list[Conflict]]:
    """Add to each built table the rows of data/ that cite a source the import does not read.

    Those rows are contributors' edits: the import never rewrites or drops them. A contributed
    row whose primary key the import also builds wins, and the pair is reported as a conflict.
    """
    kept: dict[str, int] = {}
    conflicts: list[Conflict] = []
    for name, (path, schema) in schemas.items():
        if name in HAND_MAINTAINED or "source_id" not in {f["name"] for f in schema["fields"]}:
            continue
        if not (root / path).is_file():
            continue
        key = _key_of(schema)
        text = _text_inside(root, path)  # read once: the rows, and the lines quoted in a conflict
        lines = text.splitlines()
        contributed = {}
        for line, row in enumerate(_parsed_rows(text, schema, root / path), start=2):
            if row["source_id"] not in imported:
                contributed[key(row)] = (line, row)
        if not contributed:
            continue
        fields = [f["name"] for f in schema["fields"]]
        rows = []
        for row in built[name]:
            if key(row) in contributed:
                line, _ = contributed[key(row)]
                text = lines[line - 1] if line <= len(lines) else ""
                imported_line = tables.render_csv([row], schema).splitlines()[1]
                conflicts.append(Conflict(name, f"{path}:{line}: {text}", imported_line))
            else:
                rows.append(row)
        built[name] = rows + [{f: row.get(f) for f in fields} for _, row in contributed.values()]
        kept[name] = len(contributed)
    return kept, conflicts


def _write_if_changed(out: Path, relpath: str | Path, text: str) -> None:
    """Write through the package guard (no link followed), only when the content changes."""
    data = text.encode("utf-8")
    try:
        unchanged = safe_io.read_inside(out, relpath) == data
    except safe_io.MissingFileError:
        unchanged = False
    if not unchanged:
        safe_io.write_inside(out, str(relpath), data)


def render_report(built, factbook: FactbookExtract, memberships: MembershipsExtract, contributed, conflicts, excluded, corrected) -> str:
    lines = ["# Import report", "", "Written by `country-profiles import`; do not edit by hand.", ""]
    lines += ["## Rows per table", "", "| table | rows |", "|---|---:|"]
    lines += [f"| {name} | {len(rows)} |" for name, rows in built.items()]
    lines += ["", "## Contributed rows", ""]
    lines += ["Rows of `data/` that cite a source the import does not read: kept as they are.", ""]
    lines += [f"- {name}: {count_of(count, 'row')}" for name, count in sorted(contributed.items())] or ["(none)"]
    lines += ["", "## Conflicts", ""]
    lines += ["Contributed rows with the primary key of a row the import builds: the contributed row is kept.", ""]
    lines += [f"- {c.contributed}\n  (import: `{c.imported}`)" for c in conflicts] or ["(none)"]
    lines += ["", "## Rows left out", "", "Rows of the sources that `curated/exclusions.csv` leaves out, and why.", ""]
    lines += [f"- {r['table']} `{r['key']}` ({n} rows, {r['source_id']}): {r['reason']}" for r, n in excluded] or ["(none)"]
    lines += ["", "## Cells corrected", "", "Values of the sources that `curated/corrections.csv` replaces, and why.", ""]
    lines += [f"- {c}" for c in corrected] or ["(none)"]
    lines += ["", "## Membership corrections applied", ""]
    lines += [f"- {cid}" for cid in sorted(memberships.corrections_applied)] or ["(none)"]
    lines += ["", "## Values left out, kept once or merged", ""]
    lines += [
        "Values the import did not take as they stand, on purpose: copies of another year's value in the"
        " same entry, combined figures of several territories, geography that counts another territory,"
        " and values that editions give differently for the same year (the newer edition is kept).",
        "",
    ]
    lines += ["Values that several editions give alike are one row citing the newest edition (one that gave"
              " no year: the oldest edition, year of that edition, with a note); repeats merged per table:", ""]
    lines += [f"- {table}: {count}" for table, count in sorted(factbook.merged_identical.items())] or ["- (none)"]
    lines += ["", "| country | source | field | text | decision |", "|---|---|---|---|---|"]
    for d in sorted(factbook.decisions, key=lambda d: (d.country, d.snapshot, d.field, d.reason)):
        short = " ".join(str(d.text).split())
        short = (short[:117] + "...") if len(short) > 120 else short
        cells = [d.country, d.snapshot, d.field, short, d.reason]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    problems = [(p.snapshot, p.country, p.field, p.text, p.reason) for p in factbook.problems]
    problems += [("memberships", c, f, t, r) for c, f, t, r in memberships.problems]
    lines += ["", "## Values the importer could not parse", ""]
    lines += [f"{len(problems)} values were left out because the importer could not read them. None was guessed.", ""]
    lines += ["### Per field", "", "| source | field | values | countries |", "|---|---|---:|---:|"]
    per_field: dict[tuple[str, str], list[str]] = defaultdict(list)
    for snapshot, country, field_, _, _ in problems:
        per_field[(snapshot, field_)].append(country)
    for (snapshot, field_), countries in sorted(per_field.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"| {snapshot} | {field_} | {len(countries)} | {len(set(countries))} |")
    lines += ["", "### Per country", "", "| country | source | field | text | reason |", "|---|---|---|---|---|"]
    for snapshot, country, field_, text, reason in sorted(problems, key=lambda p: (p[1], p[0], p[2], p[3])):
        short = " ".join(str(text).split())
        short = (short[:117] + "...") if len(short) > 120 else short
        cells = [country, snapshot, field_, short, reason]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
