"""Counts in words: "1 flag", "2 flags". Every report that prints a count of things uses this."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "country": "countries", "this": "these"}


def plural(noun: str, count: int) -> str:
    """`noun` as it reads after `count`: flag -> flags, country -> countries, 1 -> singular."""
    if count == 1:
        return noun
    if noun in IRREGULAR:
        return IRREGULAR[noun]
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def count_of(count: int, noun: str) -> str:
    """'1 flag', '2 flags', '0 flags'."""
    return f"{count} {plural(noun, count)}"
