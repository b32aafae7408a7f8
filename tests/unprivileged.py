"""Run a command as the unprivileged user `nobody`, for cases where file permissions matter.

The tests run as root here and in CI, and root reads and writes whatever the permission bits
say. A subprocess cannot exec this Python as nobody (the interpreter may live under /root), so
the test process forks: the child, which already holds the interpreter and the command's
modules, drops to nobody and runs the command; its output comes back through files.
"""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from country_profiles.cli import COMMANDS, main

NOBODY = 65534


@dataclass
class Result:
    status: int
    out: str
    err: str


def world_readable_copy(source: Path) -> Path:
    """A copy of `source` in a fresh folder under /tmp that nobody can enter and read (but, being
    owned by root, not write)."""
    holder = Path(tempfile.mkdtemp(prefix="country-profiles-nobody-", dir="/tmp"))
    atexit.register(shutil.rmtree, holder, True)  # pytest's tmp_path is root's alone, so this lives outside it
    os.chmod(holder, 0o755)
    copy = holder / source.name
    shutil.copytree(source, copy)
    for folder, names, files in os.walk(holder):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(Path(folder) / name, 0o644)
    return copy


def run_as_nobody(*argv: str, timeout: float = 120) -> Result:
    """`country-profiles ARGV` run by nobody in a forked child; its exit status and output."""
    importlib.import_module(COMMANDS[argv[0]][0])  # the child may not read the installation
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never return into pytest
            status = 70
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                sys.stdout = open(os.dup(out.fileno()), "w", encoding="utf-8")
                sys.stderr = open(os.dup(err.fileno()), "w", encoding="utf-8")
                status = main(list(argv))
                sys.stdout.flush()
                sys.stderr.flush()
            except BaseException as exc:  # report anything, then leave
                os.write(err.fileno(), f"child failed: {type(exc).__name__}: {exc}".encode())
            finally:
                os._exit(status)
        _, wait_status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return Result(os.waitstatus_to_exitcode(wait_status), out.read().decode(), err.read().decode())
