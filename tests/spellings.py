"""Hypothesis strategy shared by the fmt and round-trip property tests: the many ways a CSV
cell can spell one value, all of which the tools must read as that value."""

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
        return draw(st.sampled_from(["true", "TRUE", "True", "1"] if value else ["false", "FALSE", "False", "0"]))
    if isinstance(value, int):
        return draw(st.sampled_from([str(value), f"{value}.0", f"{value}e0", f" {value} "]))
    if isinstance(value, float):
        exact = Decimal(repr(value))
        return draw(st.sampled_from([repr(value), format(exact, "f"), f"{value:.17g}", f"{exact:E}", f" {value!r}"]))
    if isinstance(value, Decimal):
        spellings = [tables.format_cell(value), str(value), f"{value:e}", f"{value:E}", f" {value} "]
        if value >= 0:
            spellings.append(f"+{value}")
        return draw(st.sampled_from(spellings))
    if isinstance(value, datetime.date):
        return draw(st.sampled_from([value.isoformat(), f" {value.isoformat()}"]))
    return value
