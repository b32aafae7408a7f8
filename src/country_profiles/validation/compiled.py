"""A Table Schema compiled for the structural checks: each field's codec and constraints in the
field's type, tolerant of pieces the meta-schema rejects (it reports them; the rest is still checked)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import regex

from country_profiles import codec
from country_profiles.validation.patterns import compile_pattern

TYPES = codec.TYPES
DTYPES = {type_: codec.dtype(type_) for type_ in TYPES}
DEFAULT_MISSING_VALUES = codec.DEFAULT_MISSING_VALUES
BOUND_NAMES = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
# The fast path's grammar: what Arrow casts exactly as the codec reads it. Anything else (spaces
# around a number, NaN, a '+' Arrow refuses) is read by the codec, one distinct text at a time.
NONZERO_MANTISSA = re.compile(r"[+-]?[0-9.]*[1-9]")  # a number written with a digit other than 0 before its exponent


def show(value: Any, limit: int = 80) -> str:
    """A cell as a person reads it in a message: quoted, invisible characters made visible."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if text.isprintable() and text == text.strip():
        return f"'{text}'"
    return repr(text)


def lookalike_note(text: str, limit: int = 3) -> str:
    """For a value that matched nothing: its non-ASCII characters by name, since a Cyrillic 'К' or a
    decomposed 'ó' looks exactly like the character the reader expects."""
    odd = [char for char in dict.fromkeys(str(text)[:1000]) if ord(char) > 127]
    if not odd:
        return ""
    named = ", ".join(f"U+{ord(char):04X} {unicodedata.name(char, 'without a name')}" for char in odd[:limit])
    more = f" and {len(odd) - limit} more" if len(odd) > limit else ""
    return f" (it holds non-ASCII characters: {named}{more})"



# --- Compiled schema: what the checks need, tolerant of pieces the meta-schema rejects ---


@dataclass(frozen=True)
class Bound:
    name: str  # minimum, maximum, exclusiveMinimum or exclusiveMaximum
    value: Any  # in the field's type
    declared: Any  # as written in the schema, for messages and exact comparison


@dataclass
class FieldSpec:
    name: str
    type: str
    codec: codec.FieldCodec
    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    pattern: regex.Pattern | None = None  # regex, for its timeout: patterns come from pull requests
    min_length: int | None = None
    max_length: int | None = None
    bounds: tuple[Bound, ...] = ()

    @property
    def missing_values(self) -> frozenset[str]:
        return self.codec.missing_values

    @property
    def format(self) -> str:
        return self.codec.format

    def parse(self, text: str) -> Any:
        """The value of one non-missing cell as the typed frame holds it, or None when it does
        not parse (`problem` says why)."""
        try:
            return self.frame_value(self.codec.parse(text))
        except codec.CellError:
            return None

    def frame_value(self, value: Any) -> Any:
        return float(value) if self.type == "number" else value

    def problem(self, text: str) -> str:
        try:
            self.codec.parse(text)
        except codec.CellError as exc:
            return str(exc)
        return f"{show(text)} is not a valid {self.type}"


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # "" for a reference to the same resource
    reference_fields: tuple[str, ...]
    index: int = 0  # position in the schema's foreignKeys, for messages


@dataclass
class CompiledSchema:
    fields: list[FieldSpec]
    primary_key: tuple[str, ...] = ()
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    missing_values: frozenset[str] = frozenset(DEFAULT_MISSING_VALUES)  # schema-wide

    @property
    def field_names(self) -> list[str]:
        return [spec.name for spec in self.fields]


def as_names(value: Any) -> tuple[str, ...] | None:
    """primaryKey/foreignKey `fields` may be one name or a list of names."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _constraint_value(spec: FieldSpec, value: Any) -> Any:
    """A constraint value (enum member or bound) in the field's type, or None if it is not one.
    Numbers may be written as JSON numbers or as cells; other types as cells."""
    if isinstance(value, bool):
        return value if spec.type == "boolean" else None
    if isinstance(value, (int, float)) and spec.type in ("integer", "number", "year"):
        if spec.type == "number":
            try:
                number = float(value)
            except OverflowError:  # an integer beyond any double (JSON allows 10**4000)
                return None
            return number if math.isfinite(number) else None
        return int(value) if isinstance(value, int) or value.is_integer() else None
    return spec.parse(value) if isinstance(value, str) else None


def compile_field(raw: Any, schema_missing: frozenset[str]) -> tuple[FieldSpec | None, list[tuple[str, str]]]:
    """Compile one field descriptor. Returns the spec (None if unusable) and problems the
    meta-schema cannot see, each as (JSON path below the field, message)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None, problems  # the meta-schema reports it
    # A type the validator does not know (the meta-schema reports it) is read as string, so
    # that the rest of the table is still checked in the same run.
    field_codec = codec.codec(raw, {"missingValues": sorted(schema_missing)})
    spec = FieldSpec(name=raw["name"], type=field_codec.type, codec=field_codec)
    type_ = spec.type
    both = set(raw.get("trueValues") or ()) & set(raw.get("falseValues") or ()) if type_ == "boolean" else set()
    if both and all(isinstance(item, str) for item in both):
        problems.append(("", f"{sorted(both)} are both trueValues and falseValues"))

    constraints = raw.get("constraints")
    if not isinstance(constraints, dict):
        return spec, problems
    spec.required = constraints.get("required") is True
    spec.unique = constraints.get("unique") is True
    enum = constraints.get("enum")
    if isinstance(enum, list) and enum:
        typed = [_constraint_value(spec, value) for value in enum]
        bad = [value for value, parsed in zip(enum, typed) if parsed is None]
        if bad:
            problems.append((".constraints.enum", f"enum values {bad} are not valid {type_} values"))
        spec.enum = tuple(value for value in typed if value is not None)
    pattern = constraints.get("pattern")
    if isinstance(pattern, str) and type_ == "string":
        try:
            spec.pattern = compile_pattern(pattern)
        except (re.error, regex.error) as exc:
            problems.append((".constraints.pattern", f"pattern {pattern!r} is not a valid regular expression: {exc}"))
    for key, attr in (("minLength", "min_length"), ("maxLength", "max_length")):
        value = constraints.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and type_ == "string":
            setattr(spec, attr, value)
    bounds = []
    for name in BOUND_NAMES:
        if name not in constraints or type_ not in ("integer", "number", "date", "year"):
            continue
        value = _constraint_value(spec, constraints[name])
        if value is None:
            problems.append((f".constraints.{name}", f"{name} {constraints[name]!r} is not a valid {type_} value"))
        else:
            bounds.append(Bound(name, value, constraints[name]))
    spec.bounds = tuple(bounds)
    return spec, problems


def compile_schema(schema: Any) -> tuple[CompiledSchema | None, list[tuple[str, str]]]:
    """Compile a Table Schema. Returns None when its fields cannot be read at all (the
    meta-schema says why) and the problems only code can see, as (JSON path, message)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return None, problems
    schema_missing = frozenset(codec.missing_values_of(schema.get("missingValues", list(DEFAULT_MISSING_VALUES))))
    specs: list[FieldSpec] = []
    usable = True
    for index, raw in enumerate(schema["fields"]):
        spec, field_problems = compile_field(raw, schema_missing)
        problems += [(f"$.fields[{index}]{where}", message) for where, message in field_problems]
        if spec is None:
            usable = False
        else:
            specs.append(spec)
    names = [spec.name for spec in specs]
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(("$.fields", f"field name {name!r} is declared {names.count(name)} times"))
        usable = False
    if not usable or not specs:
        return None, problems

    compiled = CompiledSchema(fields=specs, missing_values=schema_missing)
    if "primaryKey" in schema:
        key = as_names(schema["primaryKey"])
        unknown = [name for name in key or () if name not in names]
        if unknown:
            problems.append(("$.primaryKey", f"primary key names fields that do not exist: {unknown}"))
        elif key:
            compiled.primary_key = key
    foreign_keys = schema.get("foreignKeys", [])
    for index, raw in enumerate(foreign_keys if isinstance(foreign_keys, list) else []):
        where = f"$.foreignKeys[{index}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("reference"), dict):
            continue
        fields = as_names(raw.get("fields"))
        reference = raw["reference"]
        reference_fields = as_names(reference.get("fields"))
        resource = reference.get("resource", "")
        if fields is None or reference_fields is None or not isinstance(resource, str):
            continue
        unknown = [name for name in fields if name not in names]
        if unknown:
            problems.append((f"{where}.fields", f"foreign key names fields that do not exist: {unknown}"))
            continue
        if len(fields) != len(reference_fields):
            problems.append((where, f"foreign key has {len(fields)} fields but refers to {len(reference_fields)}"))
            continue
        compiled.foreign_keys.append(ForeignKey(fields, resource, reference_fields, index))
    return compiled, problems
