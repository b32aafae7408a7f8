"""The fast paths of validation report exactly what the portable ones report.

Arrow reads rectangular files and parses integer and number columns when pyarrow is installed;
without it, pandas' C parser reads them and each distinct text is parsed in Python. Switching
the fast paths off must not change a single finding, on a synthetic package with broken rows
and on hand-written tables with every kind of number the grammar accepts or rejects.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from country_profiles.bench import generate
from country_profiles.validation import csvfile, structure, validate



def assert_same(fast, portable) -> None:  # type: ignore[no-untyped-def]
    """The same findings, and typed tables equal in values, dtypes and lines."""
    assert portable.to_json() == fast.to_json()
    assert portable.package.tables.keys() == fast.package.tables.keys()
    for name, table in fast.package.tables.items():
        other = portable.package.tables[name].frame
        assert other.dtypes.to_dict() == table.frame.dtypes.to_dict(), name
        assert other.equals(table.frame), name


def without_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Arrow's paths: the scan and pandas read the files, the codec parses the numbers."""
    monkeypatch.setattr(csvfile, "_read_rectangular", lambda data: None)
    monkeypatch.setattr(structure, "_parse_with_arrow", lambda spec, raw, keep: (  # Arrow reads nothing
        keep, pd.Series(pd.array([None] * len(raw), dtype=structure.DTYPES[spec.type]), index=raw.index)))


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("fast"), 0.3, countries=9, error_share=0.2, seed=7).descriptor


def test_synthetic_package_reports_the_same(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = validate(broken)
    without_fast_paths(monkeypatch)
    assert_same(fast, validate(broken))
    assert fast.counts["error"] > 10


NUMBERS = ["0", "-0", "+1.5", ".5", "5.", "1E5", "1e-400", "1e999", "-1e999", "4.9e-324", "1,5", "1.2.3", "nan",
           "inf", " 7", "7 ", "0x10", "1_000", "１", "12345678901234567890", "0.30000000000000004", "e5", "-", ""]
INTEGERS = ["0", "-0", "+5", "007", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1.0",
            "1e3", " 3", "3 ", "", "٣", "-"]


@pytest.mark.parametrize("texts", [NUMBERS, INTEGERS], ids=["numbers", "integers"])
def test_every_kind_of_number_parses_the_same(texts: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    field_type = "number" if texts is NUMBERS else "integer"
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "amount", "type": field_type,
                                                              "constraints": {"minimum": 0}}]}
    (tmp_path / "schemas").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "schemas/amounts.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    rows = "".join(f'{number},"{text}"\n' for number, text in enumerate(texts))
    (tmp_path / "data/amounts.csv").write_text("id,amount\n" + rows, encoding="utf-8")
    descriptor = {"name": "amounts", "resources": [{"name": "amounts", "path": "data/amounts.csv", "format": "csv",
                                                    "schema": "schemas/amounts.schema.json"}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    fast = validate(tmp_path, rules=False)
    without_fast_paths(monkeypatch)
    assert_same(fast, validate(tmp_path, rules=False))
    assert fast.counts["error"] > 5


def test_text_held_as_python_strings_reports_the_same(broken: Path) -> None:
    """pandas keeps text in Arrow when pyarrow is installed, else as Python strings; the checks
    that look into Arrow's arrays directly (missing cells, foreign keys) have a pandas twin."""
    fast = validate(broken)
    with pd.option_context("mode.string_storage", "python"):
        portable = validate(broken)
    assert {table.frame["country"].dtype.storage for table in portable.package.tables.values()
            if "country" in table.frame} == {"python"}
    assert portable.to_json() == fast.to_json()


def quoted_rows(count: int, line_break_at: int | None) -> bytes:
    rows = [f'AAA,"note {number}{chr(10) if number == line_break_at else ""}"' for number in range(count)]
    return ("country,note\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("count", [10, 6000], ids=["few-quoted-cells", "many-quoted-cells"])
def test_a_line_break_inside_quotes_leaves_the_fast_reader(count: int) -> None:
    """One record per line is what the fast reader assumes; a quoted line break breaks that, and
    it is found both by looking into each quoted cell and, for many, by one pass over the file."""
    for line_break_at, expected in ((None, False), (count // 2, True)):
        data = quoted_rows(count, line_break_at)
        arr = np.frombuffer(data, dtype=np.uint8)
        assert structure._line_break_within_quotes(data, arr, np.flatnonzero(arr == 34)) is expected
    plain = structure._read_rectangular(quoted_rows(count, None))
    assert plain is not None and len(plain.cells) == count + 1
    assert structure._read_rectangular(quoted_rows(count, count // 2)) is None
    records = structure.read_records(quoted_rows(count, count // 2))
    assert len(records.cells) == count + 1 and records.cells.iloc[count // 2 + 1, 1] == f"note {count // 2}\n"
