"""JSON as the package reads it: a key given twice in one object is an error at its line.

Python's json keeps the last of duplicate keys silently (so does almost every reader), which
lets a descriptor or schema show one value to a reviewer and use another. `loads` refuses
them through object_pairs_hook; `duplicate_key` finds the line for the message.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]', re.DOTALL)


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice; the message gives the key and its line."""

    def __init__(self, key: str, line: int | None):
        self.key, self.line = key, line
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}key {key!r} appears twice in one object (the second would silently win)")


class _Duplicate(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return result


def loads(text: str, **options: Any) -> Any:
    """json.loads, but a duplicate key raises DuplicateKeyError (a ValueError) with its line."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, **options)
    except _Duplicate as exc:
        key, line = duplicate_key(text) or (exc.args[0], None)
        raise DuplicateKeyError(key, line) from None


def duplicate_key(text: str) -> tuple[str, int] | None:
    """The first key repeated within one object, and the line of its second use (one pass)."""
    stack: list[set[str] | None] = []  # per open bracket: the keys seen (objects) or None (arrays)
    expecting_key = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "{":
            stack.append(set())
            expecting_key = True
        elif token == "[":
            stack.append(None)
            expecting_key = False
        elif token in "]}":
            if stack:
                stack.pop()
            expecting_key = False
        elif token == ",":
            expecting_key = bool(stack) and stack[-1] is not None
        elif token == ":":
            expecting_key = False
        elif expecting_key and stack and stack[-1] is not None:
            key = json.loads(token)
            if key in stack[-1]:
                return key, text.count("\n", 0, match.start()) + 1
            stack[-1].add(key)
            expecting_key = False
    return None
