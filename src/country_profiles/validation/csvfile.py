"""Reading a CSV file into string cells, with the line where each record starts: Arrow for the
usual rectangular file, a numpy scan and pandas for others, Python's csv module (what
frictionless reads with) for quoting only it can follow."""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd





@dataclass
class Records:
    """The cells of a CSV file as strings. `cells` has one row per record (header first) and
    as many columns as the longest record; `counts` is each record's number of cells, `lines`
    the physical line where it starts, and `unclosed_quote` the line of a record whose quoted
    cell is never closed (it then runs to the end of the file)."""

    cells: pd.DataFrame
    counts: np.ndarray
    lines: np.ndarray
    unclosed_quote: int | None = None


_BAD_BYTES = threading.local()  # validate checks two files at a time, one per thread


def _record_bad_byte(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _BAD_BYTES.offsets.append(error.start)
    return "\ufffd", error.end


codecs.register_error("country_profiles_record", _record_bad_byte)


def decode_utf8(data: bytes) -> tuple[str, list[int]]:
    """Decode, replacing bad bytes, and return the text and the offset of each bad byte run."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    _BAD_BYTES.offsets = []
    text = data.decode("utf-8", errors="country_profiles_record")
    offsets, _BAD_BYTES.offsets = _BAD_BYTES.offsets, []
    return text, offsets


_SEPARATORS = np.array([ord(","), ord("\n"), ord("\r")], dtype=np.uint8)


def _scan(data: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """Record boundaries found with numpy: a newline or comma ends a record or cell when an even
    number of quotes precede it. Returns (counts, lines) per record, or None when the quoting
    is not plain RFC 4180 (a stray or unclosed quote, a lone CR) and only a CSV parser can tell."""
    arr = np.frombuffer(data, dtype=np.uint8)
    size = arr.size
    all_newlines = np.flatnonzero(arr == 10)
    carriage = np.flatnonzero(arr == 13)
    if carriage.size and (carriage[-1] == size - 1 or (arr[carriage + 1] != 10).any()):
        return None
    quotes = np.flatnonzero(arr == 34)
    commas = np.flatnonzero(arr == 44)
    newlines = all_newlines
    if quotes.size:
        if not _quotes_are_plain(arr, quotes):
            return None
        newlines = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    ends = newlines
    if size and (ends.size == 0 or ends[-1] != size - 1):
        ends = np.append(ends, size)
    starts = np.concatenate(([0], newlines + 1))[: ends.size]
    lengths = ends - starts
    lengths = lengths - ((lengths > 0) & (arr[np.maximum(ends - 1, 0)] == 13))
    counts = np.bincount(np.searchsorted(ends, commas, side="right"), minlength=ends.size)[: ends.size] + 1
    counts[lengths == 0] = 0
    lines = np.searchsorted(all_newlines, starts) + 1
    return counts, lines


def _quotes_are_plain(arr: np.ndarray, quotes: np.ndarray) -> bool:
    """Whether the quotes at these offsets follow RFC 4180: each odd quote opens a cell (or
    continues one after an escaped ""), each even one closes it."""
    if quotes.size % 2:
        return False
    size = arr.size
    opening, closing = quotes[0::2], quotes[1::2]
    escaped = np.zeros(opening.size, dtype=bool)
    escaped[1:] = closing[:-1] == opening[1:] - 1
    opens_cell = (opening == 0) | np.isin(arr[np.maximum(opening - 1, 0)], _SEPARATORS) | escaped
    reopened = np.zeros(closing.size, dtype=bool)
    reopened[:-1] = opening[1:] == closing[:-1] + 1
    at_end = closing == size - 1
    closes_cell = at_end | np.isin(arr[np.minimum(closing + 1, size - 1)], _SEPARATORS) | reopened
    return bool(opens_cell.all() and closes_cell.all())


def _read_rectangular(data: bytes) -> Records | None:
    """The fast path, for the usual file: one record per line (LF line ends, no blank line, no
    line break inside a quoted cell, plain quoting) and every record as wide as the first, so no
    scan is needed to find records and lines. Arrow reads it on every core. None when the file
    is not of that kind (the scan and pandas, or the csv module, then read it)."""
    if b"\r" in data or data.startswith(b"\n"):
        return None  # CR line ends or a blank first line: the scan counts their lines
    quoted = b'"' in data
    if quoted:
        arr = np.frombuffer(data, dtype=np.uint8)
        quotes = np.flatnonzero(arr == 34)
        if not _quotes_are_plain(arr, quotes) or _line_break_within_quotes(data, arr, quotes):
            return None  # a quote the scan must judge, or a line break inside a quoted cell
    width = _first_record_width(data)
    records = data.count(b"\n") + (not data.endswith(b"\n"))
    # Blank lines: the scan counts their lines. Without quotes, every record as wide as the
    # first has width - 1 commas, so counting commas finds a blank line three times faster than
    # searching for two line ends in a row.
    if (data.count(b",") != records * (width - 1)) if width > 1 and not quoted else (b"\n\n" in data):
        return None
    cells = _rectangular_with_pyarrow(data, width)
    if cells is None or len(cells) != records:
        return None
    return Records(cells, np.full(records, width, dtype=np.int64), np.arange(1, records + 1))


def _line_break_within_quotes(data: bytes, arr: np.ndarray, quotes: np.ndarray) -> bool:
    """Whether a line break lies between an opening quote and its closing one (the quotes pair
    up, as _quotes_are_plain checked). A few quoted cells are looked into one by one; many are
    judged by where every line break falls among the quotes."""
    if quotes.size <= 10_000:
        return any(data.find(b"\n", start, end) >= 0 for start, end in zip(quotes[0::2].tolist(), quotes[1::2].tolist()))
    newlines = np.flatnonzero(arr == 10)
    return bool((np.searchsorted(quotes, newlines) % 2).any())


def _first_record_width(data: bytes) -> int:
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)]
    if b'"' in first:  # commas inside quotes do not separate cells
        first = re.sub(rb'"(?:[^"]|"")*"', b"", first)
    return first.count(b",") + 1


def _rectangular_with_pyarrow(data: bytes, width: int) -> pd.DataFrame | None:
    """The cells, read by Arrow; None when a record is not `width` cells wide."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [f"f{position}" for position in range(width)]  # Arrow's generated names
    # Arrow's 32-bit offsets hold any column of a file below 2 GiB, and joining their blocks is
    # far cheaper than joining 64-bit ones; pandas widens the joined column in one pass.
    text_type = pa.string() if len(data) < 2**31 else pa.large_string()
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),  # read natively, without a Python file object
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: text_type for name in names},
                null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None  # a record wider or narrower than the first
    # One chunk per column (Arrow reads in blocks): taking rows from one chunk is several times
    # faster. Each column's blocks are freed as soon as they are joined, to keep memory low.
    columns = table.columns
    del table
    cells = {}
    for position in range(len(columns)):
        cells[position] = pd.array(columns[position].combine_chunks(), dtype="str")
        columns[position] = None
    return pd.DataFrame(cells, copy=False)


def _read_with_pandas(data: bytes, counts: np.ndarray) -> pd.DataFrame | None:
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            header=None,
            names=range(max(int(counts.max()), 1)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            encoding="utf-8",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    return frame if len(frame) == counts.size else None


class CsvError(Exception):
    """The csv module could not read the file either; `line` is where it stopped."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


_CSV_MODULE = threading.Lock()


def _read_with_csv_module(text: str) -> Records:
    """The slow path for files whose quoting the numpy scan cannot follow: Python's csv module,
    which is also what frictionless reads with. Raises CsvError when it cannot either."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    lines: list[int] = []
    next_line = 1
    with _CSV_MODULE:  # the cell size limit is the module's, shared by every thread
        limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # pandas has no cell limit
        try:
            for row in reader:
                rows.append(row)
                lines.append(next_line)
                next_line = reader.line_num + 1
            unclosed = _unclosed_quote(text, lines)
        except csv.Error as exc:
            raise CsvError(str(exc), next_line) from exc
        finally:
            csv.field_size_limit(limit)
    counts = np.array([len(row) for row in rows], dtype=np.int64)
    width = max([1, *counts.tolist()])
    padded = [row + [""] * (width - len(row)) for row in rows]
    frame = pd.DataFrame(padded, columns=range(width), dtype="str")
    return Records(frame, counts, np.array(lines, dtype=np.int64), unclosed)


def _unclosed_quote(text: str, lines: list[int]) -> int | None:
    """The start line of the last record when a quoted cell in it runs to the end of the file.
    Only the last record can hold one: an unclosed quote swallows everything after it."""
    if not lines or text.count('"') % 2 == 0:
        return None
    start = 0
    for number, match in enumerate(_LINE_BREAK.finditer(text), start=2):
        if number > lines[-1]:
            break
        start = match.end()
    try:
        for _ in csv.reader(io.StringIO(text[start:], newline=""), strict=True):
            pass
    except csv.Error as exc:
        return lines[-1] if "unexpected end of data" in str(exc) else None
    return None


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what ends a line for the csv module (universal newlines)


def line_starts(data: bytes) -> np.ndarray:
    """Offsets where each physical line starts (after \\n, \\r\\n or a lone \\r)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    newline = arr == 10
    lone_cr = (arr == 13) & ~np.append(newline[1:], False)
    return np.concatenate(([0], np.flatnonzero(newline | lone_cr) + 1))


def read_records(data: bytes, text: str | None = None) -> Records:
    """Parse CSV bytes (UTF-8, no BOM) into string cells. Raises CsvError when no parser can."""
    rectangular = _read_rectangular(data)
    if rectangular is not None:
        return rectangular
    scanned = _scan(data)
    if scanned is not None:
        counts, lines = scanned
        frame = _read_with_pandas(data, counts)
        if frame is not None:
            return Records(frame, counts, lines)
    return _read_with_csv_module(text if text is not None else data.decode("utf-8"))
