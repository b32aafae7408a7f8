"""Handing freed memory back between stages: it must work where glibc does, and be harmless elsewhere."""

from __future__ import annotations

import sys

import pytest

from country_profiles.validation import memory


def resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux") or memory._malloc_trim() is None, reason="glibc only")
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    """Many small blocks live in the C heap, where free() keeps them; trimming returns them.
    The last block stays allocated, so the heap cannot shrink from its top on its own."""
    blocks = [bytearray(32 * 1024) for _ in range(6000)]  # about 190 MiB, each below malloc's mmap threshold
    for block in blocks:
        block[::4096] = b"x" * len(block[::4096])
    keep = blocks[-1]
    del blocks[-1]
    before = resident_mib()
    del blocks
    memory.return_free_memory()
    assert resident_mib() < before - 100
    assert len(keep) == 32 * 1024


def test_where_there_is_no_malloc_trim_nothing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    memory.return_free_memory()  # no error, nothing to trim
