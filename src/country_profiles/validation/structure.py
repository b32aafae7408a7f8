"""Structural checks: read each CSV into a typed frame and check what its Table Schema declares.

Everything is column-wise and vectorized: a column is parsed once per distinct value, and a
bad cell only nulls itself in the typed frame, so every other check of that column still runs.
The frame index is the CSV line number (header = line 1), also for quoted cells that span lines.

Columns are matched to schema fields by position, as the Table Schema specification and
frictionless' default (`fieldsMatch: exact`) do; a header that does not match is reported at
line 1 and the cells below are still checked against the field at their position.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

import numpy as np
import pandas as pd

from country_profiles import codec
from country_profiles.validation.compiled import (  # noqa: F401  (compile_schema and the rest: this module's API)
    BOUND_NAMES, DTYPES, NONZERO_MANTISSA, TYPES, Bound, CompiledSchema, FieldSpec, ForeignKey, as_names,
    compile_field, compile_schema, lookalike_note, show,
)
from country_profiles.validation.csvfile import (  # noqa: F401
    CsvError, Records, _line_break_within_quotes, _read_rectangular, decode_utf8, line_starts, read_records,
)
from country_profiles.validation.fallback import FALLBACK_RULE
from country_profiles.validation.findings import ERROR, WARNING, Finding, Rule
from country_profiles.validation.limits import PER_RULE_AND_COLUMN, more_finding
from country_profiles.validation.patterns import MAX_TIMEOUTS, SECONDS_PER_CELL, compile_pattern, failing_texts
from country_profiles.validation.model import Table

HEADER_LINE = 1

STRUCTURE_RULES: tuple[Rule, ...] = (
    Rule(
        "csv_is_not_empty",
        ERROR,
        "Every CSV file has at least a header line.",
        hint="Write the header line (the schema's field names, comma-separated) even when the table has no rows.",
    ),
    Rule(
        "csv_has_no_bom",
        WARNING,
        "CSV files are UTF-8 without a byte order mark.",
        hint="Save the file as 'UTF-8' rather than 'UTF-8 with BOM'. A warning, not an error: "
        "frictionless and pandas skip the mark, but other readers see it as part of the first column name.",
    ),
    Rule(
        "csv_is_utf8",
        ERROR,
        "Every CSV file is valid UTF-8.",
        hint="Re-save the file as UTF-8; the listed lines hold bytes from another encoding (often Latin-1 or Windows-1252).",
    ),
    Rule(
        "csv_is_well_formed",
        ERROR,
        "Every quoted cell is closed and the file parses as CSV (RFC 4180).",
        hint="Close the quote, or double a quote character inside a quoted cell (\"\").",
    ),
    Rule(
        "header_matches_schema",
        ERROR,
        "Line 1 names the schema's fields, in the schema's order, exactly.",
        hint="Make line 1 list the fields of the Table Schema in order (or change the schema). "
        "Columns are matched by position, so cells below a wrong header are checked against the field the schema puts there.",
    ),
    Rule(
        "row_is_not_blank",
        ERROR,
        "No row is blank (every row holds at least one value).",
        hint="Delete the blank line.",
    ),
    Rule(
        "row_has_all_cells",
        ERROR,
        "Every row has a cell for every column of the header.",
        hint="Add the missing commas (an empty cell is written as nothing between two commas).",
    ),
    Rule(
        "row_has_no_extra_cells",
        ERROR,
        "No row has more cells than the header has columns.",
        hint="Remove the extra cells, or quote a cell that contains a comma.",
    ),
    Rule(
        "cell_has_field_type",
        ERROR,
        "Every non-missing cell parses as its field's type (and format).",
        hint="Write integers as 123, numbers as 123.45 (dot as decimal mark, no thousands separators, digits 0-9), "
        "dates as YYYY-MM-DD, booleans as the schema's trueValues/falseValues, URIs with a scheme (https://...).",
    ),
    Rule(
        "number_has_no_surrounding_whitespace",
        ERROR,
        "Integer and number cells hold the value alone, without spaces around it.",
        hint="Delete the spaces. Table Schema reads ' 12' as 12, but this package's tables never write them, "
        "so a space usually means a value pasted from elsewhere.",
    ),
    Rule(
        "number_is_finite",
        ERROR,
        "Number cells are finite: NaN, INF and -INF are Table Schema numbers, but no figure of this package is one.",
        hint="Leave the cell empty when the value is unknown.",
    ),
    Rule(
        "required_cell_present",
        ERROR,
        "Cells of required fields and primary key fields are not missing.",
        hint="Fill in the value; if it is truly unknown, the field should not be required (discuss in the pull request).",
    ),
    Rule(
        "value_in_enum",
        ERROR,
        "Values of a field with an enum constraint are one of the listed values.",
        hint="Use one of the values the schema lists (exact spelling and case), or add the new value to the schema's enum.",
    ),
    Rule(
        "value_matches_pattern",
        ERROR,
        "String values match their field's pattern (the whole value, as frictionless does).",
        hint="Correct the value so that all of it matches the pattern in the Table Schema.",
    ),
    Rule(
        "value_length_within_bounds",
        ERROR,
        "String values are no shorter than minLength and no longer than maxLength.",
        hint="Shorten or complete the value to fit the length the schema allows.",
    ),
    Rule(
        "value_within_bounds",
        ERROR,
        "Values respect their field's minimum, maximum, exclusiveMinimum and exclusiveMaximum.",
        hint="Check the value against the source (a typo, a wrong unit, a misplaced decimal point); "
        "if it is right, the bound in the Table Schema is wrong.",
    ),
    Rule(
        "values_unique",
        ERROR,
        "Fields with a unique constraint hold each value at most once.",
        hint="Remove the duplicate row or correct one of the two values.",
    ),
    Rule(
        "primary_key_unique",
        ERROR,
        "No two rows share the same primary key.",
        hint="Merge the two rows or correct the key of one of them.",
    ),
    Rule(
        "foreign_key_resolves",
        ERROR,
        "Every foreign key value exists in the table and fields it refers to.",
        hint="Correct the value, or add the missing row to the referenced table first.",
    ),
)
STRUCTURE_RULES += (FALLBACK_RULE,)
_RULES = {rule.id: rule for rule in STRUCTURE_RULES}

# --- Checking one table ---


@dataclass
class TableResult:
    """What checking one CSV yields: findings always; a typed Table when the file could be read."""

    name: str
    path: str
    findings: list[Finding] = field(default_factory=list)
    table: Table | None = None
    labels: list[str] = field(default_factory=list)
    rows: int = 0
    header_ok: bool = False


@dataclass
class _Context:
    resource: str
    path: str
    findings: list[Finding]

    def add(self, rule_id: str, message: str, line: int | None = None, *, lines: tuple[int, ...] | None = None,
            column: str | None = None, value: Any = None, position: int | None = None) -> None:
        """One finding; `position` is the 0-based index of the blamed cell in its row."""
        rule = _RULES[rule_id]
        blamed = lines if lines is not None else ((line,) if line is not None else ())
        number = position + 1 if position is not None else None
        self.findings.append(
            Finding(rule.id, rule.severity, message, self.resource, self.path, line, blamed, column, value, number)
        )

    def add_cells(self, rule_id: str, column: str, position: int, raw: pd.Series, blamed: np.ndarray,
                  message: Callable[[Any], str]) -> None:
        """One finding per blamed cell: `raw` holds the column's text, indexed by line, and
        `blamed` says which cells are wrong. Only those are taken: filtering a whole column of
        a million rows to find none would cost more than checking it."""
        if not blamed.any():
            return
        rule = _RULES[rule_id]
        indices = np.flatnonzero(blamed)
        listed = indices[:PER_RULE_AND_COLUMN]  # the rest only counted (limits.py): bounded memory and report
        cells = raw.iloc[listed]
        for line, value in zip(cells.index.tolist(), cells.tolist()):
            self.findings.append(Finding(rule.id, rule.severity, message(value), self.resource, self.path, line,
                                         (line,), column, value, position + 1))
        if len(indices) > len(listed):
            self.findings.append(more_finding(self.findings[-1], len(indices) - len(listed), f"in column {column}",
                                              PER_RULE_AND_COLUMN))


MAX_COLUMNS = 1_000  # in a CSV header; the package's widest table has 8


def check_table(name: str, path: str, raw_schema: dict[str, Any], schema: CompiledSchema, data: bytes) -> TableResult:
    """Check one CSV file, given as bytes, against its compiled Table Schema."""
    result = TableResult(name, path)
    context = _Context(name, path, result.findings)
    if data.startswith(codecs.BOM_UTF8):
        context.add("csv_has_no_bom", "the file starts with a UTF-8 byte order mark (BOM)", HEADER_LINE)
        data = data[len(codecs.BOM_UTF8) :]
    if re.fullmatch(rb"[\r\n]*", data):  # nothing but line ends (without copying a large file)
        context.add("csv_is_not_empty", "the file is empty; it needs at least the header line", HEADER_LINE)
        # A table without rows: foreign keys into it resolve nowhere, as in frictionless.
        empty = pd.Index([], dtype="int64", name="line")
        frame = pd.DataFrame({spec.name: _null_column(spec, empty) for spec in schema.fields}, index=empty)
        result.table = Table(name=name, path=path, schema=raw_schema, frame=frame)
        return result
    nul = data.find(b"\x00")
    if nul >= 0:  # one finding, not one per garbled row: nothing in such a file is a cell
        line = int(np.searchsorted(line_starts(data), nul, side="right"))
        context.add("csv_is_utf8", f"byte 0x00 (NUL) on line {line}: a CSV file is text and never holds one; this is "
                    "a binary file (a spreadsheet, an archive) or UTF-16 text saved as .csv, so it was not read further",
                    line, value="0x00")
        return result
    header_end = data.find(b"\n", 0, 1 << 24)
    separators = data.count(b",", 0, header_end if header_end >= 0 else 1 << 24)
    if separators >= MAX_COLUMNS:  # one finding, not one per unexpected column of every row
        context.add("csv_is_well_formed", f"line 1 has {separators + 1:,} or more columns; a table may have at most "
                    f"{MAX_COLUMNS:,}, so the file was not read further", HEADER_LINE)
        return result
    # ASCII is UTF-8: the check then costs one pass over the bytes and no decoded copy.
    text, bad_offsets = (None, []) if data.isascii() else decode_utf8(data)
    if bad_offsets:
        starts = line_starts(data)
        bad_lines = tuple(sorted(set((np.searchsorted(starts, bad_offsets, side="right")).tolist())))
        first = data[bad_offsets[0] : bad_offsets[0] + 1]
        context.add(
            "csv_is_utf8",
            f"byte 0x{first.hex()} on line {bad_lines[0]} is not UTF-8"
            + (f" (lines with such bytes: {_line_list(bad_lines)})" if len(bad_lines) > 1 else ""),
            bad_lines[0],
            lines=bad_lines,
            value=f"0x{first.hex()}",
        )
        data = text.encode("utf-8")
    else:
        text = None  # valid as it is; only the csv module's slow path needs it, and decodes it again
    try:
        records = read_records(data, text)
        del data, text  # the cells hold what the checks need; a large file's bytes can go
    except CsvError as exc:
        context.add("csv_is_well_formed", f"the file cannot be read as CSV from line {exc.line}: {exc}", exc.line)
        return result
    if records.unclosed_quote is not None:
        context.add(
            "csv_is_well_formed",
            f"a quoted cell in the row on line {records.unclosed_quote} is never closed, "
            "so it runs to the end of the file",
            records.unclosed_quote,
        )

    result.labels = [str(label) for label in records.cells.iloc[0, : records.counts[0]].tolist()]
    result.header_ok = _check_header(context, schema, result.labels)
    frame = _check_rows(context, schema, records, result.labels)
    result.rows = int(records.counts.size - 1)
    result.table = Table(name=name, path=path, schema=raw_schema, frame=frame)
    return result


def _line_list(lines: tuple[int, ...], limit: int = 20) -> str:
    shown = ", ".join(str(line) for line in lines[:limit])
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")


def _check_header(context: _Context, schema: CompiledSchema, labels: list[str]) -> bool:
    """Compare line 1 with the schema's field names, position by position."""
    names = schema.field_names
    before = len(context.findings)
    if not labels:
        context.add("header_matches_schema", f"line 1 is blank; it should be the header: {','.join(names)}", HEADER_LINE)
        return False
    seen: set[str] = set()
    for position, label in enumerate(labels, start=1):
        expected = names[position - 1] if position <= len(names) else None
        if expected is None:
            context.add("header_matches_schema", f"column {position} {show(label)} is not in the schema",
                        HEADER_LINE, column=label or None, value=label, position=position - 1)
        elif label != expected:
            if not label.strip():
                reason = f"column {position} has no name; the schema expects {show(expected)} there"
            elif label in seen:
                reason = f"column {position} repeats the header {show(label)}; the schema expects {show(expected)} there"
            elif label.strip().lower() == expected.lower():
                reason = f"column {position} is {show(label)}; write it exactly {show(expected)}"
            elif label in names:
                reason = (f"column {position} is {show(label)} but the schema expects {show(expected)} there "
                          f"(the schema's order is: {', '.join(names)})")
            else:
                reason = f"column {position} is {show(label)}, unknown to the schema, which expects {show(expected)} there"
            context.add("header_matches_schema", reason, HEADER_LINE, column=expected, value=label,
                        position=position - 1)
        seen.add(label)
    for expected in names[len(labels) :]:
        context.add("header_matches_schema",
                    f"column {show(expected)} is missing (the schema has {len(names)} fields, the header {len(labels)})",
                    HEADER_LINE, column=expected)
    return len(context.findings) == before


def _check_rows(context: _Context, schema: CompiledSchema, records: Records, labels: list[str]) -> pd.DataFrame:
    """Check the data rows; returns the typed frame (blank rows left out, index = line)."""
    fields = schema.fields
    # A missing header leaves the schema to say how many cells a row has, as in frictionless.
    width = len(labels) if labels else len(fields)
    line_index = pd.Index(records.lines[1:], name="line")
    data = records.cells.iloc[1:].set_axis(line_index, axis=0)
    counts = records.counts[1:]
    names = [fields[i].name if i < len(fields) else labels[i] for i in range(width)]
    available = min(width, data.shape[1])

    # Per column: which cells hold a missing value. A blank row has every cell missing (absent
    # or a missing value), as frictionless counts it.
    missing: list[np.ndarray] = []
    blank = np.ones(len(counts), dtype=bool)
    for position in range(available):
        missing_values = fields[position].missing_values if position < len(fields) else schema.missing_values
        missing.append(_is_missing(data[position], missing_values))
        blank &= (counts <= position) | missing[position]
    for line in line_index[blank].tolist():
        context.add("row_is_not_blank", "the row is blank", line)
    rows = ~blank

    for line, count in zip(line_index[rows & (counts < width)].tolist(), counts[rows & (counts < width)].tolist()):
        for position in range(count, width):
            context.add("row_has_all_cells",
                        f"the row has {count} cells, the header {width}: no cell for column {show(names[position])}",
                        line, column=names[position], position=position)
    for line, count in zip(line_index[rows & (counts > width)].tolist(), counts[rows & (counts > width)].tolist()):
        extra = data.loc[line, list(range(width, count))].tolist()
        context.add("row_has_no_extra_cells",
                    f"the row has {count} cells, the header {width}: extra {', '.join(show(cell) for cell in extra)}",
                    line, value=",".join(extra), position=width)

    typed: dict[str, pd.Series] = {}
    primary = set(schema.primary_key)
    for position, spec in enumerate(fields):
        if position >= available:  # no such column in the file: the header finding says so
            typed[spec.name] = _null_column(spec, line_index)
            continue
        present = rows & (counts > position)
        typed[spec.name] = _check_column(context, spec, position, data[position], present, missing[position],
                                         spec.name in primary)

    frame = pd.DataFrame(typed, index=line_index, copy=False)
    _check_unique(context, schema, frame)
    _check_primary_key(context, schema, frame)
    return frame if rows.all() else frame.loc[rows]


def _is_missing(raw: pd.Series, missing_values: Any) -> np.ndarray:
    """Which cells hold one of the missing values. Arrow compares a column of text with "" (the
    usual sole missing value) many times faster than pandas' isin."""
    if list(missing_values) == [""] and raw.dtype.storage == "pyarrow":
        import pyarrow.compute as pc

        return pc.equal(_arrow(raw), "").to_numpy(zero_copy_only=False)
    return raw.isin(missing_values).to_numpy(dtype=bool)


def _kept_texts(raw: pd.Series, keep: np.ndarray) -> pd.Series:
    """The texts, missing where not `keep`."""
    if raw.dtype.storage != "pyarrow":
        return raw.where(keep)
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = _arrow(raw)
    kept = pc.if_else(pa.array(keep), texts, pa.scalar(None, texts.type))
    return pd.Series(pd.array(kept, dtype=raw.dtype), index=raw.index, copy=False)


def _arrow(raw: pd.Series) -> Any:
    """The Arrow array behind a pyarrow-backed column of text (no copy unless it is in blocks)."""
    import pyarrow as pa

    array = pa.array(raw.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _null_column(spec: FieldSpec, index: pd.Index) -> pd.Series:
    return pd.Series(index=index, dtype=DTYPES[spec.type])


def _check_column(context: _Context, spec: FieldSpec, position: int, raw: pd.Series, present: np.ndarray,
                  missing: np.ndarray, in_primary_key: bool) -> pd.Series:
    """Type one column and check its cell constraints; returns the typed column (invalid = null)."""
    missing = present & missing
    if (spec.required or in_primary_key) and missing.any():
        why = "is required" if spec.required else "is part of the primary key"
        context.add_cells("required_cell_present", spec.name, position, raw, missing,
                          lambda value: f"the cell is empty but column {show(spec.name)} {why}")
    keep = present & ~missing
    invalid, typed, unusual = _parse(spec, raw, keep)
    context.add_cells("cell_has_field_type", spec.name, position, raw, invalid, spec.problem)
    if unusual.any():  # valid cells the codec read past Arrow's grammar: the project's own rules
        _check_number_spelling(context, spec, position, raw, unusual & ~invalid)
    _check_constraints(context, spec, position, raw, typed, keep & ~invalid & typed.notna().to_numpy())
    return typed


def _check_number_spelling(context: _Context, spec: FieldSpec, position: int, raw: pd.Series,
                           valid: np.ndarray) -> None:
    """The package's own rules on numbers the standard accepts (codec.spelling_problem), judged
    once per distinct text."""
    problems = {text: codec.spelling_problem(spec.codec, text) for text in raw[valid].unique().to_numpy()}
    for rule_id, finite in (("number_has_no_surrounding_whitespace", False), ("number_is_finite", True)):
        texts = [text for text, problem in problems.items()
                 if problem is not None and (text.strip(codec.XML_SPACE) == text) == finite]
        if texts:
            context.add_cells(rule_id, spec.name, position, raw, valid & raw.isin(texts).to_numpy(), problems.__getitem__)


def _parse(spec: FieldSpec, raw: pd.Series, keep: np.ndarray) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Which kept cells of `raw` do not parse as the field's type, the column in its dtype (see
    model.Table: null where a cell is not kept or not valid), and which cells the codec read
    past the fast grammar (for the project's spelling rules)."""
    nothing = np.zeros(len(raw), dtype=bool)
    if spec.type == "string" and spec.format == "default":
        return nothing, raw if keep.all() else _kept_texts(raw, keep), nothing
    if spec.type in ("integer", "number") and spec.codec.plain and raw.dtype.storage == "pyarrow":
        unread, typed = _parse_with_arrow(spec, raw, keep)
        if not unread.any():
            return nothing, typed, nothing
        invalid, rest = _parse_each(spec, raw, unread)
        read = unread & ~invalid
        return invalid, typed.where(~read, rest), unread
    invalid, typed = _parse_each(spec, raw, keep)
    return invalid, typed, keep if spec.type in ("integer", "number") else nothing


def _parse_each(spec: FieldSpec, raw: pd.Series, keep: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """The codec's reading, once per distinct text: a column of years costs a few dozen parses."""
    parsed_texts = {text: spec.parse(text) for text in raw[keep].unique().to_numpy()}
    invalid_texts = [text for text, value in parsed_texts.items() if value is None]
    invalid = keep & raw.isin(invalid_texts).to_numpy() if invalid_texts else np.zeros(len(raw), dtype=bool)
    valid_texts = raw.where(keep & ~invalid)
    if spec.type == "string":
        return invalid, valid_texts
    codes, distinct = pd.factorize(valid_texts)
    values = [parsed_texts[text] for text in distinct.to_numpy()]
    if DTYPES[spec.type] == "object":
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return invalid, pd.Series(array.take(codes) if len(values) else np.full(len(raw), None), index=raw.index,
                                  dtype=object).where(codes >= 0, None)
    typed = pd.array(values, dtype=DTYPES[spec.type]) if spec.type != "date" else \
        pd.array(pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]"))
    return invalid, pd.Series(typed.take(codes, allow_fill=True), index=raw.index)


def _parse_with_arrow(spec: FieldSpec, raw: pd.Series, keep: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Integers and numbers parsed by Arrow all at once: texts in the strict grammar (no spaces,
    no NaN), then Arrow's cast, which rounds as Python's float() does (correctly). Returns which
    kept cells Arrow did not read (the codec reads those) and the column, null there."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = _arrow(raw)
    grammar = codec.INTEGER_RE if spec.type == "integer" else codec.NUMBER_RE
    matches = pc.fill_null(pc.match_substring_regex(texts, f"^(?:{grammar.pattern})$"), False)
    matches = pc.and_(matches, pa.array(keep))
    target = pa.int64() if spec.type == "integer" else pa.float64()
    castable = texts if pc.all(matches).as_py() else pc.if_else(matches, texts, pa.scalar(None, texts.type))
    try:
        cast = pc.cast(castable, target)
    except pa.ArrowInvalid:  # an integer beyond 64 bits, a '+' sign: the codec reads the column
        return keep, pd.Series(pd.array([None] * len(raw), dtype=DTYPES[spec.type]), index=raw.index)
    read = matches.to_numpy(zero_copy_only=False)
    if spec.type == "integer":
        numbers = pc.fill_null(cast, 0).to_numpy(zero_copy_only=False)
        nulls = pc.is_null(cast).to_numpy(zero_copy_only=False)
        return keep & ~read, pd.Series(pd.arrays.IntegerArray(numbers, nulls), index=raw.index)
    numbers = cast.to_numpy(zero_copy_only=False)
    finite = np.isfinite(numbers)  # 1e999 is inf: the codec says it is too large
    zero = numbers == 0
    if zero.any():  # 1e-400 underflows to 0: the codec says so
        nonzero = pc.match_substring_regex(texts, f"^{NONZERO_MANTISSA.pattern}").to_numpy(zero_copy_only=False)
        finite &= ~(zero & nonzero)
    read &= finite
    return keep & ~read, pd.Series(np.where(read, numbers, np.nan), index=raw.index)


def _check_constraints(context: _Context, spec: FieldSpec, position: int, texts: pd.Series,
                       values: pd.Series, valid: np.ndarray) -> None:
    """Constraints on the cells that are `valid` (present and of the field's type): `texts` are
    the column's raw strings, `values` the typed column (null where not valid)."""
    if not valid.any():
        return
    if spec.enum is not None:
        allowed = [pd.Timestamp(value) for value in spec.enum] if spec.type == "date" else list(spec.enum)
        listed = ", ".join(_shown_constraint(value) for value in spec.enum)
        listed = listed if len(listed) <= 200 else listed[:199] + "…"
        outside = valid & ~values.isin(allowed).to_numpy()
        context.add_cells("value_in_enum", spec.name, position, texts, outside, lambda value: f"{show(value)} is not one of: {listed}{lookalike_note(value)}")
    if spec.pattern is not None:
        pattern = spec.pattern
        # Each distinct text is matched once; texts of cells that are not valid are skipped below.
        failing, timed_out = failing_texts(pattern, texts.unique().to_numpy())
        if failing:
            context.add_cells("value_matches_pattern", spec.name, position, texts, valid & texts.isin(failing).to_numpy(),
                              lambda value: f"{show(value)} does not match the pattern {pattern.pattern}{lookalike_note(value)}")
        if timed_out:
            context.add_cells("value_matches_pattern", spec.name, position, texts, valid & texts.isin(timed_out).to_numpy(),
                              lambda value: f"{show(value)}: matching the pattern {pattern.pattern} took over "
                              f"{SECONDS_PER_CELL} s and was stopped (the pattern backtracks; write it without "
                              "nested repetition)" + (f"; the column's other values were not matched after "
                                                      f"{MAX_TIMEOUTS} such cells" if len(timed_out) >= MAX_TIMEOUTS else ""))
    if spec.min_length is not None or spec.max_length is not None:
        lengths = texts.str.len().to_numpy(dtype=float, na_value=np.nan)
        if spec.min_length is not None:
            shortest = spec.min_length
            context.add_cells("value_length_within_bounds", spec.name, position, texts, valid & (lengths < shortest),
                              lambda value: f"{show(value)} has {len(value)} characters, fewer than minLength {shortest}")
        if spec.max_length is not None:
            longest = spec.max_length
            context.add_cells("value_length_within_bounds", spec.name, position, texts, valid & (lengths > longest),
                              lambda value: f"{show(value)} has {len(value)} characters, more than maxLength {longest}")
    for bound in spec.bounds:
        outside = valid & _outside(spec, bound, texts, values)
        context.add_cells("value_within_bounds", spec.name, position, texts, outside,
                          lambda value, bound=bound: f"{show(value)} is {_BOUND_WORDS[bound.name]} {_shown_constraint(bound.declared)}")


_BOUND_WORDS = {
    "minimum": "below the minimum",
    "maximum": "above the maximum",
    "exclusiveMinimum": "not above the exclusive minimum",
    "exclusiveMaximum": "not below the exclusive maximum",
}


def _shown_constraint(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _outside(spec: FieldSpec, bound: Bound, texts: pd.Series, values: pd.Series) -> np.ndarray:
    """Which values break the bound. Floats round, so where a number rounds onto the bound,
    the decimals as written decide (as frictionless, which reads numbers as Decimal)."""
    limit = pd.Timestamp(bound.value) if spec.type == "date" else bound.value
    compare = {"minimum": values.lt, "maximum": values.gt, "exclusiveMinimum": values.le, "exclusiveMaximum": values.ge}
    outside = compare[bound.name](limit).fillna(False).to_numpy(dtype=bool, copy=True)
    if spec.type != "number":
        return outside
    ties = (values == limit).fillna(False).to_numpy(dtype=bool)
    exact_limit = _exact(bound.declared)
    if not ties.any() or exact_limit is None:
        return outside
    lower = bound.name in ("minimum", "exclusiveMinimum")
    strict = bound.name.startswith("exclusive")

    def breaks(text: str) -> bool:
        number = _exact(text)
        if number is None or number == exact_limit:
            return strict
        return number < exact_limit if lower else number > exact_limit

    outside[ties] = [breaks(text) for text in texts[ties].tolist()]
    return outside


def _exact(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _check_unique(context: _Context, schema: CompiledSchema, frame: pd.DataFrame) -> None:
    for spec in schema.fields:
        if not spec.unique:
            continue
        column = frame[spec.name].dropna()
        repeated = column.duplicated(keep="first").to_numpy()
        if not repeated.any():
            continue
        first = _first_lines(column.to_frame())
        for line in column.index[repeated].tolist():
            value = _plain(column.loc[line])
            context.add("values_unique",
                        f"{show(_shown_constraint(value))} is already on line {first.loc[line]}; "
                        f"column {show(spec.name)} must be unique",
                        line, column=spec.name, value=value, position=schema.field_names.index(spec.name))


def _check_primary_key(context: _Context, schema: CompiledSchema, frame: pd.DataFrame) -> None:
    key = list(schema.primary_key)
    if not key:
        return
    # Rows with a null key part are reported as missing or mistyped cells already.
    codes = _key_codes(frame, key)
    complete = codes >= 0
    repeated = complete & pd.Series(codes).duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    keys = frame.loc[complete, key]
    first = _first_lines(keys)
    repeated = repeated[complete]
    for line in keys.index[repeated].tolist():
        shown = ", ".join(_shown_constraint(_plain(value)) for value in keys.loc[line].tolist())
        context.add("primary_key_unique",
                    f"primary key ({', '.join(key)}) = ({shown}) is already on line {first.loc[line]}",
                    line, column=key[0], value=shown, position=schema.field_names.index(key[0]))


def _key_codes(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """One integer per row, equal where the rows' key values are equal; -1 where a key part is
    missing. Comparing integers spares copying the key's texts (pandas' duplicated would drop
    the missing ones first, copying every column)."""
    combined = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for column in key:
        codes, distinct = pd.factorize(frame[column])
        missing |= codes < 0
        if len(distinct) and combined.max() > (2**62) // (len(distinct) + 1):
            combined = pd.factorize(combined)[0].astype(np.int64)  # renumber densely before it could overflow
        combined = combined * (len(distinct) + 1) + codes + 1
    combined[missing] = -1
    return combined


def _first_lines(frame: pd.DataFrame) -> pd.Series:
    """For each row, the first line holding the same values."""
    lines = pd.Series(frame.index, index=frame.index)
    return lines.groupby([frame[column] for column in frame.columns], sort=False).transform("min")


def _found_in(values: pd.Series, references: pd.Series) -> np.ndarray:
    """Which values occur among the references. Arrow looks texts up in the references' own
    array; pandas' isin would first turn each of thousands of references into a Python object."""
    if values.dtype == "str" and references.dtype == "str" and values.dtype.storage == references.dtype.storage == "pyarrow":
        import pyarrow.compute as pc

        return pc.fill_null(pc.is_in(_arrow(values), value_set=pc.drop_null(_arrow(references))), False).to_numpy(zero_copy_only=False)
    return values.isin(references.dropna().unique()).to_numpy()


def _plain(value: Any) -> Any:
    """A typed cell as a plain Python value for findings."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- Foreign keys: across the tables that loaded ---


def check_foreign_keys(name: str, path: str, schema: CompiledSchema, frames: dict[str, pd.DataFrame],
                       schemas: dict[str, CompiledSchema]) -> list[Finding]:
    """Check the foreign keys of table `name` against the typed frames of the tables they refer to.

    A reference to a table that could not be read yields one finding saying it was not checked;
    references to undeclared resources or fields are schema errors (package.py)."""
    findings: list[Finding] = []
    context = _Context(name, path, findings)
    source = frames.get(name)
    if source is None:
        return findings
    for key in schema.foreign_keys:
        target_name = key.resource or name
        target_schema = schemas.get(target_name)
        if target_schema is None or not set(key.reference_fields) <= set(target_schema.field_names):
            continue
        described = f"({', '.join(key.fields)}) -> {target_name}.({', '.join(key.reference_fields)})"
        target = frames.get(target_name)
        if target is None:
            context.add("foreign_key_resolves",
                        f"foreign key {described} was not checked: {target_name} was not read (see its own finding)",
                        column=key.fields[0])
            continue
        values = source[list(key.fields)]
        references = target[list(key.reference_fields)].dropna(how="all")
        considered = values.notna().any(axis=1).to_numpy()
        if len(key.fields) == 1:
            found = _found_in(values.iloc[:, 0], references.iloc[:, 0])
        else:
            found = pd.MultiIndex.from_frame(values).isin(pd.MultiIndex.from_frame(references))
        unresolved = values[considered & ~found]
        for line, row in zip(unresolved.index.tolist(), unresolved.itertuples(index=False)):
            cells = ["" if pd.isna(value) else _shown_constraint(_plain(value)) for value in row]
            shown = ", ".join(cells)
            if len(cells) == 1:
                message = f"{key.fields[0]} {show(shown)} is not in {target_name}.{key.reference_fields[0]}"
            else:
                message = (f"({', '.join(key.fields)}) = ({shown}) is not in "
                           f"{target_name}.({', '.join(key.reference_fields)})")
            message += lookalike_note(shown)
            context.add("foreign_key_resolves", message, line, column=key.fields[0], value=shown,
                        position=schema.field_names.index(key.fields[0]))
    return findings
