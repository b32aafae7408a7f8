"""Map Factbook file names (GEC codes) to ISO 3166 codes, from country-codes-gec/Countrycodes.csv;
and what every raw CSV source is read with (csv_rows, SourceError)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

CODES_FILE = Path("country-codes-gec") / "Countrycodes.csv"
REQUIRED_COLUMNS = ("ISO_3166_2", "ISO_3166_3", "FIPS_GEC", "independent", "NAME.EN")


class SourceError(ValueError):
    """A raw source file is missing or malformed; the message names the file and line."""


@dataclass(frozen=True)
class CodeEntry:
    gec: str  # lower case, as in the Factbook's file names
    iso3: str
    iso2: str
    name: str  # NAME.EN
    independent: bool | None  # None where the table leaves it empty (e.g. Kosovo)


def read_code_table(path: Path) -> dict[str, CodeEntry]:
    """GEC (lower case) -> entry, for every row that has both a GEC and an ISO3 code.

    Rows without a GEC (Åland, Caribbean Netherlands) or without an ISO3 code (Gaza Strip,
    Akrotiri, Spratly Islands ...) cannot link a Factbook profile to a country and are left out.
    """
    entries: dict[str, CodeEntry] = {}
    for line, row in csv_rows(path, REQUIRED_COLUMNS):
        gec, iso3, iso2 = (
            (row["FIPS_GEC"] or "").strip().lower(),
            (row["ISO_3166_3"] or "").strip(),
            (row["ISO_3166_2"] or "").strip(),
        )
        if not gec or not iso3:
            continue
        if len(iso3) != 3 or len(iso2) != 2 or len(gec) != 2:
            raise SourceError(f"{path}:{line}: malformed codes {gec!r}, {iso2!r}, {iso3!r}")
        if gec in entries:
            raise SourceError(f"{path}:{line}: GEC code {gec.upper()} appears twice")
        flag = (row["independent"] or "").strip().upper()
        if flag not in ("TRUE", "FALSE", ""):
            raise SourceError(f"{path}:{line}: independent must be TRUE, FALSE or empty, not {flag!r}")
        entries[gec] = CodeEntry(
            gec, iso3.upper(), iso2.upper(), row["NAME.EN"].strip(), {"TRUE": True, "FALSE": False}.get(flag)
        )
    return entries


def csv_rows(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a CSV file with a header (line 1), after checking the columns we read."""
    if not path.is_file():
        raise SourceError(f"{path}: file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in required if name not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(f"{path}:1: missing column(s) {', '.join(missing)}")
        yield from enumerate(reader, start=2)
