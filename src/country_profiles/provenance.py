"""Which rows of data/ the import rebuilds, and which a contributor keeps by hand.

A row belongs to the import when its `source_id` is a source the import reads: a Factbook
snapshot, the COW IGO data, the code table, or a source that corrections/memberships.json
cites (the import applies those records). Every other row is a contributor's, and the import
keeps it as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

RAW_SOURCE_PREFIXES = ("factbook-",)  # one source per Factbook snapshot: factbook-2026-01-22
RAW_SOURCES = frozenset({"cow-igo-v3", "country-codes-gec"})
MEMBERSHIP_CORRECTIONS = Path("corrections/memberships.json")


def correction_sources(root: Path) -> set[str]:
    """The source ids the records of corrections/memberships.json cite (none if it is missing)."""
    path = root / MEMBERSHIP_CORRECTIONS
    if not path.is_file():
        return set()
    document = json.loads(path.read_text(encoding="utf-8"))
    return set(_strings_under(document, ("source_id", "since_source_id", "until_source_id")))


def _strings_under(node: object, keys: Iterable[str]) -> Iterable[str]:
    keys = tuple(keys)
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys and isinstance(value, str):
                yield value
            else:
                yield from _strings_under(value, keys)
    elif isinstance(node, list):
        for item in node:
            yield from _strings_under(item, keys)


class ImportedSources:
    """Tells whether a source id is one the import reads (its rows are rebuilt by the import)."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.extra = frozenset(extra)

    @classmethod
    def of(cls, root: Path) -> ImportedSources:
        return cls(correction_sources(root))

    def __contains__(self, source_id: object) -> bool:
        return isinstance(source_id, str) and (
            source_id.startswith(RAW_SOURCE_PREFIXES) or source_id in RAW_SOURCES or source_id in self.extra
        )
