"""Every code block of README.md and CONTRIBUTING.md runs as written, in document order, in a
git repository holding a copy of the package (branch main).

- python blocks run as scripts and must print something; a comment "(after: COMMAND ...)"
  names the command that must run first (e.g. an export);
- sh blocks must consist of `country-profiles` commands, each of which must succeed;
- `<!-- snippet: append to PATH -->` before a block appends the block to that file;
- `<!-- snippet: not run (REASON) -->` before a block says why it cannot run here (nox, pip,
  an output sample); any other block without a marker fails this test.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_package

COMMAND = str(Path(sys.executable).with_name("country-profiles"))
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```\n", re.M | re.S)
MARKER = re.compile(r"<!-- snippet: (not run \((?P<reason>[^)]+)\)|append to (?P<path>\S+)) -->\s*$")
AFTER = re.compile(r"\(after: (country-profiles [^;)]+)")


def blocks(document: str) -> list[tuple[int, str, str, re.Match | None]]:
    """(line, language, code, marker) of each fenced block."""
    found = []
    for fence in FENCE.finditer(document):
        before = document[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        line = document.count("\n", 0, fence.start()) + 1
        found.append((line, fence.group(1), fence.group(2), MARKER.search(before)))
    return found


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True)


def run_command(words: list[str], cwd: Path, where: str) -> subprocess.CompletedProcess:
    assert words and words[0] == "country-profiles", (
        f"{where}: {shlex.join(words)!r} is not a command of this package: run it, or mark the block "
        "<!-- snippet: not run (REASON) -->")
    done = subprocess.run([COMMAND, *words[1:]], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{where}: {shlex.join(words)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


@pytest.mark.parametrize("name", ["README.md", "CONTRIBUTING.md"])
def test_every_code_block_runs_as_written(name, tmp_path):
    workspace = copy_package(REPO, tmp_path / "clone")
    for folder in ("corrections", "curated"):
        import shutil

        shutil.copytree(REPO / folder, workspace / folder)
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "main")
    git(workspace, "checkout", "-q", "-b", "contribution")
    found = blocks((REPO / name).read_text(encoding="utf-8"))
    assert found, f"{name} has no code block"
    for line, language, code, marker in found:
        where = f"{name}:{line}"
        if marker and marker.group("reason"):
            assert marker.group("reason").strip(), where
            continue
        if marker and marker.group("path"):
            with (workspace / marker.group("path")).open("a", encoding="utf-8") as target:
                target.write(code)
            continue
        if language == "python":
            for prerequisite in AFTER.findall(code):
                run_command(shlex.split(prerequisite), workspace, where)
            done = subprocess.run([sys.executable, "-c", code], cwd=workspace, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, f"{where}: the python block failed:\n{done.stderr[-3000:]}"
            assert done.stdout.strip(), f"{where}: the python block prints nothing"
        elif language == "sh":
            for command in code.splitlines():
                words = shlex.split(command, comments=True)
                if words:
                    run_command(words, workspace, where)
        else:
            pytest.fail(f"{where}: a {language or 'plain'} block without a marker: mark it "
                        "<!-- snippet: not run (REASON) --> or make it runnable")


def test_the_worked_example_adds_two_rows_and_the_duckdb_and_pandas_snippets_print(tmp_path):
    """What the blocks print is what the documents promise."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    pandas_block = next(code for _, language, code, _ in blocks(readme) if language == "python" and "# pandas" in code)
    done = subprocess.run([sys.executable, "-c", pandas_block], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert "'unit': 'persons'" in done.stdout, done.stderr
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    appended = [m.group("path") for *_, m in blocks(contributing) if m and m.group("path")]
    assert appended == ["data/sources.csv", "data/demographics.csv"]
