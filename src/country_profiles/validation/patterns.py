"""Schema patterns matched in bounded time.

A pattern comes from the pull request's Table Schema, so it may backtrack catastrophically
((a|aa)+$ on fifty a's and a b runs for minutes in `re`). The `regex` package matches with a
timeout; a cell that runs out of time fails its pattern with a message that says so, and after
MAX_TIMEOUTS such cells in one column the rest of the column is not matched at all.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

SECONDS_PER_CELL = 0.05
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
            if not pattern.fullmatch(text, timeout=SECONDS_PER_CELL):
                failing.append(text)
        except TimeoutError:
            timed_out.append(text)
    return failing, timed_out
