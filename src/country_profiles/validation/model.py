"""A data package loaded for validation: the contract between structure checks and rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported by whoever builds the frames
    import pandas as pd


@dataclass
class Table:
    """One tabular resource, typed by its Table Schema.

    `frame` has one column per schema field, in schema order, with dtypes by field type:
    string -> "str", integer -> "Int64", number -> "float64", boolean -> "boolean",
    date -> "datetime64[ns]". Its index is the CSV line number of each row (the header is
    line 1), so a rule that blames index labels blames lines. A cell that is missing or
    failed its type check is null here; structure checks have already reported it.
    """

    name: str
    path: str
    schema: dict[str, Any]
    frame: "pd.DataFrame"


@dataclass
class LoadedPackage:
    root: Path
    descriptor: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)
