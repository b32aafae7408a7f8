"""Pandera schemas of the package's tables, built from its Table Schemas (the one registry).

    >>> import country_profiles as cp
    >>> cp.schema("demographics").validate(my_frame, lazy=True)

`schema(name)` is a `pandera.pandas.DataFrameSchema`:

- one column per Table Schema field, with the dtype `cp.load()` gives it (coerced: a frame of
  plain Python ints, floats and texts is accepted as well as one from `cp.load`), `nullable`
  from `required`, `unique`, and the field's constraints as column checks (`isin` from `enum`,
  `str_matches` from `pattern`, `ge`/`le` from `minimum`/`maximum`, `str_length` from
  `minLength`/`maxLength`);
- the primary key as a frame-level `unique=[...]`;
- every rule of validation/rules/ that reads the table, as a frame-level check named by the
  rule id (`raise_warning=True` for a warning rule), which fails the rows the rule blames.

A frame may hold the primary key as its index (as `cp.load()` gives it) or as plain columns
(as a frame built by hand, or `reset_index()`); failure cases name the frame's own index.

Rules that compare the table with others (a membership within its organization's life, a
country's borders adding up to its land boundaries) are checks on the frame they blame, judged
against the other tables of the shipped package, or of `package` when given: the checks take
the package through a closure, so `cp.schema("memberships", package="my/datapackage.json")`
judges your memberships against your organizations. A rule's verdict on a row is the one
`country-profiles validate` gives: the check runs the rule itself (documented exceptions
included), not a copy of it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.pandas as pa

from country_profiles.api import code_fields, field_dtype, package_root, primary_key

if TYPE_CHECKING:
    from country_profiles.validation.model import LoadedPackage
    from country_profiles.validation.rules._framework import RuleCheck

# The dtypes the rules see (validation/model.py: Table), by Table Schema field type.
RULE_DTYPES = {"string": "str", "integer": "Int64", "number": "float64", "boolean": "boolean", "date": "datetime64[ns]"}
FIRST_DATA_LINE = 2  # line 1 of a CSV file is its header


def schema(name: str, package: str | Path | None = None) -> pa.DataFrameSchema:
    """The Pandera schema of table `name` (see the module docstring); `package` is a
    datapackage.json or its folder (default: the package this installation ships)."""
    return _schema(name, str(package_root(package)))


@functools.lru_cache(maxsize=64)
def _schema(name: str, root: str) -> pa.DataFrameSchema:
    schemas = _table_schemas(Path(root))
    if name not in schemas:
        from country_profiles.api import _unknown

        raise _unknown("table", name, schemas)
    table_schema = schemas[name]
    codes = code_fields(schemas)[name]
    key = primary_key(table_schema)
    columns = {field["name"]: column(field, field["name"] in codes, in_key=field["name"] in key)
               for field in table_schema["fields"]}
    return TableFrameSchema(
        columns,
        checks=rule_checks(name, Path(root)),
        unique=key or None,
        coerce=True,
        name=name,
        description=table_schema.get("description") or _resource(Path(root), name).get("description"),
        metadata={"primary_key": key, "path": _resource(Path(root), name).get("path")},
    )


class TableFrameSchema(pa.DataFrameSchema):
    """A DataFrameSchema that takes the primary key as the index (as `cp.load()` gives it) or as
    columns: key levels of the index are judged as the columns they are, and the frame comes back
    in the shape it was given."""

    @classmethod
    def get_backend(cls, check_obj: Any = None, check_type: type | None = None) -> Any:
        return pa.DataFrameSchema.get_backend(check_obj, check_type)  # the plain schema's backend

    def validate(self, check_obj: pd.DataFrame, *args: Any, **kwargs: Any) -> pd.DataFrame:
        in_index = [level for level in check_obj.index.names if level is not None and level in self.columns]
        if not in_index:
            return super().validate(check_obj, *args, **kwargs)
        flat = check_obj.reset_index(in_index)
        # The key stays the index too, unnamed (a name both a level and a column is ambiguous
        # to pandas), so failure cases name rows by their key.
        flat.index = check_obj.index.set_names([None] * check_obj.index.nlevels)
        validated = super().validate(flat, *args, **kwargs)
        return validated.set_index(in_index)


def column(field: Mapping[str, Any], is_code: bool, *, in_key: bool = False) -> pa.Column:
    """A Table Schema field as a Pandera column, with the dtype `cp.load()` gives it. A field of
    the primary key is required, as Table Schema says, whether or not its constraints say so."""
    constraints = field.get("constraints", {})
    dtype: Any = field_dtype(field, is_code)
    if dtype == "category" and "enum" in constraints:
        dtype = pd.CategoricalDtype(constraints["enum"])  # as load() gives it: declared order
    return pa.Column(
        dtype,
        checks=field_checks(field),
        nullable=not (constraints.get("required", False) or in_key),
        unique=bool(constraints.get("unique", False)),
        coerce=True,
        required=True,
        description=field.get("description"),
        title=field.get("title"),
        metadata={"type": field.get("type", "string"), **({"unit": field["unit"]} if "unit" in field else {})},
    )


def field_checks(field: Mapping[str, Any]) -> list[pa.Check]:
    """The field's constraints, other than required and unique, as column checks."""
    constraints = field.get("constraints", {})
    kind = field.get("type", "string")
    bound = _bound_parser(kind)
    checks = []
    if "enum" in constraints:
        checks.append(pa.Check.isin([bound(value) for value in constraints["enum"]]))
    if "pattern" in constraints:
        # Table Schema patterns match the whole cell; Pandera's str_matches anchors only the start.
        checks.append(pa.Check.str_matches(f"^(?:{constraints['pattern']})$"))
    if "minimum" in constraints:
        checks.append(pa.Check.ge(bound(constraints["minimum"])))
    if "maximum" in constraints:
        checks.append(pa.Check.le(bound(constraints["maximum"])))
    if "exclusiveMinimum" in constraints:
        checks.append(pa.Check.gt(bound(constraints["exclusiveMinimum"])))
    if "exclusiveMaximum" in constraints:
        checks.append(pa.Check.lt(bound(constraints["exclusiveMaximum"])))
    if "minLength" in constraints or "maxLength" in constraints:
        checks.append(pa.Check.str_length(constraints.get("minLength"), constraints.get("maxLength")))
    return checks


def _bound_parser(kind: str) -> Callable[[Any], Any]:
    """A bound or enum value as a value of the column (Table Schema writes some as text)."""
    if kind == "integer":
        return int
    if kind == "number":
        return float
    if kind == "date":
        return pd.Timestamp
    return lambda value: value


# --- the rules as checks -------------------------------------------------------------------------


def rule_checks(name: str, root: Path) -> list[pa.Check]:
    """A check for each rule that reads table `name`, in catalogue order."""
    from country_profiles.validation.findings import WARNING
    from country_profiles.validation.rules import CHECKS

    return [
        pa.Check(
            RuleJudge(check, name, root),
            name=check.id,
            title=check.id,
            description=check.rule.description,
            raise_warning=check.rule.severity == WARNING,
            ignore_na=False,
            statistics={"severity": check.rule.severity, "hint": check.rule.hint,
                        "tables": list(check.rule.tables), "thresholds": list(check.thresholds)},
        )
        for check in CHECKS
        if name in check.rule.tables
    ]


class RuleJudge:
    """A rule as a Pandera check function on one table's frame: false in the rows the rule's
    findings blame (Pandera's failure cases then list each cell of those rows). The other tables
    come from the package at `root`, read once."""

    def __init__(self, check: "RuleCheck", table: str, root: Path) -> None:
        self.check, self.table, self.root = check, table, root

    def __call__(self, frame: pd.DataFrame) -> pd.Series:
        from country_profiles.validation.findings import ERROR
        from country_profiles.validation.rules import run_check
        from country_profiles.validation.rules.exceptions import apply_exceptions, load_exceptions

        package = with_table(context_package(self.root), self.table, frame)
        findings, _ = run_check(self.check, package, today=date.today())
        findings = apply_exceptions(findings, package, load_exceptions())
        # A documented exception turns an error into a warning: validate does not fail on it.
        severity = self.check.rule.severity
        blamed = {line for finding in findings if finding.resource == self.table
                  and (finding.severity == severity or severity != ERROR) for line in finding.lines}
        lines = pd.RangeIndex(FIRST_DATA_LINE, FIRST_DATA_LINE + len(frame))
        return pd.Series(~lines.isin(sorted(blamed)), index=frame.index)


@functools.lru_cache(maxsize=4)
def context_package(root: Path) -> "LoadedPackage":
    """The package's tables as the rules see them (validation's reading: index = CSV line)."""
    from country_profiles.validation import load

    return load(root / "datapackage.json")


def with_table(package: "LoadedPackage", name: str, frame: pd.DataFrame) -> "LoadedPackage":
    """`package` with table `name` replaced by `frame`, in the shape the rules read: one column
    per field with the rules' dtypes, indexed by the line each row would have in a CSV file."""
    from country_profiles.validation.model import LoadedPackage, Table

    table_schema = _table_schemas(package.root)[name]
    flat = frame.reset_index() if any(level is not None for level in frame.index.names) else frame
    lines = pd.RangeIndex(FIRST_DATA_LINE, FIRST_DATA_LINE + len(flat), name="line")
    rows = pd.DataFrame(
        {field["name"]: _as_rule_dtype(flat.get(field["name"]), field.get("type", "string"), len(flat))
         for field in table_schema["fields"]},
        index=lines,
    )
    path = _resource(package.root, name).get("path", f"data/{name}.csv")
    tables = {**package.tables, name: Table(name, path, table_schema, rows)}
    return LoadedPackage(package.root, package.descriptor, tables)


def _as_rule_dtype(values: pd.Series | None, kind: str, length: int) -> Any:
    """A column as the rules' dtype for its field type. The schema has coerced it already; a
    column it could not coerce (or a missing one) is left missing: the column checks report it."""
    dtype = RULE_DTYPES.get(kind, "object")
    if values is not None:
        try:
            return values.astype(dtype).array  # the array: the frame's index is the lines
        except (TypeError, ValueError):
            pass
    return pd.Series([None] * length, dtype="object").astype(dtype).array


# --- the package's descriptor and schemas ----------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _descriptor(root: Path) -> dict[str, Any]:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def _resource(root: Path, name: str) -> dict[str, Any]:
    return next((r for r in _descriptor(root).get("resources", []) if r.get("name") == name), {})


@functools.lru_cache(maxsize=8)
def _table_schemas(root: Path) -> dict[str, dict[str, Any]]:
    from country_profiles import tables

    return {name: table_schema for name, (_, table_schema) in tables.schemas_by_resource(root).items()}


def table_names(package: str | Path | None = None) -> list[str]:
    """The package's tables, in datapackage.json order."""
    return list(_table_schemas(package_root(package)))


def check_text(check: pa.Check) -> str:
    """A column check as the data dictionary states it."""
    stats = check.statistics
    if check.name == "str_matches":
        return f"pattern `{stats['pattern'].removeprefix('^(?:').removesuffix(')$')}`"
    if check.name == "isin":
        return "one of " + ", ".join(f"`{value}`" for value in stats["allowed_values"])
    bounds = {"greater_than_or_equal_to": ("≥", "min_value"), "less_than_or_equal_to": ("≤", "max_value"),
              "greater_than": (">", "min_value"), "less_than": ("<", "max_value")}
    if check.name in bounds:
        sign, key = bounds[check.name]
        value = stats[key]
        return f"{sign} {value:g}" if isinstance(value, float) else f"{sign} {value}"
    if check.name == "str_length":
        return f"length {stats.get('min_value') or 0} to {stats.get('max_value') or 'any'}"
    return str(check.name)
