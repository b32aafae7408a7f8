"""Hypothesis strategy shared by the fmt and round-trip property tests: the many ways a CSV
cell can spell one value that validation accepts, all of which the tools must read as that value.
(Spellings validation refuses, such as spaces around a number, fmt must leave alone: test_fmt.)"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from country_profiles import tables


@st.composite
def spelled(draw: Any, value: Any) -> str:
    """One of the spellings of `value` (text, and dates given as ISO text, stay as they are)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # the package's boolean fields declare only these
    if isinstance(value, int):
        return draw(st.sampled_from([str(value), f"+{value}" if value >= 0 else str(value), f"{value:+04d}"]))
    if isinstance(value, float):
        exact = Decimal(repr(value))
        return draw(st.sampled_from([repr(value), format(exact, "f"), f"{value:.17g}", f"{exact:E}", f"{value!r}0"
                                     if "e" not in repr(value) and "." in repr(value) else repr(value)]))
    if isinstance(value, Decimal):
        spellings = [tables.format_cell(value), str(value), f"{value:e}", f"{value:E}"]
        if value >= 0:
            spellings.append(f"+{value}")
        return draw(st.sampled_from(spellings))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
