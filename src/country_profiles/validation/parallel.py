"""Two cores for the rules: one share of the work in a forked child process, one here.

Rules only read the package's tables, so a child forked after the tables are loaded shares
them with this process page by page, copying nothing; it sends back only its findings
(pickled, through a pipe). Threads help less: pandas holds Python's global lock for much of
a rule's work, and two threads' intermediate frames add up in one process.

Fork is the one way to share the tables without copying, and it exists on Linux and other
Unixes; elsewhere, or when the child fails in any way, its share runs here after ours, so the
result never depends on how it was computed. (`validate --jobs 1` asks for one process.)
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import TypeVar

Here = TypeVar("Here")
There = TypeVar("There")


def can_fork() -> bool:
    """Whether run_beside uses a second process: on Linux (fork is safe there with the
    libraries loaded by then; macOS allows it but its system libraries do not promise it)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def run_beside(here: Callable[[], Here], there: Callable[[], There]) -> tuple[Here, There]:
    """`there()` in a forked child process while `here()` runs in this one; both results.

    `there` must return something picklable. When the child cannot be started, exits with an
    error or sends something unreadable, `there()` runs here instead, so an exception it raises
    is raised here, as if there were no child."""
    if not can_fork():
        return here(), there()
    read_end, write_end = os.pipe()
    try:
        child = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return here(), there()
    if child == 0:
        _serve(read_end, write_end, there)
    os.close(write_end)
    try:
        mine = here()
    finally:
        # Read before waiting: a result larger than the pipe holds keeps the child writing.
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        try:
            return mine, pickle.loads(payload)
        except Exception:  # noqa: BLE001  (a truncated result: compute it here)
            pass
    return mine, there()


def _serve(read_end: int, write_end: int, there: Callable[[], object]) -> None:
    """The child's whole life: compute, send, and leave at once (no cleanup that could touch
    the parent's files or flush its buffered output a second time)."""
    status = 1
    try:
        os.close(read_end)
        payload = pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)
