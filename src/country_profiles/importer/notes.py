"""The note of an imported row: its remarks, the empty ones left out, joined with '; '."""

from __future__ import annotations


def join_notes(*notes: str | None) -> str | None:
    kept = [note for note in notes if note]
    return "; ".join(kept) if kept else None
