"""Validation, formatting and export never open a network connection, not even for a URL in
the descriptor: a resource path that is a URL is refused, never fetched.

Two nets: in this process, the socket functions raise; in a child process, an audit hook
(sys.addaudithook) ends the process the moment anything resolves a name or connects a socket,
which also catches code that would swallow the exception.
"""

from __future__ import annotations

import json
import runpy
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import edit_json
from country_profiles.cli import main

support = runpy.run_path(str(Path(__file__).parent / "fixtures" / "downstream" / "support.py"))
URL = "http://127.0.0.1:9/lands.csv"  # the discard port of this machine: nothing leaves it even if fetched


def with_urls(root: Path) -> Path:
    """The mini package with a resource and a schema given as URLs, and a licence URL."""

    def change(document: dict) -> None:
        document["resources"][1]["path"] = URL
        document["resources"][2]["schema"] = "https://127.0.0.1:9/cities.schema.json"
        document["licenses"][0]["path"] = "https://127.0.0.1:9/licence"

    edit_json(root / "datapackage.json", change)
    return root


def commands(mini: Path, package: Path, out: Path) -> list[list[str]]:
    """Every command that reads a package: validate (also on URLs), fmt, and each export."""
    return [
        ["validate", str(mini)],
        ["validate", str(package)],
        ["fmt", "--check", str(mini)],
        ["fmt", str(package)],
        *(["export", "--format", form, str(out / form), "--package", str(package)] for form in ("json", "sqlite", "parquet")),
    ]


def assert_statuses(statuses: list[int]) -> None:
    """URLs refused by validate (findings) and fmt (cannot run); the downstream package validated
    (its hand-written tables break a rule or two: exit 0 or 1), formatted and exported."""
    assert statuses[0] == 1 and statuses[1] in (0, 1) and statuses[2:] == [2, 0, 0, 0, 0], statuses


@pytest.fixture
def downstream(tmp_path: Path) -> Path:
    return support["make_package"](tmp_path / "downstream")


def test_no_command_touches_a_socket(mini, downstream, tmp_path, monkeypatch, capsys):
    attempts: list[str] = []

    def refuse(name: str):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[:2]}")
            raise OSError(f"test_no_network: {name} is blocked")

        return blocked

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        monkeypatch.setattr(socket, name, refuse(name))
    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))

    with_urls(mini)
    statuses = [main(argv) for argv in commands(mini, downstream, tmp_path / "out")]
    output = capsys.readouterr()
    assert attempts == []
    assert_statuses(statuses)
    assert f"resource path '{URL}' is a URL" in output.out


NETWORK_EVENTS = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
                  "socket.sendto", "socket.sendmsg", "urllib.Request", "http.client.connect")
GUARD = f"""
import json, os, sys

def guard(event, args):
    if event in {NETWORK_EVENTS!r}:
        os.write(2, f"NETWORK {{event}} {{args!r:.200}}\\n".encode())
        os._exit(97)  # no exception a caller could swallow

sys.addaudithook(guard)
from country_profiles.cli import main
for argv in json.loads(sys.argv[1]):
    print(f"STATUS {{main(argv)}}", flush=True)
"""


def run_guarded(runs: list[list[str]], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", GUARD, json.dumps(runs)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_the_audit_hook_catches_a_connection_attempt(tmp_path):
    """The net below can fail: a name lookup ends the child at once."""
    probe = tmp_path / "probe.py"
    probe.write_text("import socket\nsocket.getaddrinfo('localhost', 9)\n", encoding="utf-8")
    guard = GUARD.replace("from country_profiles.cli import main", f"exec(open({str(probe)!r}).read())")
    done = subprocess.run([sys.executable, "-c", guard, "[]"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 97 and "NETWORK socket.getaddrinfo" in done.stderr


def test_no_command_opens_a_connection_in_a_child_process_with_an_audit_hook(mini, downstream, tmp_path):
    with_urls(mini)
    done = run_guarded(commands(mini, downstream, tmp_path / "out"), tmp_path)
    assert "NETWORK" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert_statuses([int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("STATUS ")])
