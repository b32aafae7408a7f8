"""`country-profiles diff` on real temporary git repositories built from a small hand-written package."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from country_profiles import cli, diff, tables
from country_profiles.paths import REPO_ROOT
from country_profiles.validation.findings import Finding

FIXTURE = Path(__file__).parent / "fixtures/contrib/package"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
         "-C", str(repo), *args],
        capture_output=True, text=True, check=True,
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit is the fixture package under the project's real schemas."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO_ROOT / "datapackage.json", root)
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    write_fixture_tables(root)
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    return root


def write_fixture_tables(root: Path) -> None:
    """The fixture's rows under the project's current schemas, in canonical form (a column the
    schemas gained since the fixture was written stays empty)."""
    (root / "data").mkdir()
    for name, (path, schema) in tables.schemas_by_resource(root).items():
        fields = {f["name"] for f in schema["fields"]}
        text = (FIXTURE / path).read_text(encoding="utf-8")
        parsed = tables.parse_table(text, {**schema, "fields": [{"name": n} for n in text.split("\n", 1)[0].split(",")]})
        rows = [{k: v for k, v in row.items() if k in fields} for row in parsed.rows]
        typed = tables.parse_table(tables.render_csv(rows, schema), schema)
        assert not typed.problems, (path, typed.problems)
        (root / path).write_text(tables.render_csv(typed.rows, schema), encoding="utf-8")


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def edit(root: Path, table: str, old: str | None, new: str | None) -> None:
    """Replace the line `old` by `new` (None: append `new`, or delete `old`)."""
    path = root / "data" / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    if old is None:
        lines.append(new)
    else:
        index = lines.index(old)
        lines[index:index + 1] = [] if new is None else [new]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_diff(root: Path, *args: str, validate: bool = False) -> diff.DiffReport:
    """The report as the command computes it (a real run of the revisions through git)."""
    repo, package_dir = diff.locate_package(root)
    base_rev, *head_rev = args
    with diff.revision_snapshot(repo, package_dir, base_rev) as base:
        if head_rev:
            with diff.revision_snapshot(repo, package_dir, head_rev[0]) as head:
                return diff.compare(base, head, validate=validate)
        return diff.compare(base, diff.load_snapshot(root, "working tree"), validate=validate)


def table(report: diff.DiffReport, name: str) -> diff.TableDiff:
    return next(t for t in report.tables if t.name == name)


def counts(report: diff.DiffReport) -> dict[str, tuple[int, int, int]]:
    return {t.name: (len(t.added), len(t.removed), len(t.changed)) for t in report.tables if t.touched}


def flag_kinds(report: diff.DiffReport, ignore: tuple[str, ...] = ("value_without_its_source",)) -> list[tuple[str, str, tuple]]:
    """The flags' kinds, tables and keys; the fixture's edits keep their Factbook source, whose
    flag has tests of its own (test_a_changed_value_that_keeps_its_imported_source_is_flagged)."""
    return sorted((f.kind, f.table, f.key) for f in report.flags if f.kind not in ignore)


# Rows added, removed and changed


def test_rows_added_removed_and_changed_are_counted_by_primary_key(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, "forces", None, "KGZ,tanks,2024,150,,,factbook-2024-02-15")
    edit(repo, "demographics", "KGZ,population,2016,5727553,,,factbook-2024-02-15", None)
    edit(repo, "ethnic_groups", "KGZ,2024,Uzbek,14.8,,,factbook-2024-02-15", "KGZ,2024,Uzbek,14.9,,,factbook-2024-02-15")
    head = commit(repo, "add, remove, change")

    report = run_diff(repo, base, head)

    assert counts(report) == {"forces": (1, 0, 0), "demographics": (0, 1, 0), "ethnic_groups": (0, 0, 1)}
    added = table(report, "forces").added[0]
    assert added.key == ("KGZ", "tanks", 2024) and added.line == 3 and str(added.after["value"]) == "150"
    removed = table(report, "demographics").removed[0]
    assert removed.key == ("KGZ", "population", 2016) and removed.line == 4 and removed.after is None
    changed = table(report, "ethnic_groups").changed[0]
    assert changed.fields == ["percent"]
    assert (str(changed.before["percent"]), str(changed.after["percent"])) == ("14.8", "14.9")
    assert table(report, "demographics").unchanged == 5
    assert flag_kinds(report) == []


def test_layout_only_edits_are_no_change(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    path = repo / "data/infrastructure.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    respelled = [row.replace(",28,", ",28.0,") for row in reversed(rows)]
    path.write_text("\r\n".join([header, *respelled]) + "\r\n", encoding="utf-8")
    head = commit(repo, "respell and reorder")
    assert counts(run_diff(repo, base, head)) == {}


def test_head_defaults_to_the_working_tree_which_is_left_untouched(repo):
    edit(repo, "forces", "KGZ,active_personnel,2024,10900,,,factbook-2024-02-15",
         "KGZ,active_personnel,2024,10800,,,factbook-2024-02-15")
    (repo / "data/notes.txt").write_text("untracked\n", encoding="utf-8")
    status_before = git(repo, "status", "--porcelain")
    forces_before = (repo / "data/forces.csv").read_bytes()

    report = run_diff(repo, "HEAD")

    assert report.head == "working tree"
    assert counts(report) == {"forces": (0, 0, 1)}
    assert git(repo, "status", "--porcelain") == status_before
    assert (repo / "data/forces.csv").read_bytes() == forces_before
    assert git(repo, "worktree", "list").count("\n") == 1


def test_a_table_new_in_head_is_all_added(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    package = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"].append({"name": "extra", "path": "data/extra.csv", "schema": "schemas/sources.schema.json"})
    (repo / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    shutil.copy(repo / "data/sources.csv", repo / "data/extra.csv")
    head = commit(repo, "new table")
    report = run_diff(repo, base, head)
    assert counts(report) == {"extra": (3, 0, 0)}
    assert table(report, "extra").status == "added"


# Flags


POPULATION_2024 = "KGZ,population,2024,6172101,,,factbook-2024-02-15"


@pytest.mark.parametrize(
    ("new_value", "kind"),
    [
        pytest.param("6172", "unit_slip", id="thousands-for-persons"),
        pytest.param("6172101000", "unit_slip", id="persons-for-thousands"),
        pytest.param("6", "unit_slip", id="millions"),
        pytest.param("61721010", "large_change", id="extra-digit"),
        pytest.param("617210", "large_change", id="lost-digit"),
        pytest.param("6272101", None, id="plausible-revision"),
    ],
)
def test_a_value_far_from_its_previous_value_is_flagged(repo, new_value, kind):
    edit(repo, "demographics", POPULATION_2024, POPULATION_2024.replace("6172101", new_value))
    report = run_diff(repo, "HEAD")
    expected = [(kind, "demographics", ("KGZ", "population", 2024))] if kind else []
    assert flag_kinds(report) == expected
    if kind:
        assert report.flags[0].line == 5 and report.flags[0].path == "data/demographics.csv"


def test_the_factor_is_configurable(repo):
    edit(repo, "demographics", POPULATION_2024, POPULATION_2024.replace("6172101", "30000000"))
    repository, package_dir = diff.locate_package(repo)
    with diff.revision_snapshot(repository, package_dir, "HEAD") as base:
        head = diff.load_snapshot(repo, "working tree")
        assert [k for k, *_ in flag_kinds(diff.compare(base, head, factor=4, validate=False))] == ["large_change"]
        assert flag_kinds(diff.compare(base, head, factor=6, validate=False)) == []


def test_a_new_value_far_from_the_neighbouring_years_is_flagged(repo):
    edit(repo, "demographics", None, "KGZ,population,2020,59000000,,,factbook-2024-02-15")
    edit(repo, "demographics", None, "KAZ,population,2016,19000000,,,factbook-2024-02-15")
    report = run_diff(repo, "HEAD")
    assert flag_kinds(report) == [("far_from_neighbouring_years", "demographics", ("KGZ", "population", 2020))]
    assert "59000000 is 9.56× the 2024 value 6172101 (line 5) and 10.3× the 2016 value 5727553 (line 4)" in report.flags[0].message


def test_a_new_value_in_thousands_beside_its_neighbours_is_a_unit_slip(repo):
    edit(repo, "demographics", None, "KGZ,population,2020,5950,,,factbook-2024-02-15")
    assert flag_kinds(run_diff(repo, "HEAD")) == [("unit_slip", "demographics", ("KGZ", "population", 2020))]


def test_a_changed_value_that_keeps_its_imported_source_is_flagged(repo):
    edit(repo, "demographics", POPULATION_2024, POPULATION_2024.replace("6172101", "6272101"))
    report = run_diff(repo, "HEAD")
    assert flag_kinds(report, ignore=()) == [("value_without_its_source", "demographics", ("KGZ", "population", 2024))]
    assert "cite where the new value comes from" in report.flags[0].message
    assert "still cites factbook-2024-02-15" in report.flags[0].message


@pytest.mark.parametrize(
    "new_line",
    [
        pytest.param("KGZ,population,2024,6272101,,,nsc-kgz", id="value-and-source-changed"),
        pytest.param("KGZ,population,2024,6172101,,estimate of 1 July,factbook-2024-02-15", id="note-only"),
    ],
)
def test_a_value_citing_its_new_source_or_a_note_alone_is_not_flagged(repo, new_line):
    edit(repo, "sources", None, "nsc-kgz,Population of Kyrgyzstan,National Statistical Committee,,2026-01-20,2026-02-01,,")
    edit(repo, "demographics", POPULATION_2024, new_line)
    assert flag_kinds(run_diff(repo, "HEAD"), ignore=()) == []


def test_a_source_removed_while_still_cited_is_flagged(repo):
    edit(repo, "sources", next(l for l in (repo / "data/sources.csv").read_text().splitlines() if l.startswith("cow-igo-v3")), None)
    report = run_diff(repo, "HEAD")
    assert flag_kinds(report) == [("removed_but_referenced", "sources", ("cow-igo-v3",))]
    message = report.flags[0].message
    assert "2 rows of data/organizations.csv" in message and "4 rows of data/memberships.csv" in message


def test_a_source_removed_with_every_row_citing_it_is_not_flagged(repo):
    sources = (repo / "data/sources.csv").read_text(encoding="utf-8").splitlines()
    edit(repo, "sources", next(l for l in sources if l.startswith("factbook-2025-04-17")), None)
    edit(repo, "demographics", "KGZ,population,2025,6230000,,,factbook-2025-04-17", None)
    for name in ("countries", "borders"):
        path = repo / f"data/{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("factbook-2025-04-17", "factbook-2024-02-15"), encoding="utf-8")
    report = run_diff(repo, "HEAD")
    assert table(report, "sources").removed and report.flags == []


# Validation findings: introduced, fixed, unchanged


def finding(rule: str, resource: str, lines: tuple[int, ...], field: str | None = "percent", value=None) -> Finding:
    return Finding(rule, "error", f"{rule} at {lines}", resource, f"data/{resource}.csv",
                   lines[0] if lines else None, lines, field, value)


def test_findings_are_matched_by_blamed_rows_not_by_line(repo):
    """A row inserted above shifts every line; the finding on the same rows is still 'unchanged'."""
    repository, package_dir = diff.locate_package(repo)
    edit(repo, "age_structure", "KGZ,2024,0-14,30.2,,factbook-2024-02-15", "KGZ,2024,0-14,31.2,,factbook-2024-02-15")
    path = repo / "data/age_structure.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    extra = ["KAZ,2024,0-14,29.0,,factbook-2024-02-15", "KAZ,2024,15-64,63.0,,factbook-2024-02-15",
             "KAZ,2024,65+,8.0,,factbook-2024-02-15"]
    path.write_text("\n".join([header, *extra, *rows]) + "\n", encoding="utf-8")
    with diff.revision_snapshot(repository, package_dir, "HEAD") as base:
        head = diff.load_snapshot(repo, "working tree")
        before = [finding("bands_sum_to_100", "age_structure", (2, 3, 4)), finding("gone", "ethnic_groups", (2,))]
        after = [finding("bands_sum_to_100", "age_structure", (5, 6, 7)), finding("new", "age_structure", (2,)),
                 finding("table_level", "sources", (), field=None, value="x")]
        result = diff.match_findings(before, base, after, head)
    assert [f.rule for f in result.unchanged] == ["bands_sum_to_100"]
    assert sorted(f.rule for f in result.introduced) == ["new", "table_level"]
    assert [f.rule for f in result.fixed] == ["gone"]


def test_a_finding_on_another_row_of_the_same_rule_is_new(repo):
    repository, package_dir = diff.locate_package(repo)
    with diff.revision_snapshot(repository, package_dir, "HEAD") as base:
        head = diff.load_snapshot(repo, "working tree")
        result = diff.match_findings(
            [finding("r", "demographics", (2,))], base, [finding("r", "demographics", (3,))], head
        )
    assert (len(result.introduced), len(result.fixed), len(result.unchanged)) == (1, 1, 0)




@pytest.mark.slow
def test_the_fixture_package_is_valid(repo):
    from country_profiles.validation import validate

    errors = [f for f in validate(repo).findings if f.severity == "error"]
    assert errors == []


@pytest.mark.slow
def test_validation_findings_introduced_and_fixed_by_commits(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, "age_structure", "KGZ,2024,0-14,30.2,,factbook-2024-02-15", "KGZ,2024,0-14,40.2,,factbook-2024-02-15")
    broken = commit(repo, "age bands no longer add up")
    edit(repo, "age_structure", "KGZ,2024,0-14,40.2,,factbook-2024-02-15", "KGZ,2024,0-14,30.2,,factbook-2024-02-15")
    fixed = commit(repo, "fix the band")

    introduced = run_diff(repo, base, broken, validate=True).findings
    assert introduced.note == ""
    assert [f.resource for f in introduced.introduced if f.severity == "error"] == ["age_structure"]
    assert introduced.fixed == []

    repaired = run_diff(repo, broken, fixed, validate=True).findings
    assert [f.rule for f in repaired.fixed] == [f.rule for f in introduced.introduced]
    assert repaired.introduced == []


# The command: formats, sizes, exit codes


def test_command_reports_in_each_format(repo, capsys):
    edit(repo, "demographics", POPULATION_2024, POPULATION_2024.replace("6172101", "6172"))
    assert cli.main(["diff", "HEAD", "-C", str(repo), "--no-validate"]) == 0
    text = capsys.readouterr().out
    assert "demographics (data/demographics.csv): 0 added, 0 removed, 1 changed" in text
    assert "KGZ/population/2024 (line 5): value 6172101 → 6172" in text
    assert "unit_slip" in text

    assert cli.main(["diff", "HEAD", "-C", str(repo), "--no-validate", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [demographics] = data["tables"]
    assert demographics["counts"] == {"added": 0, "removed": 0, "changed": 1, "unchanged": 5}
    assert demographics["changed"][0]["before"]["value"] == "6172101"
    assert demographics["changed"][0]["after"]["value"] == "6172"
    assert data["flags"][0]["kind"] == "unit_slip"

    assert cli.main(["diff", "HEAD", "-C", str(repo), "--no-validate", "--format", "github"]) == 0
    assert capsys.readouterr().out.startswith("::warning file=data/demographics.csv,line=5,title=look twice%3A unit_slip::")

    out = repo.parent / "diff.md"
    assert cli.main(["diff", "HEAD", "-C", str(repo), "--no-validate", "--format", "markdown", "--output", str(out)]) == 0
    assert "| `data/demographics.csv` | 0 | 0 | 1 | 5 |" in out.read_text(encoding="utf-8")


def test_summary_files_get_the_markdown_appended(repo, capsys):
    edit(repo, "demographics", POPULATION_2024, POPULATION_2024.replace("6172101", "6172"))
    summary = repo.parent / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    args = ["diff", "HEAD", "-C", str(repo), "--no-validate", "--format", "github", "--summary", str(summary)]
    assert cli.main(args) == 0
    assert cli.main(args) == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## Data diff") and text.count("## Data diff") == 2
    assert capsys.readouterr().out.startswith("::warning ")


def test_markdown_of_a_large_change_fits_a_comment_and_annotations_are_capped(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    path = repo / "data/demographics.csv"
    text = path.read_text(encoding="utf-8")
    long_note = "a note long enough to fill a comment " * 4
    rows = [
        f"{country},labor_force,{year},{1000 + (year % 7) * 100000},,{long_note},factbook-2024-02-15"
        for country in ("KAZ", "KGZ", "TJK") for year in range(1800, 2024)
    ]
    rows += [f"KAZ,population,{year},{(1 + year % 2) * 1000 * 19543},,,factbook-2024-02-15" for year in range(1900, 2024)]
    path.write_text(text + "\n".join(rows) + "\n", encoding="utf-8")
    for line in (repo / "data/demographics.csv").read_text(encoding="utf-8").splitlines()[1:5]:
        edit(repo, "demographics", line, None)
    head = commit(repo, "many rows")
    report = run_diff(repo, base, head)
    markdown = diff.render_markdown(report, max_rows=10_000)
    assert len(markdown) < 65_536
    assert "Cut to fit a comment" in markdown
    assert markdown.count("<details>") == markdown.count("</details>")
    annotations = diff.render_github(report).splitlines()
    assert len([a for a in annotations if a.startswith("::warning")]) == diff.MAX_ANNOTATIONS
    assert annotations[-1].startswith("::notice::")


@pytest.mark.parametrize(
    ("args", "match"),
    [
        pytest.param(["no-such-branch"], "'no-such-branch' is not a commit", id="bad-base"),
        pytest.param(["HEAD", "deadbeef"], "'deadbeef' is not a commit", id="bad-head"),
        pytest.param(["--", "--output=x"], "is not a revision", id="option-as-revision"),
    ],
)
def test_bad_revisions_exit_2_with_a_message(repo, capsys, args, match):
    assert cli.main(["diff", "-C", str(repo), *args]) == 2
    assert match in capsys.readouterr().err


def test_outside_a_git_repository_exit_2(tmp_path, capsys):
    assert cli.main(["diff", "HEAD", "-C", str(tmp_path)]) == 2
    assert re.search(r"not inside a git repository", capsys.readouterr().err)


def test_a_base_without_the_package_shows_every_table_added(repo):
    empty = repo.parent / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")
    first = commit(empty, "nothing yet")
    shutil.copy(repo / "datapackage.json", empty)
    shutil.copytree(repo / "schemas", empty / "schemas")
    shutil.copytree(repo / "data", empty / "data")
    second = commit(empty, "the package")
    report = run_diff(empty, first, second)
    assert table(report, "sources").status == "added" and len(table(report, "sources").added) == 3
    assert any("no datapackage.json" in note for note in report.notes)


# Exit status on new errors, and the same series judgement as validation


def test_a_change_that_introduces_errors_exits_1(repo, capsys):
    edit(repo, "demographics", POPULATION_2024, POPULATION_2024.replace("6172101", "61721010"))
    assert cli.main(["diff", "HEAD", "-C", str(repo)]) == 1
    captured = capsys.readouterr()
    assert re.search(r"introduces \d+ validation errors?", captured.err) and "values_are_in_line_with_their_series" in captured.out


def test_a_change_without_new_errors_exits_0(repo, capsys):
    edit(repo, "demographics", POPULATION_2024, POPULATION_2024.replace("6172101", "6180000"))
    assert cli.main(["diff", "HEAD", "-C", str(repo)]) == 0


@pytest.mark.parametrize("line, new", [
    pytest.param(POPULATION_2024, POPULATION_2024.replace("6172101", "61721010"), id="digit-too-many"),
    pytest.param(POPULATION_2024, POPULATION_2024.replace("6172101", "6172"), id="thousands"),
    pytest.param(None, "KGZ,population,2020,5950,,,factbook-2024-02-15", id="new-row-in-thousands"),
    pytest.param(POPULATION_2024, POPULATION_2024.replace("6172101", "9000000"), id="plausible-within-limit"),
])
def test_series_flags_and_validation_blame_the_same_rows(repo, line, new):
    """diff's series flags come from the judgement validation uses (outliers.py): the rows it
    flags as out of their series are the rows validation blames."""
    edit(repo, "demographics", line, new)
    report = run_diff(repo, "HEAD", validate=True)
    flagged = {f.line for f in report.flags if f.kind in ("unit_slip", "large_change", "far_from_neighbouring_years")}
    blamed = {f.line for f in report.findings.introduced if f.rule == "values_are_in_line_with_their_series"}
    assert flagged == blamed


def test_a_tie_validation_cannot_break_is_flagged_at_the_changed_row_and_blamed_at_both(repo):
    """424 and 4,240 km of railway: validation reports both rows (either may be the slip); diff
    flags the row the change touched, with the same words."""
    edit(repo, "infrastructure", None, "KGZ,railways_km,2022,4240,,,factbook-2024-02-15")
    report = run_diff(repo, "HEAD", validate=True)
    flags = [f for f in report.flags if f.kind in ("unit_slip", "large_change", "far_from_neighbouring_years")]
    blamed = {f.line for f in report.findings.introduced if f.rule == "values_are_in_line_with_their_series"}
    assert [f.line for f in flags] == [4] and blamed == {3, 4}
    assert "one of these two values is out of line" in flags[0].message
