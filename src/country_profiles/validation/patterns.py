"""Schema patterns matched in bounded time.

A pattern comes from the pull request's Table Schema, so it may backtrack catastrophically
((a|aa)+$ on fifty a's and a b runs for minutes in `re`). The `regex` package matches with a
timeout; a cell that runs out of time fails its pattern with a message that says so, and after
MAX_TIMEOUTS such cells in one column the rest of the column is not matched at all.

The timeout is wall-clock time: on a busy machine a trivial match can be paused past it. A
match is judged to backtrack only when the thread itself spent the time matching; otherwise
it is matched again with room to finish (a CI run once reported 'CL' against [A-Z]{2}).
"""

from __future__ import annotations

from collections.abc import Iterable

import time

import regex

SECONDS_PER_CELL = 0.05
SECONDS_WHEN_PAUSED = 1.0  # the second try of a match the machine, not the pattern, delayed
MAX_TIMEOUTS = 10  # per column: at most about half a second spent on a pattern that backtracks


def compile_pattern(pattern: str) -> regex.Pattern:
    """The compiled pattern (regex.error, a ValueError, when it is not one)."""
    return regex.compile(pattern, regex.VERSION0)  # VERSION0: the semantics of Python's re


def failing_texts(pattern: regex.Pattern, texts: Iterable[object]) -> tuple[list[str], list[str]]:
    """(texts that do not match the whole pattern, texts whose match ran out of time)."""
    failing, timed_out = [], []
    for text in texts:
        if not isinstance(text, str):
            continue
        if len(timed_out) >= MAX_TIMEOUTS:
            break
        try:
            if not _matches(pattern, text):
                failing.append(text)
        except TimeoutError:
            timed_out.append(text)
    return failing, timed_out


def _matches(pattern: regex.Pattern, text: str) -> bool:
    working = time.thread_time()
    try:
        return pattern.fullmatch(text, timeout=SECONDS_PER_CELL) is not None
    except TimeoutError:
        if time.thread_time() - working >= SECONDS_PER_CELL / 2:
            raise  # the thread was matching all that time: the pattern backtracks
    return pattern.fullmatch(text, timeout=SECONDS_WHEN_PAUSED) is not None
