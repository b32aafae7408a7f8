"""Handing freed memory back to the system between the stages of a validation.

The C allocator keeps memory that pandas and Arrow free, to reuse it; but the next stage's
frames are of other sizes and often take fresh memory instead, so the peak is the sum of the
stages. Trimming after each file and before the rules (and between the rules' topics) makes
it their largest instead. Each trim takes a few milliseconds; on the benchmark's 100x package
the peak drops from about 850 MiB to about 600 MiB at the same speed (scripts/bench.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Any


def return_free_memory() -> None:
    """Give memory freed so far back to the system: Arrow's pool, then the C allocator (glibc's
    malloc_trim; other systems return freed memory on their own)."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc (musl has no malloc_trim)
