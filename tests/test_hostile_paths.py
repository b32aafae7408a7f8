"""Hostile packages against the one guarded read and the one guarded write (safe_io).

Each case plants something a pull request can contain (a link, a FIFO, a device, a name from
data) and runs the real command. It must end with a clear message naming the path, exit 1 or
2, no traceback, no hang, and nothing changed outside the expected output: every file under
the test's folder is compared, links as links, before and after (test_bad_inputs.snapshot).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import edit_json
from country_profiles import safe_io, strict_json
from country_profiles.paths import REPO_ROOT
from test_bad_inputs import run_cli, run_unchanged, snapshot
from test_site import write_package
from unprivileged import run_unprivileged

SECRET = "SECRET_TOKEN=hunter2"
LANDS = "data/lands.csv"


def outside_secret(root: Path) -> Path:
    secret = root.parent / "secret.csv"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    return secret


def with_curated(root: Path) -> Path:
    """The mini package with the curated exclusions table fmt knows (its schema from the project)."""
    shutil.copy(REPO_ROOT / "schemas/exclusions.schema.json", root / "schemas/exclusions.schema.json")
    (root / "curated").mkdir()
    return root


# --- Reading: nothing outside the package, nothing that is not a regular file ---


def curated_link_to_secret(root: Path) -> None:
    (with_curated(root) / "curated/exclusions.csv").symlink_to(outside_secret(root))


def curated_folder_link(root: Path) -> None:
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "exclusions.csv").write_text(f"country,indicator\r\n{SECRET},x\r\n", encoding="utf-8")
    with_curated(root)
    (root / "curated").rmdir()
    (root / "curated").symlink_to(elsewhere)


def descriptor_link(root: Path) -> None:
    moved = root.parent / "descriptor.json"
    shutil.move(root / "datapackage.json", moved)
    (root / "datapackage.json").symlink_to(moved)


def data_folder_link(root: Path) -> None:
    shutil.move(root / "data", root.parent / "data-elsewhere")
    (root / "data").symlink_to(root.parent / "data-elsewhere")


def deep_link(root: Path) -> None:
    """A link two folders down leading out: data/deeper/lands.csv -> ../../../secret.csv."""
    (root / "data/deeper").mkdir()
    (root / "data/deeper/lands.csv").symlink_to("../../../secret.csv")
    outside_secret(root)
    edit_json(root / "datapackage.json", lambda d: d["resources"][1].__setitem__("path", "data/deeper/lands.csv"))


def fifo_table(root: Path) -> None:
    (root / LANDS).unlink()
    os.mkfifo(root / LANDS)


def device_table(root: Path) -> None:
    (root / LANDS).unlink()
    os.mknod(root / LANDS, 0o644 | 0o020000, os.makedev(1, 5))  # a character device like /dev/zero


def link_loop(root: Path) -> None:
    (root / LANDS).unlink()
    (root / LANDS).symlink_to("lands.csv")


def declared(path: str):
    def corrupt(root: Path) -> None:
        edit_json(root / "datapackage.json", lambda d: d["resources"][1].__setitem__("path", path))

    return corrupt


READS = [
    pytest.param(curated_link_to_secret, ["fmt", "--check", "{mini}"], "curated/exclusions.csv", "leads outside the package",
                 id="curated-file-link-fmt"),
    pytest.param(curated_folder_link, ["fmt", "--check", "{mini}"], "curated/exclusions.csv", "leads outside the package",
                 id="curated-folder-link-fmt"),
    pytest.param(descriptor_link, ["validate", "{mini}"], "datapackage.json", "leads outside the package",
                 id="descriptor-link-validate"),
    pytest.param(descriptor_link, ["fmt", "--check", "{mini}"], "datapackage.json", "leads outside the package",
                 id="descriptor-link-fmt"),
    pytest.param(descriptor_link, ["export", "--format", "sqlite", "{out}", "--package", "{mini}"], "datapackage.json",
                 "leads outside the package", id="descriptor-link-export"),
    pytest.param(data_folder_link, ["validate", "{mini}"], "data/refs.csv", "leads outside the package",
                 id="data-folder-link-validate"),
    pytest.param(deep_link, ["validate", "{mini}"], "data/deeper/lands.csv", "leads outside the package",
                 id="deep-link-validate"),
    pytest.param(deep_link, ["fmt", "--check", "{mini}"], "data/deeper/lands.csv", "leads outside the package",
                 id="deep-link-fmt"),
    pytest.param(fifo_table, ["validate", "{mini}"], LANDS, "is a FIFO (named pipe)", id="fifo-validate"),
    pytest.param(fifo_table, ["fmt", "--check", "{mini}"], LANDS, "is a FIFO (named pipe)", id="fifo-fmt"),
    pytest.param(fifo_table, ["export", "--format", "sqlite", "{out}", "--package", "{mini}"], LANDS,
                 "is a FIFO (named pipe)", id="fifo-export"),
    pytest.param(device_table, ["validate", "{mini}"], LANDS, "is a device", id="device-validate"),
    pytest.param(device_table, ["fmt", "--check", "{mini}"], LANDS, "is a device", id="device-fmt"),
    pytest.param(link_loop, ["validate", "{mini}"], LANDS, "symlink loop", id="loop-validate"),
    pytest.param(link_loop, ["fmt", "--check", "{mini}"], LANDS, "symlink loop", id="loop-fmt"),
    pytest.param(link_loop, ["export", "--format", "sqlite", "{out}", "--package", "{mini}"], LANDS, "symlink loop",
                 id="loop-export"),
    pytest.param(declared("data/lands\x00.csv"), ["validate", "{mini}"], "datapackage.json", "contains a NUL byte",
                 id="nul-validate"),
    pytest.param(declared("data/lands\x00.csv"), ["fmt", "--check", "{mini}"], "datapackage.json", "contains a NUL byte",
                 id="nul-fmt"),
    pytest.param(declared("data/lands\x00.csv"), ["export", "--format", "json", "{out}", "--package", "{mini}"],
                 "datapackage.json", "contains a NUL byte", id="nul-export"),
    pytest.param(declared("data\\lands.csv"), ["validate", "{mini}"], "datapackage.json", "contains a backslash",
                 id="backslash-validate"),
    pytest.param(declared("data\\lands.csv"), ["fmt", "--check", "{mini}"], "datapackage.json", "contains a backslash",
                 id="backslash-fmt"),
    pytest.param(declared("data/" + "x" * 300 + ".csv"), ["validate", "{mini}"], "datapackage.json",
                 "has a name longer than 255 bytes", id="long-name-validate"),
    pytest.param(declared("data/\x1b[31mred.csv"), ["validate", "{mini}"], "datapackage.json",
                 "contains a control character", id="control-character-validate"),
]


@pytest.mark.parametrize(("corrupt", "argv", "where", "message"), READS)
def test_reads_stay_inside_the_package_and_touch_only_regular_files(mini, tmp_path, capsys, corrupt, argv, where,
                                                                    message):
    corrupt(mini)
    argv = [arg.format(mini=mini, out=tmp_path / "out") for arg in argv]
    before = snapshot(tmp_path)
    outcome = run_cli(capsys, *argv)
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("out")} == before, "the command changed a file"
    assert outcome.status in (1, 2), outcome.both
    assert message in outcome.both and where in outcome.both, outcome.both
    assert SECRET not in outcome.both and "hunter2" not in outcome.both


def test_validate_reports_a_fifo_at_its_file_and_still_checks_the_others(mini, capsys):
    fifo_table(mini)
    outcome = run_cli(capsys, "validate", str(mini), "--format", "json")
    report = json.loads(outcome.out)
    found = [f for f in report["findings"] if f["path"] == LANDS]
    assert [f["rule"] for f in found] == ["resource_file_exists"], found
    # the other tables were read and checked: their keys into lands are reported as not checkable
    assert any(f["path"] == "data/cities.csv" and "lands was not read" in f["message"] for f in report["findings"])


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["validate", "x" * 5000], id="validate"),
        pytest.param(["fmt", "x" * 5000], id="fmt"),
        pytest.param(["export", "--format", "json", "out", "--package", "x" * 5000], id="export"),
        pytest.param(["validate", "a/" * 3000], id="validate-deep"),
    ],
)
def test_a_too_long_argument_is_a_message(tmp_path, capsys, argv, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outcome = run_unchanged(capsys, tmp_path, *argv)
    assert outcome.status in (1, 2), outcome.both
    assert "x" * 100 in outcome.both or "a/a/a/" in outcome.both, outcome.both  # the message names the path


def test_the_guard_refuses_a_link_swapped_in_after_the_check(mini):
    """open_inside walks from the root with O_NOFOLLOW: a folder replaced by a link between the
    check and the open fails the open instead of leaving the package."""
    base, inner = safe_io.check_inside(mini, LANDS)
    data_folder_link(mini)
    with pytest.raises(safe_io.PackagePathError, match="symlink"):
        safe_io.open_inside(mini, inner)


# --- Writing: random exclusive temporaries, links replaced not followed, outputs outside ---


def test_fmt_replaces_a_planted_link_instead_of_writing_through_it(mini, tmp_path, capsys):
    secret = outside_secret(mini)
    lands = mini / LANDS
    lands.write_bytes(lands.read_bytes().replace(b"\n", b"\r\n"))  # not canonical: fmt rewrites it
    for name in (".lands.csv.fmt-tmp", ".lands.csv.tmp", "lands.csv.tmp"):  # every fixed name there ever was
        (mini / "data" / name).symlink_to(secret)
    assert run_cli(capsys, "fmt", str(mini)).status == 0
    assert secret.read_text(encoding="utf-8") == f"{SECRET}\n"
    assert not lands.is_symlink() and b"\r\n" not in lands.read_bytes()


def test_fmt_writes_the_mode_through_the_descriptor_not_the_path(mini, capsys):
    lands = mini / LANDS
    lands.write_bytes(lands.read_bytes().replace(b"\n", b"\r\n"))
    os.chmod(lands, 0o640)
    assert run_cli(capsys, "fmt", str(mini)).status == 0
    assert lands.stat().st_mode & 0o777 == 0o640


@pytest.fixture
def profiles_package(tmp_path) -> Path:
    return write_package(tmp_path / "package")


def test_site_replaces_a_planted_link_in_its_output(profiles_package, tmp_path, capsys):
    out = tmp_path / "site-build"
    out.mkdir()
    victim = tmp_path / "victim.html"
    victim.write_text("untouched", encoding="utf-8")
    (out / "index.html").symlink_to(victim)
    assert run_cli(capsys, "site", str(out), "--package", str(profiles_package)).status == 0
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert not (out / "index.html").is_symlink() and "<html" in (out / "index.html").read_text(encoding="utf-8")


def test_site_refuses_an_output_subfolder_that_is_a_link(profiles_package, tmp_path, capsys):
    out = tmp_path / "site-build"
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (out / "countries").symlink_to(tmp_path / "elsewhere")
    outcome = run_cli(capsys, "site", str(out), "--package", str(profiles_package))
    assert outcome.status == 1 and "countries" in outcome.err and "symlink" in outcome.err, outcome.both
    assert list((tmp_path / "elsewhere").iterdir()) == []


def evil_code(root: Path) -> None:
    for name in ("countries", "demographics"):
        path = root / f"data/{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("KGZ", "../../../evil"), encoding="utf-8")


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["export", "--format", "json", "{out}", "--package", "{pkg}"], id="export-json"),
        pytest.param(["site", "{out}", "--package", "{pkg}"], id="site"),
    ],
)
def test_a_code_from_data_never_names_a_file_outside_the_output(profiles_package, tmp_path, capsys, argv):
    evil_code(profiles_package)
    out = tmp_path / "a" / "b" / "out"
    argv = [arg.format(out=out, pkg=profiles_package) for arg in argv]
    before = snapshot(tmp_path)
    outcome = run_cli(capsys, *argv)
    assert outcome.status in (1, 2) and "'../../../evil' cannot name a file" in outcome.both, outcome.both
    assert not list(tmp_path.rglob("evil*"))
    written = {k for k in snapshot(tmp_path) if k not in before}
    assert not written - {"a", "a/b", "a/b/out"}, written  # nothing written: names are checked first


def test_a_resource_name_from_data_never_names_a_file(profiles_package, tmp_path, capsys):
    edit_json(profiles_package / "datapackage.json",
              lambda d: d["resources"][0].__setitem__("name", "../../../evil"))
    outcome = run_cli(capsys, "export", "--format", "parquet", str(tmp_path / "out"), "--package", str(profiles_package))
    assert outcome.status == 1 and "evil" in outcome.err, outcome.both
    assert not list(tmp_path.rglob("evil*"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["validate", "{mini}", "--output", "{mini}/data/lands.csv"], "holds the package's data",
                     id="validate-output-into-data"),
        pytest.param(["validate", "{mini}", "--output", "{mini}/datapackage.json"], "holds the package's data",
                     id="validate-output-over-descriptor"),
        pytest.param(["validate", "{mini}", "--output", "{mini}/schemas/new.json"], "holds the package's data",
                     id="validate-output-into-schemas"),
        pytest.param(["site", "{mini}", "--package", "{mini}"], "is the package folder", id="site-into-package"),
        pytest.param(["site", "{mini}/data", "--package", "{mini}"], "holds the package's data", id="site-into-data"),
        pytest.param(["export", "--format", "sqlite", "{mini}", "--package", "{mini}"], "is the package folder",
                     id="export-into-package"),
        pytest.param(["export", "--format", "sqlite", "/", "--package", "{mini}"], "root folder", id="export-into-root"),
        pytest.param(["site", "/", "--package", "{mini}"], "root folder", id="site-into-root"),
    ],
)
def test_outputs_never_go_into_the_package_or_the_root_folder(mini, tmp_path, capsys, argv, message):
    argv = [arg.format(mini=mini) for arg in argv]
    outcome = run_unchanged(capsys, tmp_path, *argv)
    assert outcome.status in (1, 2) and message in outcome.err, outcome.both


def test_a_report_beside_the_package_is_written(mini, tmp_path, capsys):
    """The refusal is for the package's data: a report in the package folder's other places is fine."""
    outcome = run_cli(capsys, "validate", str(mini), "--output", str(mini / "report.txt"))
    assert outcome.status == 0 and (mini / "report.txt").is_file()


def test_export_into_an_existing_file_is_a_message(mini, tmp_path, capsys):
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    outcome = run_unchanged(capsys, tmp_path, "export", "--format", "sqlite", str(tmp_path / "taken"),
                            "--package", str(mini))
    assert outcome.status == 1 and "exists and is not a folder" in outcome.err, outcome.both


def test_export_refuses_a_non_numeric_minimum_before_writing(mini, tmp_path, capsys):
    edit_json(mini / "schemas/lands.schema.json",
              lambda s: s["fields"][4]["constraints"].__setitem__("minimum", "zero"))
    outcome = run_unchanged(capsys, tmp_path, "export", "--format", "sqlite", str(tmp_path / "out"),
                            "--package", str(mini))
    assert outcome.status == 1 and "schemas/lands.schema.json" in outcome.err and "minimum" in outcome.err, outcome.both


def test_the_unprivileged_child_obeys_permission_bits(tmp_path):
    locked = tmp_path / "locked.json"
    locked.write_text("{}", encoding="utf-8")
    locked.chmod(0o000)
    result = run_unprivileged("validate", str(locked))
    assert result.returncode == 2 and "Permission denied" in result.stderr, result


def test_validate_reports_an_unreadable_table_unprivileged(mini):
    """Permissions only hold without root's overrides: the tests run as root, so the command runs without them."""
    os.chmod(mini / LANDS, 0o000)
    result = run_unprivileged("validate", str(mini))
    assert result.returncode == 1, result
    assert "data/lands.csv" in result.stdout and "Permission denied" in result.stdout, result
    assert "Traceback" not in result.stderr + result.stdout


def test_export_into_a_folder_it_may_not_write_is_a_message_unprivileged(mini, tmp_path):
    out = tmp_path / "locked"
    out.mkdir(mode=0o555)
    result = run_unprivileged("export", "--format", "sqlite", str(out), "--package", str(mini))
    assert result.returncode == 1 and "locked" in result.stderr and "Traceback" not in result.stderr, result
    assert list(out.iterdir()) == []


# --- Duplicate keys: nothing silently chosen ---


@pytest.mark.parametrize(
    ("relpath", "command"),
    [
        pytest.param("datapackage.json", "validate", id="descriptor-validate"),
        pytest.param("schemas/lands.schema.json", "validate", id="schema-validate"),
        pytest.param("datapackage.json", "fmt", id="descriptor-fmt"),
        pytest.param("schemas/lands.schema.json", "export", id="schema-export"),
    ],
)
def test_a_duplicate_json_key_is_an_error_at_its_line(mini, tmp_path, capsys, relpath, command):
    path = mini / relpath
    text = path.read_text(encoding="utf-8")
    if relpath == "datapackage.json":
        text = text.replace('"schema": "schemas/lands.schema.json"',
                            '"schema": "schemas/lands.schema.json",\n     "schema": "schemas/refs.schema.json"')
        key = "schema"
    else:
        text = text.replace('"primaryKey": "iso3",', '"primaryKey": "iso3",\n  "primaryKey": "name",')
        key = "primaryKey"
    path.write_text(text, encoding="utf-8")
    line = strict_json.duplicate_key(text)[1]
    argv = {"validate": ["validate", str(mini)], "fmt": ["fmt", "--check", str(mini)],
            "export": ["export", "--format", "sqlite", str(tmp_path / "out"), "--package", str(mini)]}[command]
    outcome = run_unchanged(capsys, mini, *argv)
    assert outcome.status in (1, 2), outcome.both
    assert f"key '{key}' appears twice" in outcome.both and f"line {line}" in outcome.both or \
        f"{relpath}:{line}" in outcome.both, outcome.both


def test_duplicate_keys_are_found_in_nested_objects_and_not_across_them():
    assert strict_json.duplicate_key('{"a": [{"x": 1}, {"x": 2}], "b": {"x": {"x": 3}}}') is None
    assert strict_json.duplicate_key('{"a": 1,\n "b": {"c": "a", "d": "}",\n "c": 2}}') == ("c", 3)
    with pytest.raises(strict_json.DuplicateKeyError, match="line 2"):
        strict_json.loads('{"a": 1,\n "a": 1}')


# --- Bounded cost and URLs ---


def test_a_backtracking_pattern_is_stopped_and_reported(mini, capsys):
    edit_json(mini / "schemas/lands.schema.json",
              lambda s: s["fields"][1]["constraints"].__setitem__("pattern", "(a|aa)+$"))
    lands = mini / LANDS
    lines = lands.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Kyrgyzstan", "a" * 50 + "b")
    lands.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = run_cli(capsys, "validate", str(mini))  # minutes with `re`; bounded with the regex timeout
    assert outcome.status == 1
    assert f"data/lands.csv:2" in outcome.out or "data/lands.csv" in outcome.out
    assert "was stopped (the pattern backtracks" in outcome.out, outcome.out


def test_a_javascript_url_fails_validation_and_is_never_linked(profiles_package, tmp_path, capsys):
    sources = profiles_package / "data/sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace("https://atlas.example.org/a", "javascript:alert(1)"),
                       encoding="utf-8")
    outcome = run_cli(capsys, "validate", str(profiles_package))
    assert outcome.status == 1 and "javascript:alert(1)" in outcome.out and "value_matches_pattern" in outcome.out
    assert run_cli(capsys, "site", str(tmp_path / "site"), "--package", str(profiles_package)).status == 0
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert 'href="javascript:' not in pages and "javascript:alert(1)" in pages  # shown as text, not a link


# --- diff reads the real trees, never follows links, never deadlocks ---

from test_diff import commit, counts, edit, git, repo, run_diff  # noqa: E402,F401 (repo is a fixture)


def test_diff_is_not_blinded_by_export_ignore_in_the_tree_under_test(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, "forces", None, "KGZ,tanks,2024,150,,,factbook-2024-02-15")
    (repo / ".gitattributes").write_text("data/** export-ignore\n*.csv filter=evil\n", encoding="utf-8")
    head = commit(repo, "add a row and hide it")
    assert counts(run_diff(repo, base, head, validate=False)) == {"forces": (1, 0, 0)}


def test_diff_of_a_table_replaced_by_a_link_leading_out_ends_with_a_problem(repo, tmp_path, capsys):
    base = git(repo, "rev-parse", "HEAD").strip()
    secret = tmp_path / "secret.csv"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    (repo / "data/forces.csv").unlink()
    (repo / "data/forces.csv").symlink_to(secret)
    head = commit(repo, "a link out")
    outcome = run_cli(capsys, "diff", base, head, "-C", str(repo), "--no-validate")
    assert outcome.status == 0, outcome.both
    assert "data/forces.csv is a symlink" in outcome.both and SECRET not in outcome.both
    outcome = run_cli(capsys, "diff", base, "-C", str(repo), "--no-validate")  # the working tree: same link
    assert "leads outside the package" in outcome.both and SECRET not in outcome.both


def test_diff_drains_a_chatty_git_without_deadlock(repo):
    """3,000 long names under the package: ls-tree writes more than a pipe holds while we wait."""
    base = git(repo, "rev-parse", "HEAD").strip()
    many = repo / "many"
    many.mkdir()
    for index in range(3000):
        (many / f"{index:05d}-{'x' * 150}.txt").write_text(str(index), encoding="utf-8")
    head = commit(repo, "many files")
    assert counts(run_diff(repo, base, head, validate=False)) == {}


# --- Messages escaped for where they go ---

INJECTION = '"Kyrgyz\n::error file=README.md,line=1::owned \x1b[2J\u202egnp."'


@pytest.mark.parametrize("form", ["text", "github", "markdown", "json"])
def test_a_cell_cannot_inject_workflow_commands_or_escape_sequences(mini, capsys, form):
    lands = mini / LANDS
    lines = lands.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("Asia", INJECTION)  # not one of the enum: quoted in a rule message
    lands.write_text("\n".join(lines), encoding="utf-8")
    outcome = run_cli(capsys, "validate", str(mini), "--format", form)
    assert outcome.status == 1
    assert "\x1b" not in outcome.out
    if form != "json":  # json carries the value as data, JSON-escaped where JSON requires it
        assert "\u202e" not in outcome.out
    commands = [line for line in outcome.out.splitlines() if line.startswith("::")]
    if form == "github":
        assert all(line.startswith(("::error file=data/", "::warning file=data/", "::error file=datapackage",
                                    "::warning file=datapackage")) for line in commands), commands
    else:
        assert commands == [], commands
    if form == "text":
        assert "\\x1b[2J" in outcome.out and "\\n::error" in outcome.out


def test_the_escapers_close_each_format():
    from country_profiles import escape

    assert escape.text_line("::error::x") == "\\::error::x"
    assert escape.text("a\r\nb\x00\x9b\u2028") == "a\\r\\nb\\x00\\x9b\\u2028"
    assert escape.github_property("a:b,c%\n") == "a%3Ab%2Cc%25\\n"
    assert escape.markdown("[x](javascript:y) <b>|`") == "\\[x\\]\\(javascript:y\\) \\<b\\>\\|\\`"
    assert escape.html('<a href="x">\x1b') == "&lt;a href=&quot;x&quot;&gt;\\x1b"


def test_findings_are_capped_per_rule_and_column_and_the_report_says_how_many_more(mini, capsys):
    from country_profiles.validation.limits import PER_RULE_AND_COLUMN

    rows = "".join(f"Q{index:05d},Land {index},Asia,true,-{index + 1},atlas-1998\n" for index in range(3000))
    lands = mini / LANDS
    lands.write_text(lands.read_text(encoding="utf-8") + rows, encoding="utf-8")
    outcome = run_cli(capsys, "validate", str(mini), "--format", "json")
    report = json.loads(outcome.out)
    below_minimum = [f for f in report["findings"] if f["rule"] == "value_within_bounds" and f["path"] == LANDS]
    assert len(below_minimum) == PER_RULE_AND_COLUMN + 1
    (more,) = [f for f in below_minimum if f["line"] is None]
    assert f"{3000 - PER_RULE_AND_COLUMN:,} more findings of this rule in column area_km2" in more["message"]


def test_a_header_of_100000_columns_is_one_finding(mini, capsys):
    lands = mini / LANDS
    lands.write_text(",".join(f"c{index}" for index in range(100_000)) + "\n" + "x,\n" * 10, encoding="utf-8")
    outcome = run_cli(capsys, "validate", str(mini), "--format", "json")
    found = [f for f in json.loads(outcome.out)["findings"] if f["path"] == LANDS]
    assert [f["rule"] for f in found] == ["csv_is_well_formed"] and "100,000 or more columns" in found[0]["message"]


def test_a_descriptor_of_5000_resources_is_checked_up_to_the_cap(mini, capsys):
    from country_profiles.validation.package import MAX_RESOURCES

    edit_json(mini / "datapackage.json", lambda d: d["resources"].extend(
        {"name": f"r{index}", "path": f"data/r{index}.csv", "schema": "schemas/refs.schema.json"} for index in range(5000)))
    outcome = run_cli(capsys, "validate", str(mini), "--format", "json")
    messages = [f["message"] for f in json.loads(outcome.out)["findings"]]
    assert f"at most {MAX_RESOURCES:,} are checked" in "".join(messages)
    assert not any("data/r4000.csv" in message for message in messages)


# --- import: special files and broken sources are messages ---

SOURCES = Path("/work/shared/sources") if Path("/work/shared/sources").is_dir() else REPO_ROOT.parent / "shared/sources"


def linked_sources(tmp_path: Path) -> Path:
    """The shared sources as hard links (no copy of the data; a file to break is replaced, never
    written in place, so the shared file stays as it is)."""
    copy = tmp_path / "sources"
    shutil.copytree(SOURCES, copy, copy_function=os.link)
    return copy


def test_import_refuses_a_fifo_in_the_sources_instead_of_hanging(tmp_path, capsys):
    sources = tmp_path / "sources"
    (sources / "factbook").mkdir(parents=True)
    os.mkfifo(sources / "factbook" / "kg.json")
    (sources / "escape.csv").symlink_to("/etc/passwd")
    outcome = run_unchanged(capsys, tmp_path, "import", str(sources), "--out", str(tmp_path / "out"))
    assert outcome.status == 1
    assert "kg.json: a FIFO (named pipe), not a file" in outcome.err and "escape.csv: a symlink leading outside" in outcome.err


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the shared sources folder is not beside the repository")
def test_import_of_a_truncated_factbook_file_names_it(tmp_path, capsys):
    sources = linked_sources(tmp_path)
    victim = sorted((sources / "factbook").glob("*/central-asia/*.json"))[-1]
    text = victim.read_bytes()[:300]
    victim.unlink()  # a new file: the hard link to the shared one is dropped, not written through
    victim.write_bytes(text)
    outcome = run_cli(capsys, "import", str(sources), "--out", str(tmp_path / "out"))
    assert outcome.status == 1 and f"{victim}:" in outcome.err and "invalid JSON" in outcome.err, outcome.both


def test_a_report_output_that_is_a_planted_link_is_replaced_not_followed(mini, tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    (tmp_path / "report.txt").symlink_to(victim)
    assert run_cli(capsys, "validate", str(mini), "--output", str(tmp_path / "report.txt")).status == 0
    assert victim.read_text(encoding="utf-8") == "untouched" and not (tmp_path / "report.txt").is_symlink()


def test_an_output_folder_that_is_a_link_is_refused(profiles_package, tmp_path, capsys):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "site-build").symlink_to(tmp_path / "elsewhere")
    outcome = run_cli(capsys, "site", str(tmp_path / "site-build"), "--package", str(profiles_package))
    assert outcome.status == 1 and "is a symlink" in outcome.err and not list((tmp_path / "elsewhere").iterdir())


def test_the_report_caps_findings_per_rule_file_and_report():
    from country_profiles.validation import limits
    from country_profiles.validation.findings import Finding

    many = [Finding("r", "error", "m", "t", f"data/t{n % 30}.csv", line, (line,)) for n, line in enumerate(range(90_000))]
    many += [Finding(f"q{n}", "error", "m", "t", "data/u.csv", n + 2, (n + 2,)) for n in range(12_000)]
    kept = limits.capped(many)
    listed = [f for f in kept if f.line is not None]
    assert len(listed) == limits.PER_REPORT
    assert all(sum(f.path == path for f in listed) <= limits.PER_FILE for path in {f.path for f in listed})
    assert sum(int(f.message.split(" ")[0].replace(",", "")) for f in kept if f.line is None) == len(many) - len(listed)


@pytest.mark.parametrize("argv", [["coverage", "{pkg}"], ["show", "KGZ", "--package", "{pkg}"]])
def test_coverage_and_show_refuse_a_fifo_instead_of_hanging(profiles_package, capsys, argv):
    (profiles_package / "data/borders.csv").unlink()
    os.mkfifo(profiles_package / "data/borders.csv")
    outcome = run_cli(capsys, *[arg.format(pkg=profiles_package) for arg in argv])
    assert outcome.status == 1 and "data/borders.csv" in outcome.err and "FIFO" in outcome.err, outcome.both


class PausedOnce:
    """A pattern whose first match runs out of wall-clock time without working (the machine
    paused the thread), as a busy CI machine once made 'CL' fail [A-Z]{2}."""

    def __init__(self, pattern: str) -> None:
        import regex

        self.compiled, self.calls = regex.compile(pattern), 0

    def fullmatch(self, text, timeout):
        self.calls += 1
        if self.calls == 1:
            raise TimeoutError("regex timed out")
        return self.compiled.fullmatch(text, timeout=timeout)


def test_a_match_the_machine_paused_is_tried_again_not_reported_as_backtracking():
    from country_profiles.validation.patterns import failing_texts

    assert failing_texts(PausedOnce("[A-Z]{2}"), ["CL"]) == ([], [])
    assert failing_texts(PausedOnce("[A-Z]{2}"), ["cl"]) == (["cl"], [])


def test_a_pattern_that_really_backtracks_is_not_tried_again_at_length():
    from country_profiles.validation.patterns import compile_pattern, failing_texts

    class Counted:
        def __init__(self, compiled):
            self.compiled, self.timeouts = compiled, []

        def fullmatch(self, text, timeout):
            self.timeouts.append(timeout)
            return self.compiled.fullmatch(text, timeout=timeout)

    pattern = Counted(compile_pattern("(a|aa)+$"))
    assert failing_texts(pattern, ["a" * 60 + "b"]) == ([], ["a" * 60 + "b"])
    assert len(pattern.timeouts) == 1  # the thread was matching all the time: no second, longer try
