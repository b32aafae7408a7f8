"""`country-profiles diff BASE [HEAD]`: what a change between two git revisions does to the data.

For each table: rows added, removed and changed (matched by primary key, compared as typed
values, so a respelled number is no change), with before and after values. Flags for changes
a reviewer should look at twice: a value that moves from its previous value by more than its
series limit (thresholds.json, or `--factor`), a value out of line with the country's
neighbouring years (judged by validation/outliers.py, the logic of the validation rule
values_are_in_line_with_their_series), a jump of about 1000 or 1000000 (thousands or millions
written for units, or 100 for a percentage), a row removed while other rows still refer to it
(a source still cited). And the validation findings the change introduces, fixes, or leaves as they were:
both revisions are validated by the same rules and findings are matched by rule, table, field
and the primary keys of the rows they blame, which survive line shifts.

HEAD omitted means the working tree, committed or not, so a contributor sees an edit before
committing it; CI passes two commits. Revisions are read with `git archive` into temporary
folders: the working tree, the index and the branches are never touched.

Exit status: 0 a report, and the change introduces no validation error; 1 the change introduces
validation errors (the report lists them); 2 not a git repository or a bad revision.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from country_profiles import safe_io, tables
from country_profiles.diff_render import (  # the renderers stay importable from here too
    DEFAULT_MAX_ROWS,
    FORMATS,
    MAX_ANNOTATIONS,
    cell_text,
    key_text,
    render,
    render_github,
    render_markdown,
    render_text,
    report_json,
)
from country_profiles.plural import count_of
from country_profiles.validation import outliers

EXIT_OK, EXIT_NEW_ERRORS, EXIT_USAGE = 0, 1, 2
DEFAULT_FACTOR = 5.0  # values without a series limit (areas, lengths): an extra or a lost digit is flagged


class DiffError(Exception):
    """The diff cannot run: not a git repository, an unknown revision, git missing."""


# The command


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", metavar="BASE", help="the revision before the change, e.g. main or origin/main")
    parser.add_argument(
        "head", metavar="HEAD", nargs="?",
        help="the revision after the change (default: the working tree, including uncommitted edits)",
    )
    parser.add_argument(
        "-C", "--package", type=Path, default=Path("."), metavar="DIR",
        help="folder of datapackage.json inside the git repository (default: the current folder)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument(
        "--factor", type=float, default=None,
        help="flag a value that moves by more than this factor (default: the limit validation uses for the "
        f"indicator's series, from thresholds.json; {DEFAULT_FACTOR:g} for values that are not indicators)",
    )
    parser.add_argument(
        "--max-rows", type=int, default=DEFAULT_MAX_ROWS,
        help=f"rows listed per table and kind in text and markdown (default: {DEFAULT_MAX_ROWS})",
    )
    parser.add_argument("--no-validate", action="store_true", help="skip validating both revisions")
    parser.add_argument("--output", type=Path, help="write the report to this file instead of standard output")
    parser.add_argument(
        "--summary", type=Path, action="append", default=[], metavar="FILE",
        help="also append the markdown report to FILE, e.g. $GITHUB_STEP_SUMMARY (repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    if args.factor is not None and not args.factor > 1:
        print("country-profiles diff: --factor must be greater than 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        with ExitStack() as stack:
            repo, package_dir = locate_package(args.package)
            base = stack.enter_context(revision_snapshot(repo, package_dir, args.base))
            if args.head is None:
                head = load_snapshot(repo / package_dir, "working tree")
            else:
                head = stack.enter_context(revision_snapshot(repo, package_dir, args.head))
            report = compare(base, head, factor=args.factor, validate=not args.no_validate)
    except DiffError as exc:
        print(f"country-profiles diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text = render(report, args.format, max_rows=args.max_rows)
    try:
        if args.output:
            safe_io.write_inside(*safe_io.output_file(args.output, args.package), text.encode("utf-8"), mode=0o644)
        else:
            sys.stdout.write(text)
        for summary in args.summary:
            with summary.open("a", encoding="utf-8") as handle:
                handle.write(render_markdown(report, args.max_rows))
    except BrokenPipeError:  # stdout's reader went away: the console entry ends quietly
        raise
    except (OSError, safe_io.PackagePathError) as exc:
        print(f"country-profiles diff: cannot write the report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    introduced = [f for f in report.findings.introduced if getattr(f, "severity", None) == "error"]
    if introduced:
        print(f"country-profiles diff: the change introduces {count_of(len(introduced), 'validation error')}",
              file=sys.stderr)
        return EXIT_NEW_ERRORS
    return EXIT_OK


# Git: read a revision without touching the working tree


GIT_SECONDS = 300  # per git call; reading a revision of the real package takes well under a second
MAX_TREE_ENTRIES = 100_000  # files under the package folder in one revision


def _git(repo: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run git to completion: both pipes drained together (communicate), so git can never block
    on a full pipe we are not reading, and stopped after GIT_SECONDS."""
    try:
        return subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, check=False,
                              timeout=GIT_SECONDS)
    except FileNotFoundError:
        raise DiffError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} in {repo} took longer than {GIT_SECONDS} s and was stopped") from None


def locate_package(folder: Path) -> tuple[Path, Path]:
    """(repository top level, package folder relative to it)."""
    if not folder.is_dir():
        raise DiffError(f"{folder}: no such folder")
    result = _git(folder, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise DiffError(f"{folder.resolve()}: not inside a git repository")
    top = Path(result.stdout.decode().strip()).resolve()
    return top, folder.resolve().relative_to(top)


def resolve_revision(repo: Path, revision: str) -> str:
    """The commit a revision names (branch, tag, SHA, HEAD~1 ...); DiffError if none."""
    if revision.startswith("-"):
        raise DiffError(f"{revision!r} is not a revision")
    result = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if result.returncode != 0:
        raise DiffError(f"{revision!r} is not a commit in {repo}")
    return result.stdout.decode().strip()


@contextmanager
def revision_snapshot(repo: Path, package_dir: Path, revision: str) -> Iterator["Snapshot"]:
    """The package as it is at `revision`, extracted to a temporary folder for as long as needed."""
    commit = resolve_revision(repo, revision)
    with tempfile.TemporaryDirectory(prefix="country-profiles-diff-") as tmp:
        skipped = export_revision(repo, commit, package_dir, Path(tmp))
        snapshot = load_snapshot(Path(tmp) / package_dir, f"{revision} ({commit[:10]})" if revision != commit else commit[:10])
        snapshot.problems.extend(skipped)
        yield snapshot


def export_revision(repo: Path, commit: str, package_dir: Path, dest: Path) -> list[str]:
    """Write the regular files under `package_dir` at `commit` into `dest`; the problems met.

    The blobs are read as the tree holds them (git ls-tree and cat-file --batch): unlike git
    archive, no .gitattributes of the tree under test can hide a file (export-ignore) or change
    its bytes (filters). Symlinks and submodules are listed as problems and not written, so
    nothing in the snapshot leads outside it; names are checked by safe_io."""
    pathspec = [] if str(package_dir) == "." else ["--", str(package_dir)]
    listed = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit, *pathspec)
    if listed.returncode != 0:
        raise DiffError(f"git ls-tree {commit[:10]} failed: {listed.stderr.decode(errors='replace').strip()[:500]}")
    blobs: list[tuple[str, str]] = []
    problems: list[str] = []
    for entry in listed.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, oid = meta.decode("ascii", errors="replace").split(" ")
        path = raw_path.decode("utf-8", errors="replace")
        if kind == "blob" and mode in ("100644", "100755"):
            blobs.append((oid, path))
        else:
            what = "a symlink" if mode == "120000" else "a submodule" if kind == "commit" else f"of mode {mode}"
            problems.append(f"{path} is {what} in {commit[:10]}; not read")
    if len(blobs) > MAX_TREE_ENTRIES:
        raise DiffError(f"{commit[:10]} holds {len(blobs):,} files under {package_dir}; more than {MAX_TREE_ENTRIES:,} "
                        "are refused")
    if not blobs:
        return problems  # the package folder did not exist then: an empty snapshot
    contents = _git(repo, "cat-file", "--batch", input="".join(f"{oid}\n" for oid, _ in blobs).encode())
    if contents.returncode != 0:
        raise DiffError(f"cannot read {commit[:10]} from git: {contents.stderr.decode(errors='replace').strip()[:500]}")
    data, position = contents.stdout, 0
    for oid, path in blobs:
        header_end = data.index(b"\n", position)
        size = int(data[position:header_end].split(b" ")[2])
        start = header_end + 1
        try:
            safe_io.write_inside(dest, path, data[start:start + size], mode=0o644)
        except safe_io.PackagePathError as exc:
            problems.append(f"{path!r} in {commit[:10]}: not read: {exc.reason}")
        position = start + size + 1
    return problems


# A revision's tables, keyed by primary key


@dataclass
class TableState:
    name: str
    path: str
    schema: dict[str, Any]
    rows: dict[tuple, dict[str, Any]] = field(default_factory=dict)
    lines: dict[tuple, int] = field(default_factory=dict)  # key -> line the row starts on
    keys_by_line: dict[int, tuple] = field(default_factory=dict)
    problems: list[tables.TableProblem] = field(default_factory=list)

    @property
    def key_fields(self) -> list[str]:
        return primary_key(self.schema)

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]


@dataclass
class Snapshot:
    label: str
    root: Path
    tables: dict[str, TableState] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def primary_key(schema: dict[str, Any]) -> list[str]:
    key = schema.get("primaryKey") or [f["name"] for f in schema["fields"]]
    return [key] if isinstance(key, str) else list(key)


def load_snapshot(root: Path, label: str) -> Snapshot:
    """Every table of the package at `root`; what cannot be read is noted, never fatal."""
    snapshot = Snapshot(label, root)
    if not (root / "datapackage.json").is_file():
        snapshot.problems.append("no datapackage.json")
        return snapshot
    try:
        resources = tables.schemas_by_resource(root)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        snapshot.problems.append(f"cannot read datapackage.json or a schema: {exc}")
        return snapshot
    for name, (path, schema) in resources.items():
        snapshot.tables[name] = load_table(root, name, path, schema)
    return snapshot


def load_table(root: Path, name: str, path: str, schema: dict[str, Any]) -> TableState:
    state = TableState(name, path, schema)
    try:
        data = safe_io.read_inside(root, path)
    except safe_io.MissingFileError:
        return state
    except safe_io.PackagePathError as exc:
        state.problems = [tables.TableProblem(1, f"not read: it {exc.reason}")]
        return state
    text, problems = tables.decode_table(data)
    del data
    parsed = tables.parse_table(text, schema) if not problems else tables.ParsedTable(header=[])
    state.problems = problems + parsed.problems
    key_fields = state.key_fields
    seen: Counter = Counter()
    for row, line in zip(parsed.rows, parsed.lines):
        key = tuple(_hashable(row.get(f)) for f in key_fields)
        seen[key] += 1
        if seen[key] > 1:  # a duplicated key: keep every row, numbered
            key = (*key, f"#{seen[key]}")
        state.rows[key] = row
        state.lines[key] = line
        state.keys_by_line[line] = key  # validation blames the physical line a row starts on
    return state


def _hashable(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, Decimal, bool)) else str(value)


# Comparing two revisions


@dataclass
class RowChange:
    key: tuple
    line: int | None  # in HEAD, or in BASE for a removed row
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: list[str]  # changed fields (all non-empty ones for added and removed rows)


@dataclass
class TableDiff:
    name: str
    path: str
    key_fields: list[str]
    added: list[RowChange] = field(default_factory=list)
    removed: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    status: str = "changed"  # "added", "removed" or "changed" (the table itself)

    @property
    def touched(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.columns_added or self.columns_removed)


@dataclass(frozen=True)
class Flag:
    kind: str  # unit_slip, large_change, far_from_neighbouring_years, removed_but_referenced, value_without_its_source
    table: str
    path: str
    key: tuple
    field: str | None
    line: int | None
    message: str


@dataclass
class FindingsDiff:
    introduced: list[Any] = field(default_factory=list)  # Findings of HEAD
    fixed: list[Any] = field(default_factory=list)  # Findings of BASE
    unchanged: list[Any] = field(default_factory=list)  # Findings of HEAD
    note: str = ""  # why findings were not compared, when they were not


@dataclass
class DiffReport:
    base: str
    head: str
    factor: float | None  # None: each series' own limit (thresholds.json)
    tables: list[TableDiff]
    flags: list[Flag]
    findings: FindingsDiff
    notes: list[str] = field(default_factory=list)


def compare(base: Snapshot, head: Snapshot, factor: float | None = None, validate: bool = True) -> DiffReport:
    notes = [f"{s.label}: {p}" for s in (base, head) for p in s.problems]
    for snapshot in (base, head):
        for state in snapshot.tables.values():
            if state.problems:
                first = state.problems[0]
                notes.append(
                    f"{snapshot.label}: {state.path}: {count_of(len(state.problems), 'problem')} reading it "
                    f"(first at line {first.line}: {first.message}); unreadable cells are compared as text"
                )
    names = list(head.tables) + [n for n in base.tables if n not in head.tables]
    diffs = [diff_table(base.tables.get(n), head.tables.get(n)) for n in names]
    flags = value_flags(diffs, head, factor) + reference_flags(diffs, base, head) + source_flags(diffs, head)
    findings = compare_findings(base, head) if validate else FindingsDiff(note="not compared (--no-validate)")
    return DiffReport(base.label, head.label, factor, diffs, _most_specific(flags), findings, notes)


def diff_table(before: TableState | None, after: TableState | None) -> TableDiff:
    """Rows added, removed and changed between two states of one table, by primary key."""
    some = after or before
    assert some is not None
    result = TableDiff(some.name, some.path, some.key_fields)
    if before is None:
        result.status = "added"
    elif after is None:
        result.status = "removed"
    old_rows = before.rows if before else {}
    new_rows = after.rows if after else {}
    old_fields = before.field_names if before else []
    new_fields = after.field_names if after else []
    if before and after:
        result.columns_added = [f for f in new_fields if f not in old_fields]
        result.columns_removed = [f for f in old_fields if f not in new_fields]
    compared = [f for f in new_fields if f in old_fields] if before and after else []
    for key, row in new_rows.items():
        if key not in old_rows:
            result.added.append(RowChange(key, after.lines[key], None, row, _filled(row, new_fields, after)))
            continue
        old = old_rows[key]
        changed = [f for f in compared if not _same(old.get(f), row.get(f))]
        if changed:
            result.changed.append(RowChange(key, after.lines[key], old, row, changed))
        else:
            result.unchanged += 1
    for key, row in old_rows.items():
        if key not in new_rows:
            result.removed.append(RowChange(key, before.lines[key], row, None, _filled(row, old_fields, before)))
    return result


def _filled(row: dict[str, Any], fields: list[str], state: TableState) -> list[str]:
    """The non-empty cells of a row beside its key (the key is shown on its own)."""
    keys = set(state.key_fields)
    return [f for f in fields if f not in keys and row.get(f) is not None]


def _same(a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return a == b


# Flags: changes a reviewer should look at twice


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    number = float(value)
    return number if math.isfinite(number) and number != 0 else None


def ratio(a: Any, b: Any) -> float | None:
    """How many times larger the larger magnitude is; None when either is missing or zero."""
    x, y = _number(a), _number(b)
    return None if x is None or y is None else outliers.ratio(x, y)


def _measure_fields(state: TableState) -> list[str]:
    keys = set(state.key_fields)
    return [f["name"] for f in state.schema["fields"] if f.get("type") in ("number", "integer") and f["name"] not in keys]


class _Series:
    """What the series judgement needs of HEAD: each indicator's unit and limit, and the scale
    its values usually have (the same inputs validation gives outliers.py)."""

    def __init__(self, head: Snapshot, factor: float | None) -> None:
        self.settings = outliers.load_settings()
        self.factor = factor
        indicators = head.tables.get("indicators")
        self.units = {row.get("id"): row.get("unit") for row in indicators.rows.values()} if indicators else {}
        countries = head.tables.get("countries")
        self.land = {}
        if countries:
            self.land = {row.get("iso3"): float(row["land_area_km2"]) for row in countries.rows.values()
                         if _number(row.get("land_area_km2")) is not None}
        self.values: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for state in head.tables.values():
            if {"country", "indicator", "value"} <= set(state.field_names):
                for row in state.rows.values():
                    if _number(row.get("value")) is not None:
                        self.values[row.get("indicator")].append((row.get("country"), float(row["value"])))
        self.people = outliers.median_by_country(self.values.get(outliers.POPULATION, []))
        self._scales: dict[str, Any] = {}

    def unit(self, indicator: Any) -> str | None:
        return self.units.get(indicator)

    def limit(self, indicator: Any) -> float:
        if self.factor is not None:
            return self.factor
        found = self.settings.limit(indicator, self.unit(indicator)) if indicator is not None else None
        return found if found is not None else DEFAULT_FACTOR

    def scale(self, indicator: Any):  # type: ignore[no-untyped-def]
        if indicator not in self._scales:
            self._scales[indicator] = outliers.expected_scale(
                indicator, self.unit(indicator), self.values.get(indicator, []), self.land, self.people)
        return self._scales[indicator]


def value_flags(diffs: list[TableDiff], head: Snapshot, factor: float | None) -> list[Flag]:
    flags: list[Flag] = []
    judge = _Series(head, factor)
    for diff in diffs:
        state = head.tables.get(diff.name)
        if state is None:
            continue
        measures = _measure_fields(state)
        series = _series_index(state) if "year" in diff.key_fields else None
        for change in diff.changed:
            for name in (f for f in change.fields if f in measures):
                flag = _previous_value_flag(diff, change, name, judge)
                if flag:
                    flags.append(flag)
        if series is None:
            continue
        for change in diff.added + diff.changed:
            for name in (f for f in change.fields if f in measures):
                flag = _neighbour_flag(diff, state, series, change, name, judge)
                if flag:
                    flags.append(flag)
    return flags


def _previous_value_flag(diff: TableDiff, change: RowChange, name: str, judge: _Series) -> Flag | None:
    before, after = change.before[name], change.after[name]
    r = ratio(before, after)
    if r is None:
        return None
    indicator = change.after.get("indicator")
    unit, limit = judge.unit(indicator), judge.limit(indicator)
    shown = f"{name} {cell_text(before)} → {cell_text(after)}"
    named = outliers.slip(float(after), float(before), unit)
    if outliers.is_unit_slip(float(after), float(before), unit):
        return Flag("unit_slip", diff.name, diff.path, change.key, name, change.line,
                    f"{shown}: {_times(before, after)}; {named}")
    if r > limit:
        return Flag("large_change", diff.name, diff.path, change.key, name, change.line,
                    f"{shown}: {_times(before, after)}, more than the limit {limit:g}" + (f"; {named}" if named else ""))
    return None


def _times(before: Any, after: Any) -> str:
    r = ratio(before, after)
    grew = abs(float(after)) > abs(float(before))
    return f"{'×' if grew else '÷'}{r:,.0f}" if r >= 10 else f"{'×' if grew else '÷'}{r:.2g}"


def _series_index(state: TableState) -> dict[tuple, list[tuple[int, dict[str, Any]]]]:
    """Rows of one series (same key but the year), sorted by year."""
    key_fields = state.key_fields
    year_at = key_fields.index("year")
    index: dict[tuple, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for key, row in state.rows.items():
        year = row.get("year")
        if isinstance(year, int) and len(key) == len(key_fields):
            index[key[:year_at] + key[year_at + 1:]].append((year, row))
    for rows in index.values():
        rows.sort(key=lambda pair: pair[0])
    return index


def _neighbour_flag(diff, state, series, change: RowChange, name: str, judge: _Series) -> Flag | None:
    """Flag a new or changed value that is out of line with the rest of its series, as
    validation's values_are_in_line_with_their_series judges it (outliers.out_of_line)."""
    year_at = diff.key_fields.index("year")
    key = change.key
    if len(key) != len(diff.key_fields) or not isinstance(key[year_at], int):
        return None
    rows = series.get(key[:year_at] + key[year_at + 1:], [])
    indicator = change.after.get("indicator")
    points = [outliers.Point(y, float(r[name]), y) for y, r in rows if _number(r.get(name)) is not None]
    scale = judge.scale(indicator) if indicator is not None else None
    country = change.after.get("country")
    plausibility = (lambda p: scale(country, p.value)) if scale else None
    found = [o for o in outliers.out_of_line(points, judge.limit(indicator), judge.settings.window, plausibility,
                                          judge.settings.margin)
             if o.point.year == key[year_at]]
    if not found:
        return None
    outlier = found[0]
    unit = judge.unit(indicator)
    def where(point: outliers.Point) -> str:
        line = state.lines.get(key[:year_at] + (point.year,) + key[year_at + 1:])
        return f"line {line}" if line is not None else "HEAD"

    text = outliers.describe(outlier, where, unit, _plain_number)
    nearest = outlier.neighbours[0].value
    kind = "unit_slip" if outliers.is_unit_slip(outlier.point.value, nearest, unit) else "far_from_neighbouring_years"
    return Flag(kind, diff.name, diff.path, key, name, change.line, f"{name} in {key[year_at]}: {text}")


def _plain_number(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"


def reference_flags(diffs: list[TableDiff], base: Snapshot, head: Snapshot) -> list[Flag]:
    """A removed row that rows of HEAD still refer to (a source still cited, an indicator still used).

    The flag sits on the first referring row, a line that exists in HEAD.
    """
    removed = {d.name: d.removed for d in diffs if d.removed and d.name in base.tables}
    references: dict[tuple[str, tuple], list[tuple[TableState, list[str], list[int]]]] = defaultdict(list)
    for referring in head.tables.values():
        for foreign_key in referring.schema.get("foreignKeys", []):
            target = foreign_key.get("reference", {}).get("resource") or referring.name
            if target not in removed:
                continue
            own, their = _as_list(foreign_key["fields"]), _as_list(foreign_key["reference"]["fields"])
            citing: dict[tuple, list[int]] = defaultdict(list)
            for key, row in referring.rows.items():
                citing[tuple(row.get(f) for f in own)].append(referring.lines[key])
            for change in removed[target]:
                lines = sorted(citing.get(tuple(change.before.get(f) for f in their), []))
                if lines:
                    references[(target, change.key)].append((referring, own, lines))
    flags = []
    for (target, key), users in references.items():
        path = base.tables[target].path
        where = "; ".join(
            f"{len(lines)} rows of {state.path} by {','.join(own)} (lines "
            + ", ".join(map(str, lines[:5])) + (" ..." if len(lines) > 5 else "") + ")"
            for state, own, lines in users
        )
        first_state, _, first_lines = users[0]
        flags.append(Flag(
            "removed_but_referenced", target, first_state.path, key, None, first_lines[0],
            f"{key_text(key)} was removed from {path} but rows still refer to it: {where}",
        ))
    return flags


def _as_list(fields: str | list[str]) -> list[str]:
    return [fields] if isinstance(fields, str) else list(fields)


FLAG_ORDER = ("removed_but_referenced", "unit_slip", "large_change", "far_from_neighbouring_years",
              "value_without_its_source")
UNSOURCED_FIELDS = ("note", "source_id")  # changing these alone needs no new source


def source_flags(diffs: list[TableDiff], head: Snapshot) -> list[Flag]:
    """A changed value that still cites a source the import reads: the next import puts the
    source's value back, and the row claims a source that does not say so."""
    from country_profiles.provenance import ImportedSources

    imported = ImportedSources.of(head.root)
    flags = []
    for diff in diffs:
        for change in diff.changed:
            source = change.after.get("source_id")
            values = [f for f in change.fields if f not in UNSOURCED_FIELDS]
            if values and source in imported and change.before.get("source_id") == source:
                flags.append(Flag(
                    "value_without_its_source", diff.name, diff.path, change.key, "source_id", change.line,
                    f"{', '.join(values)} changed but the row still cites {source}, whose rows the import "
                    "rebuilds: cite where the new value comes from (a row of data/sources.csv)",
                ))
    return flags


def _most_specific(flags: list[Flag]) -> list[Flag]:
    """One flag per table, row and field: the most specific kind."""
    best: dict[tuple, Flag] = {}
    for flag in flags:
        slot = (flag.table, flag.key, flag.field, flag.kind == "removed_but_referenced")
        if slot not in best or FLAG_ORDER.index(flag.kind) < FLAG_ORDER.index(best[slot].kind):
            best[slot] = flag
    return sorted(best.values(), key=lambda f: (FLAG_ORDER.index(f.kind), f.table, f.line or 0))


# Validation findings: introduced, fixed, unchanged


def compare_findings(base: Snapshot, head: Snapshot) -> FindingsDiff:
    try:
        from country_profiles.validation import validate
    except ImportError:
        return FindingsDiff(note="not compared: this installation has no validation yet")
    found = {}
    for side, snapshot in (("base", base), ("head", head)):
        if not (snapshot.root / "datapackage.json").is_file():
            found[side] = []
            continue
        try:
            found[side] = list(validate(snapshot.root).findings)
        except Exception as exc:  # a revision validation cannot load: say so, keep the row diff
            return FindingsDiff(note=f"not compared: validating {snapshot.label} failed: {type(exc).__name__}: {exc}")
    return match_findings(found["base"], base, found["head"], head)


def finding_identity(finding: Any, snapshot: Snapshot) -> tuple:
    """What a finding is about, independent of line numbers: rule, table, field and blamed rows."""
    state = snapshot.tables.get(finding.resource or "")
    lines = tuple(finding.lines) or ((finding.line,) if finding.line else ())
    if state is not None and lines:
        blamed = tuple(sorted({repr(state.keys_by_line.get(line, ("line", line))) for line in lines}))
        return (finding.rule, finding.resource, finding.field, blamed)
    return (finding.rule, finding.resource, finding.field, repr(finding.value), finding.message if not lines else "")


def match_findings(base_findings: list, base: Snapshot, head_findings: list, head: Snapshot) -> FindingsDiff:
    remaining = Counter(finding_identity(f, base) for f in base_findings)
    result = FindingsDiff()
    for finding in head_findings:
        identity = finding_identity(finding, head)
        if remaining[identity] > 0:
            remaining[identity] -= 1
            result.unchanged.append(finding)
        else:
            result.introduced.append(finding)
    for finding in base_findings:
        identity = finding_identity(finding, base)
        if remaining[identity] > 0:
            remaining[identity] -= 1
            result.fixed.append(finding)
    return result
