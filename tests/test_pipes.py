"""Every command in a pipe: when the reader closes stdout (`country-profiles show KGZ | head -1`),
the command ends quietly, without a traceback or an "internal error", with the status a shell
reports for a command ended by SIGPIPE (141), or 0 when it had finished writing first."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_package, set_cell

COMMAND = str(Path(sys.executable).with_name("country-profiles"))
EXIT_BROKEN_PIPE = 141
NOISE = ("Traceback", "internal error", "Exception ignored", "Broken pipe", "BrokenPipeError")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A git repository holding a copy of the real package with one committed edit (for diff)
    and one table out of canonical form (for fmt --check)."""
    root = copy_package(REPO, tmp_path_factory.mktemp("pipes") / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    set_cell(root / "data/demographics.csv", 2, "value", "51700")  # a change for diff to show
    lines = (root / "data/sources.csv").read_text(encoding="utf-8").splitlines()
    (root / "data/sources.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")  # CRLF: not canonical
    return root


# Each subcommand with arguments that make it write to stdout (several lines where it can).
COMMANDS = {
    "help": ["--help"],
    "version": ["--version"],
    "show": ["show", "KGZ"],
    "show-json": ["show", "KGZ", "--json"],
    "coverage": ["coverage", "."],
    "coverage-by-indicator": ["coverage", ".", "--by-indicator"],
    "validate": ["validate", "."],
    "validate-json": ["validate", ".", "--format", "json"],
    "rules": ["rules"],
    "dictionary": ["dictionary"],
    "diff": ["diff", "main", "--no-validate"],
    "fmt-check": ["fmt", "--check", "."],
    "export": ["export", "--format", "json", "--package", ".", "{tmp}/export"],
    "audit": ["audit", str(REPO / "tests/fixtures/factbook"), "--count", "20"],
}


def argv(name: str, tmp_path: Path) -> list[str]:
    return [COMMAND, *(word.replace("{tmp}", str(tmp_path)) for word in COMMANDS[name])]


def test_every_subcommand_is_covered():
    from country_profiles.cli import COMMANDS as SUBCOMMANDS

    covered = {words[0] for words in COMMANDS.values()}
    assert set(SUBCOMMANDS) - covered <= {"import", "site"}  # both write files; their output is one line


@pytest.mark.parametrize("name", COMMANDS)
def test_a_closed_pipe_ends_the_command_quietly_with_the_sigpipe_status(name, workspace, tmp_path):
    """The reader is gone before the command writes: its first write fails, every time."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(argv(name, tmp_path), cwd=workspace, stdout=write_end, stderr=subprocess.PIPE,
                              text=True, timeout=300)
    finally:
        os.close(write_end)
    assert not any(word in done.stderr for word in NOISE), done.stderr
    assert done.returncode == EXIT_BROKEN_PIPE, done.stderr


@pytest.mark.parametrize("name", COMMANDS)
def test_piped_into_head_the_command_ends_quietly(name, workspace, tmp_path):
    """`country-profiles ... | head -1` through a real pipe: head prints one line; the command
    ends with 0 (done before head left) or 141, and says nothing on stderr about the pipe."""
    shutil.rmtree(tmp_path / "export", ignore_errors=True)
    producer = subprocess.Popen(argv(name, tmp_path), cwd=workspace, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    head = subprocess.run(["head", "-1"], stdin=producer.stdout, capture_output=True, text=True, timeout=300)
    producer.stdout.close()
    stderr = producer.stderr.read()
    status = producer.wait(timeout=300)
    producer.stderr.close()
    assert head.stdout.count("\n") == 1
    assert not any(word in stderr for word in NOISE), stderr
    finished = 1 if name == "fmt-check" else 0  # fmt --check exits 1 on a table not in canonical form
    assert status in {finished, EXIT_BROKEN_PIPE}, stderr
