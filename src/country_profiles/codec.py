"""The one cell codec: how a Table Schema field reads a CSV cell and writes a value back.

Every tool reads cells through `FieldCodec.parse` and writes them through `FieldCodec.write`:
validation, fmt, diff, the importer, `load`, the exports and the site. The grammar is Table
Schema v2's for every field type and option (missingValues, bareNumber, groupChar, decimalChar,
trueValues/falseValues, formats). Written by hand because frictionless' readers accept more than
the standard (any Unicode digit through `int()`, `Infinity` through `Decimal()`, dateutil's
guesses) and pandas' and Arrow's accept other things again; the differences from frictionless,
all stricter, are listed in `STRICTER` and in the README.

Values: integer and year -> int; number -> Decimal (exact, so a respelling never rounds);
boolean -> bool; date -> datetime.date; datetime -> datetime.datetime; time -> datetime.time;
yearmonth -> (year, month); geopoint -> (lon, lat) as Decimals; object/geojson -> dict;
array -> list; list -> list of its item type's values; string, duration and any -> str.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

DEFAULT_MISSING_VALUES = ("",)
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")
TYPES = ("string", "number", "integer", "boolean", "date", "time", "datetime", "year", "yearmonth",
         "duration", "geopoint", "geojson", "object", "array", "list", "any")

# XML Schema's decimal and integer (the standard's reference): ASCII digits only; whitespace
# around the value collapses (the project's own rule reports it in this package's tables).
INTEGER_RE = re.compile(r"[+-]?[0-9]+")
NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
SPECIAL_NUMBERS = {"NaN": Decimal("NaN"), "INF": Decimal("Infinity"), "-INF": Decimal("-Infinity")}
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIME_RE = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?")
YEAR_RE = re.compile(r"[0-9]{4}")
YEARMONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
DURATION_RE = re.compile(r"P(?!$)(?:[0-9]+(?:\.[0-9]+)?Y)?(?:[0-9]+(?:\.[0-9]+)?M)?(?:[0-9]+(?:\.[0-9]+)?W)?"
                         r"(?:[0-9]+(?:\.[0-9]+)?D)?(?:T(?=[0-9])(?:[0-9]+(?:\.[0-9]+)?H)?(?:[0-9]+(?:\.[0-9]+)?M)?"
                         r"(?:[0-9]+(?:\.[0-9]+)?S)?)?")
URI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+")
WEB_URI_RE = re.compile(r"(?i:https?|ftp)://[^/?#\s@]+.*")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NOT_BARE = re.compile(r"(^[^-\d]*)|(\D*$)")  # frictionless' bareNumber: false, currency and % around
INT64 = (-(2**63), 2**63 - 1)
# The years the tables' datetime64[ns] columns hold (1677-09-21 .. 2262-04-11), whole years only.
DATE_YEARS = (1678, 2261)
XML_SPACE = " \t\r\n"

STRICTER = (
    "integers fit 64 bits and dates lie in the years 1678-2261 (what pandas columns hold)",
    "numbers are finite doubles or NaN/INF/-INF as the standard spells them (not 'Infinity' or 1e-400)",
    "digits are ASCII (frictionless reads any Unicode digit through Python's int())",
    "datetime is ISO 8601 with 'T'; format 'any' reads ISO forms only (no dateutil guessing)",
)


class CellError(ValueError):
    """A cell's text is not a value of its field's type; the message says what was expected."""


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def missing_values_of(declared: Any) -> tuple[str, ...]:
    """missingValues as a list of strings, or (Table Schema v2) of {"value": ..., "label": ...}."""
    plain = _strings(declared)
    if plain is not None:
        return plain
    if isinstance(declared, list) and all(isinstance(item, dict) and isinstance(item.get("value"), str)
                                          for item in declared):
        return tuple(item["value"] for item in declared)
    return DEFAULT_MISSING_VALUES


@dataclass(frozen=True)
class FieldCodec:
    name: str
    type: str = "string"
    format: str = "default"
    missing_values: frozenset[str] = frozenset(DEFAULT_MISSING_VALUES)
    true_values: tuple[str, ...] = DEFAULT_TRUE_VALUES
    false_values: tuple[str, ...] = DEFAULT_FALSE_VALUES
    bare_number: bool = True
    group_char: str = ""
    decimal_char: str = "."
    delimiter: str = ","  # list
    item: FieldCodec | None = field(default=None, compare=False)  # list's itemType

    @property
    def plain(self) -> bool:
        """Whether numbers are read with none of the options that change their grammar (the fast
        path in validation handles these)."""
        return self.bare_number and not self.group_char and self.decimal_char == "."

    def is_missing(self, text: str) -> bool:
        return text in self.missing_values

    def parse(self, text: str) -> Any:
        """The value of one non-missing cell; CellError when it is not one of the field's type."""
        reader = _READERS.get(self.type)
        return text if reader is None else reader(self, text)

    def read(self, text: str) -> Any:
        """None for a missing value, else `parse`."""
        return None if text in self.missing_values else self.parse(text)

    def write(self, value: Any) -> str:
        """The canonical text of a value; `parse(write(v)) == v` for every value `parse` returns.
        Text is written as it is (a missing-value marker, a cell that did not parse)."""
        if isinstance(value, str):
            return value
        if value is None or (isinstance(value, float) and math.isnan(value)):  # pandas' missing value;
            # the standard's NaN is Decimal("NaN"), as `parse` returns it
            return "" if "" in self.missing_values or not self.missing_values else sorted(self.missing_values)[0]
        writer = _WRITERS.get(self.type)
        return str(value) if writer is None else writer(self, value)


def codec(descriptor: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> FieldCodec:
    """The codec of one field descriptor; a malformed option falls back to its default (the
    meta-schema reports it)."""
    type_ = descriptor.get("type", "string")
    type_ = type_ if type_ in TYPES else "string"
    fmt = descriptor.get("format", "default")
    declared_missing = descriptor.get("missingValues", (schema or {}).get("missingValues", list(DEFAULT_MISSING_VALUES)))
    options: dict[str, Any] = {
        "name": str(descriptor.get("name", "")),
        "type": type_,
        "format": fmt if isinstance(fmt, str) else "default",
        "missing_values": frozenset(missing_values_of(declared_missing)),
    }
    true_values, false_values = _strings(descriptor.get("trueValues")), _strings(descriptor.get("falseValues"))
    if true_values:
        options["true_values"] = true_values
    if false_values:
        options["false_values"] = tuple(value for value in false_values if value not in options.get("true_values", ()))
    if descriptor.get("bareNumber") is False:
        options["bare_number"] = False
    for key, attr in (("groupChar", "group_char"), ("decimalChar", "decimal_char"), ("delimiter", "delimiter")):
        if isinstance(descriptor.get(key), str) and descriptor[key]:
            options[attr] = descriptor[key]
    if type_ == "list":
        item_type = descriptor.get("itemType", "string")
        options["item"] = codec({"name": options["name"], "type": item_type if item_type in TYPES else "string"})
    return FieldCodec(**options)


@lru_cache(maxsize=4096)
def _cached(frozen: str) -> FieldCodec:
    return codec(json.loads(frozen))


def field_codec(descriptor: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> FieldCodec:
    """`codec`, memoised for callers that meet the same field on every row."""
    merged = dict(descriptor)
    if "missingValues" not in merged and schema and "missingValues" in schema:
        merged["missingValues"] = schema["missingValues"]
    return _cached(json.dumps(merged, sort_keys=True, default=str))


def dtype(type_: str) -> str:
    """The pandas dtype of a column of this type (the one map: validation, `load`, Parquet)."""
    return {"integer": "Int64", "year": "Int64", "number": "float64", "boolean": "boolean",
            "date": "datetime64[ns]"}.get(type_, "str" if type_ in ("string", "duration", "any") else "object")


def show(text: str) -> str:
    return repr(text)


def spelling_problem(spec: FieldCodec, text: str) -> str | None:
    """Why this package refuses a cell the standard accepts (its own rules, not the standard's):
    spaces around a number, and NaN or INF, which no figure is. Validation reports these under
    `number_has_no_surrounding_whitespace` and `number_is_finite`; fmt leaves such tables alone."""
    if spec.type not in ("integer", "number"):
        return None
    bare = text.strip(XML_SPACE)
    if bare != text:
        return f"{show(text)} has spaces around it; a {spec.type} cell of this package holds only the value"
    if spec.type == "number" and bare in SPECIAL_NUMBERS:
        return f"{show(text)} is a valid Table Schema number but not a figure; leave the cell empty if it is unknown"
    return None


# --- readers, one per type -------------------------------------------------------------------


def _numeric_text(spec: FieldCodec, text: str) -> str:
    bare = text.strip(XML_SPACE)
    if not spec.bare_number:
        bare = NOT_BARE.sub("", bare)
    if spec.group_char:
        bare = bare.replace(spec.group_char, "")
    if spec.decimal_char != ".":
        if "." in bare:
            raise CellError(f"{show(text)} is not a number (the decimal mark is {spec.decimal_char!r})")
        bare = bare.replace(spec.decimal_char, ".")
    return bare


def read_integer(spec: FieldCodec, text: str) -> int:
    bare = _numeric_text(spec, text)
    if not INTEGER_RE.fullmatch(bare):
        if NUMBER_RE.fullmatch(bare):
            raise CellError(f"{show(text)} is not an integer (a whole number without decimals or exponent)")
        raise CellError(f"{show(text)} is not an integer{_non_ascii_digits(bare)}")
    value = int(bare)
    if not INT64[0] <= value <= INT64[1]:
        raise CellError(f"{show(text)} is too large for a 64-bit integer")
    return value


def read_number(spec: FieldCodec, text: str) -> Decimal:
    if text.strip(XML_SPACE) in SPECIAL_NUMBERS:  # before bareNumber: false strips letters away
        return SPECIAL_NUMBERS[text.strip(XML_SPACE)]
    bare = _numeric_text(spec, text)
    if not NUMBER_RE.fullmatch(bare):
        if re.fullmatch(r"[+-]?[0-9.,]+", bare) and "," in bare:
            raise CellError(f"{show(text)} is not a number (write it with a dot as decimal mark and without thousands separators)")
        raise CellError(f"{show(text)} is not a number{_non_ascii_digits(bare)}")
    value = Decimal(bare)
    as_float = float(value)
    if not math.isfinite(as_float):
        raise CellError(f"{show(text)} is too large to be a number")
    if as_float == 0 and value != 0:
        raise CellError(f"{show(text)} is too close to zero to be a number: it would be read as 0")
    return value


def _non_ascii_digits(text: str) -> str:
    odd = [char for char in text if char.isdigit() and not char.isascii()]
    return f" (write digits as 0-9, not {odd[0]!r})" if odd else ""


def read_boolean(spec: FieldCodec, text: str) -> bool:
    if text in spec.true_values:
        return True
    if text in spec.false_values:
        return False
    allowed = ", ".join(sorted({*spec.true_values, *spec.false_values}))
    raise CellError(f"{show(text)} is not a boolean (allowed: {allowed})")


def _in_years(text: str, value: Any) -> Any:
    if not DATE_YEARS[0] <= value.year <= DATE_YEARS[1]:
        raise CellError(f"{show(text)} is outside the supported years {DATE_YEARS[0]}-{DATE_YEARS[1]}")
    return value


def _strptime(spec: FieldCodec, text: str, what: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, spec.format)
    except ValueError:
        raise CellError(f"{show(text)} is not a {what} in the format {spec.format}") from None


def read_date(spec: FieldCodec, text: str) -> dt.date:
    if spec.format not in ("default", "any"):
        return _in_years(text, _strptime(spec, text, "date").date())
    if not DATE_RE.fullmatch(text):
        raise CellError(f"{show(text)} is not a date in the form YYYY-MM-DD")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(f"{show(text)} is not a date: no such day") from None
    return _in_years(text, value)


def read_time(spec: FieldCodec, text: str) -> dt.time:
    if spec.format not in ("default", "any"):
        return _strptime(spec, text, "time").timetz()
    if not TIME_RE.fullmatch(text):
        raise CellError(f"{show(text)} is not a time in the form HH:MM:SS")
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise CellError(f"{show(text)} is not a time of day") from None


def read_datetime(spec: FieldCodec, text: str) -> dt.datetime:
    if spec.format not in ("default", "any"):
        return _in_years(text, _strptime(spec, text, "datetime"))
    date_part, _, time_part = text.partition("T")
    if not (DATE_RE.fullmatch(date_part) and TIME_RE.fullmatch(time_part)):
        raise CellError(f"{show(text)} is not a datetime in the form YYYY-MM-DDTHH:MM:SS")
    try:
        return _in_years(text, dt.datetime.fromisoformat(text))
    except ValueError:
        raise CellError(f"{show(text)} is not a calendar datetime") from None


def read_year(spec: FieldCodec, text: str) -> int:
    if not YEAR_RE.fullmatch(text):
        raise CellError(f"{show(text)} is not a year (four digits)")
    return int(text)


def read_yearmonth(spec: FieldCodec, text: str) -> tuple[int, int]:
    match = YEARMONTH_RE.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CellError(f"{show(text)} is not a year and month in the form YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def read_duration(spec: FieldCodec, text: str) -> str:
    if not DURATION_RE.fullmatch(text):
        raise CellError(f"{show(text)} is not an ISO 8601 duration (e.g. P1Y2M3DT4H)")
    return text


def read_geopoint(spec: FieldCodec, text: str) -> tuple[Decimal, Decimal]:
    try:
        if spec.format == "array":
            lon, lat = json.loads(text)
        elif spec.format == "object":
            point = json.loads(text)
            if set(point) != {"lon", "lat"}:
                raise ValueError(text)
            lon, lat = point["lon"], point["lat"]
        else:
            lon, lat = text.split(",")
        lon, lat = Decimal(str(lon).strip()), Decimal(str(lat).strip())
    except (ValueError, TypeError, AttributeError, InvalidOperation):
        raise CellError(f"{show(text)} is not a geopoint ({_GEOPOINT_FORMS.get(spec.format, 'lon, lat')})") from None
    if not (lon.is_finite() and lat.is_finite() and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise CellError(f"{show(text)} is not a geopoint (longitude -180..180, latitude -90..90)")
    return lon, lat


_GEOPOINT_FORMS = {"array": "[lon, lat]", "object": '{"lon": ..., "lat": ...}'}


def _json(text: str, kind: type, what: str) -> Any:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, kind):
        raise CellError(f"{show(text)} is not {what}")
    return value


def read_object(spec: FieldCodec, text: str) -> dict:
    return _json(text, dict, "a JSON object")


def read_array(spec: FieldCodec, text: str) -> list:
    return _json(text, list, "a JSON array")


def read_list(spec: FieldCodec, text: str) -> list:
    assert spec.item is not None
    return [spec.item.parse(part) for part in text.split(spec.delimiter)]


def read_string(spec: FieldCodec, text: str) -> str:
    if spec.format == "uri" and not is_uri(text):
        raise CellError(f"{show(text)} is not a URI (expected a scheme and no spaces, e.g. https://example.org/page)")
    if spec.format == "email" and not EMAIL_RE.fullmatch(text):
        raise CellError(f"{show(text)} is not an email address")
    if spec.format == "uuid":
        try:
            uuid.UUID(text)
        except ValueError:
            raise CellError(f"{show(text)} is not a UUID") from None
    if spec.format == "binary":
        try:
            base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise CellError(f"{show(text)} is not base64-encoded binary") from None
    return text


def is_uri(text: str) -> bool:
    if not URI_RE.fullmatch(text):
        return False
    scheme = text.split(":", 1)[0].lower()
    return scheme not in ("http", "https", "ftp") or bool(WEB_URI_RE.fullmatch(text))


_READERS = {
    "string": read_string, "integer": read_integer, "number": read_number, "boolean": read_boolean,
    "date": read_date, "time": read_time, "datetime": read_datetime, "year": read_year,
    "yearmonth": read_yearmonth, "duration": read_duration, "geopoint": read_geopoint,
    "geojson": read_object, "object": read_object, "array": read_array, "list": read_list,
}


# --- writers ---------------------------------------------------------------------------------


def format_number(value: Any) -> str:
    """A number written out in full, without exponent or trailing zeros (ints and floats too)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        value = Decimal(repr(value))
    if isinstance(value, int):
        return str(value)
    if value.is_nan():
        return "NaN"
    if value.is_infinite():
        return "INF" if value > 0 else "-INF"
    if value == 0:
        return "0"  # also for -0 and 0E-7
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _write_number(spec: FieldCodec, value: Any) -> str:
    text = format_number(value)
    return text.replace(".", spec.decimal_char) if spec.decimal_char != "." else text


def _write_boolean(spec: FieldCodec, value: Any) -> str:
    if spec.true_values == DEFAULT_TRUE_VALUES or "true" in spec.true_values:
        true = "true"
    else:
        true = spec.true_values[0]
    false = "false" if "false" in spec.false_values else spec.false_values[0]
    return true if value else false


def _write_temporal(spec: FieldCodec, value: Any) -> str:
    return value.strftime(spec.format) if spec.format not in ("default", "any") else value.isoformat()


def _write_geopoint(spec: FieldCodec, value: Any) -> str:
    lon, lat = (format_number(Decimal(part)) for part in value)
    if spec.format == "array":
        return f"[{lon},{lat}]"
    if spec.format == "object":
        return f'{{"lon":{lon},"lat":{lat}}}'
    return f"{lon},{lat}"


def _write_json(spec: FieldCodec, value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_WRITERS = {
    "integer": lambda spec, value: str(int(value)),
    "number": _write_number,
    "boolean": _write_boolean,
    "date": _write_temporal, "time": _write_temporal, "datetime": _write_temporal,
    "year": lambda spec, value: f"{int(value):04d}",
    "yearmonth": lambda spec, value: f"{int(value[0]):04d}-{int(value[1]):02d}",
    "geopoint": _write_geopoint,
    "geojson": _write_json, "object": _write_json, "array": _write_json,
    "list": lambda spec, value: spec.delimiter.join(spec.item.write(item) for item in value),  # type: ignore[union-attr]
}
