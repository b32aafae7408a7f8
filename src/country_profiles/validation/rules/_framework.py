"""What every rule shares: its registration, its view of the package, and Pandera as the judge.

A rule is a function `check(ctx) -> list[Finding]` decorated with `@rule(...)`; its id is the
function's name, so the id, the code and the tests cannot drift apart. A rule reads tolerances
only through `ctx.threshold(key)`, and only the keys it declares, so the catalogue can show
every rule's limits and a test can show that every threshold is used.

A rule whose condition holds on each row of a table is written with `@row_rule(...,
holds=...)`: its condition is a named Pandera check in the schema of that table's rows, which
is built once per run with the table's other row rules and validated once; the decorated
function turns the rows in the check's failure cases into findings. Any other rule judges the
frame it builds (joining tables where it compares them, keeping every side's CSV line as a
column, so a finding can blame all the rows involved) with `violations(frame, holds, name)`:
a lazy Pandera check on that frame whose failure cases name the rows where the condition does
not hold.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from country_profiles.paths import default_package
from country_profiles.validation.findings import SEVERITIES, Finding, Rule
from country_profiles.validation.model import LoadedPackage, Table

INDICATOR_TABLES = ("demographics", "forces", "infrastructure")
# The package's resources (a test keeps this equal to datapackage.json), for rules over every table.
ALL_TABLES = (
    "countries",
    "borders",
    "indicators",
    "demographics",
    "forces",
    "infrastructure",
    "ethnic_groups",
    "age_structure",
    "organizations",
    "memberships",
    "sources",
)


@dataclass(frozen=True)
class RuleCheck:
    """A rule, the thresholds it reads, and the function that finds its violations."""

    rule: Rule
    thresholds: tuple[str, ...]
    topic: str
    find: Callable[["Context"], list[Finding]] = field(repr=False, compare=False)
    # A row rule's condition on each row of its tables (row_rule); None for other rules.
    holds: Callable[[pd.DataFrame, "Context"], pd.Series] | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.rule.id


def rule(
    severity: str,
    description: str,
    *,
    tables: Sequence[str],
    hint: str,
    thresholds: Sequence[str] = (),
) -> Callable[[Callable[["Context"], list[Finding]]], RuleCheck]:
    """Register a check; the rule id is the function's name (the condition that must hold)."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")

    def register(find: Callable[["Context"], list[Finding]]) -> RuleCheck:
        topic = find.__module__.rsplit(".", 1)[-1]
        return RuleCheck(
            Rule(find.__name__, severity, description, tuple(tables), hint), tuple(thresholds), topic, find
        )

    return register


def row_rule(
    severity: str,
    description: str,
    *,
    tables: Sequence[str],
    hint: str,
    holds: Callable[[pd.DataFrame, "Context"], pd.Series],
    thresholds: Sequence[str] = (),
) -> Callable[[Callable[["Context", str, pd.DataFrame], list[Finding]]], RuleCheck]:
    """Register a rule whose condition `holds(rows, ctx)` must hold on each row of each of its
    tables (rows as `ctx.rows` gives them; a condition that comes out missing holds, as in
    `violations`). The decorated function `report(ctx, resource, bad)` makes the findings of the
    rows `bad` of `resource` where it does not; the rule id is its name."""

    def register(report: Callable[["Context", str, pd.DataFrame], list[Finding]]) -> RuleCheck:
        def find(ctx: Context) -> list[Finding]:
            findings = []
            for resource in tables:
                bad = ctx.failing_rows(resource)
                if not bad.empty:
                    findings += report(ctx, resource, bad)
            return findings

        find.__name__, find.__module__, find.__doc__ = report.__name__, report.__module__, report.__doc__
        registered = rule(severity, description, tables=tables, hint=hint, thresholds=thresholds)(find)
        return dataclasses.replace(registered, holds=holds)

    return register


class UndeclaredThreshold(KeyError):
    """A rule read a threshold it does not declare (a bug in the rule, caught by the tests)."""


@dataclass
class Context:
    """What a rule sees: the package, its thresholds, today's date, and who is asking."""

    package: LoadedPackage
    thresholds: Mapping[str, Any]
    today: date
    check: RuleCheck
    read: set[str] = field(default_factory=set)  # thresholds this rule read, for the tests
    # Frames built once per run (run_rules shares one dict): each table's rows, and frames
    # derived by the rules of one topic, forgotten when the next topic's rules run.
    shared: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return self.package.tables.get(name)

    def rows(self, name: str) -> pd.DataFrame:
        """A table's rows with their CSV line as column `line`; empty when the table is absent."""
        return self._once(("rows", name), lambda: _rows(self.package, name))

    def failing_rows(self, resource: str) -> pd.DataFrame:
        """The rows of `resource` (as `rows` gives them) where the running row rule's condition
        does not hold: its failure cases in the table's row-rule schema, validated once a run."""
        verdicts = self.shared.get(("verdicts", resource))
        if verdicts is None:
            verdicts = self.shared[("verdicts", resource)] = table_verdicts(self, resource)
        self.read |= verdicts.reads.get(self.check.id, set())
        return self.rows(resource).take(verdicts.failing.get(self.check.id, []))

    def once(self, key: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The frame `build` returns, built once for the rules of this topic (module), which share
        it; it must need no threshold. A rule gets its own copy (copy-on-write, so the copy is
        cheap and a change to it does not reach the other rules)."""
        return self._once((self.check.topic, key), build)

    def release(self, key: str) -> None:
        """Forget the frame `once` built under `key` (a rule that knows it is the last to read
        a large frame lets the memory go; a later rule that asks again gets it rebuilt)."""
        self.shared.pop((self.check.topic, key), None)

    def once_value(self, key: str, build: Callable[[], Any]) -> Any:
        """Like `once`, for a value that is not a frame (the rules must not change it)."""
        key_ = (self.check.topic, key)
        if key_ not in self.shared:
            self.shared[key_] = build()
        return self.shared[key_]

    def _once(self, key: tuple[str, str], build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        if key not in self.shared:
            self.shared[key] = build()
        return self.shared[key].copy(deep=False)

    def threshold(self, key: str) -> Any:
        if key not in self.check.thresholds:
            raise UndeclaredThreshold(f"rule {self.check.id} reads threshold {key!r} it does not declare")
        self.read.add(key)
        return self.thresholds[key]

    def finding(
        self,
        resource: str,
        lines: Iterable[int],
        message: str,
        *,
        field: str | None = None,
        value: Any = None,
    ) -> Finding:
        """A finding of the running rule, blaming `lines` of `resource` (sorted, first = `line`)."""
        blamed = tuple(sorted({int(line) for line in lines if not _missing(line)}))
        table = self.table(resource)
        return Finding(
            rule=self.check.id,
            severity=self.check.rule.severity,
            message=message,
            resource=resource,
            path=table.path if table is not None else None,
            line=blamed[0] if blamed else None,
            lines=blamed,
            field=field,
            value=_plain(value),
        )

    def where(self, resource: str, line: Any) -> str:
        """How a message points at a row of another table: `demographics.csv line 12`."""
        table = self.table(resource)
        name = table.path.rsplit("/", 1)[-1] if table is not None else resource
        return f"{name} line {int(line)}"


def forget_derived_frames(shared: dict[tuple[str, str], pd.DataFrame], topic: str) -> None:
    """Drop the frames derived by the rules of topics other than `topic` (large, and not needed
    by the rules that follow: the rules of a topic run one after another)."""
    for key in [key for key in shared if key[0] not in ("rows", "verdicts", topic)]:
        del shared[key]


DTYPES = {"string": "str", "integer": "Int64", "number": "float64", "boolean": "boolean", "date": "datetime64[ns]"}


def _rows(package: LoadedPackage, name: str) -> pd.DataFrame:
    table = package.tables.get(name)
    if table is None:
        return _empty_rows(package, name)
    frame = table.frame.copy(deep=False)
    frame["line"] = frame.index.astype("int64")
    return frame.reset_index(drop=True)


def _empty_rows(package: LoadedPackage, name: str) -> pd.DataFrame:
    """No rows of an absent table, with the columns of the project's own schema for it, so rules
    need no special case. The package under test is not read here: its descriptor may be hostile,
    and a table it lacks has no columns of its own to offer."""
    path = default_package().parent / "schemas" / f"{name}.schema.json"
    columns = {"line": pd.Series(dtype="int64")}
    if path.is_file():
        fields = json.loads(path.read_text(encoding="utf-8"))["fields"]
        columns = {f["name"]: pd.Series(dtype=DTYPES.get(f.get("type"), "object")) for f in fields} | columns
    return pd.DataFrame(columns)


def violations(frame: pd.DataFrame, holds: Callable[[pd.DataFrame], pd.Series], name: str) -> pd.DataFrame:
    """The rows of `frame` where `holds` is false, found by a lazy Pandera check named `name`.

    A condition that comes out missing (a value it needs is absent) holds: there is nothing to
    judge, and the structure checks already report missing required values. Numbers are judged
    as nullable floats for this; dates have no nullable dtype, so a rule on dates must let NaT
    through itself.
    """
    if frame.empty:
        return frame
    frame = frame.reset_index(drop=True)
    pa = _pandera()
    schema = pa.DataFrameSchema(checks=[judging_check(pa, holds, name)])
    return frame.take(failing_positions(schema, frame).get(name, []))


def judging_check(pa: Any, holds: Callable[[pd.DataFrame], pd.Series], name: str, **options: Any) -> Any:
    """`holds` as a named Pandera check, a missing verdict counting as holding (see `violations`)."""

    def condition(data: pd.DataFrame) -> pd.Series:
        return holds(data).astype("boolean").fillna(True).astype(bool)

    return pa.Check(condition, name=name, ignore_na=False, **options)


def failing_positions(schema: Any, frame: pd.DataFrame) -> dict[str, list[int]]:
    """Check name -> the positions of the rows of `frame` that fail it, from the failure cases
    of a lazy validation of `frame` against `schema` (frame-level checks only, no coercion)."""
    pa = _pandera()
    # Nullable floats, so that a comparison with a missing number is missing, not False.
    judged = frame.reset_index(drop=True)
    judged = judged.astype({name: "Float64" for name, dtype in judged.dtypes.items() if dtype == "float64"})
    try:
        schema.validate(judged, lazy=True, inplace=True)  # the schema coerces nothing: no copy needed
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        broken = cases[cases["index"].isna()]
        if not broken.empty:  # the check itself failed (a bug in the rule): say so, never pass silently
            case = broken.iloc[0]
            raise RuntimeError(f"check {case['check']} could not run: {case['failure_case']}")
        return {str(check): sorted(group.astype("int64").unique()) for check, group in cases.groupby("check")["index"]}
    return {}


@dataclass
class TableVerdicts:
    """What the row rules found in one table: check name -> failing row positions, and the
    thresholds each rule's condition read (the rule's own, for the tests)."""

    failing: dict[str, list[int]]
    reads: dict[str, set[str]]


def table_verdicts(ctx: Context, resource: str) -> TableVerdicts:
    """Validate the rows of `resource` once against the schema of every row rule on it: one
    named check per rule, each with its own view of the thresholds."""
    from country_profiles.validation.rules import CHECKS  # the registry, complete once imported

    rules = [check for check in CHECKS if check.holds is not None and resource in check.rule.tables]
    if ctx.check not in rules and ctx.check.holds is not None:
        rules.append(ctx.check)  # a rule registered outside the catalogue (e.g. by a test)
    rows = ctx.rows(resource)
    if rows.empty or ctx.table(resource) is None:
        return TableVerdicts({}, {})
    contexts = {check.id: Context(ctx.package, ctx.thresholds, ctx.today, check, shared=ctx.shared) for check in rules}
    schema = row_rules_schema(resource, rules, contexts)
    return TableVerdicts(failing_positions(schema, rows), {rule_id: c.read for rule_id, c in contexts.items()})


def row_rules_schema(resource: str, rules: Sequence[RuleCheck], contexts: Mapping[str, Context]) -> Any:
    """The Pandera schema of a table's rows (as `Context.rows` gives them) that holds its row
    rules as named checks, each bound to its rule's context (thresholds, today)."""
    pa = _pandera()
    checks = [
        judging_check(pa, functools.partial(check.holds, ctx=contexts[check.id]), check.id,
                      description=check.rule.description, raise_warning=False,
                      statistics={"severity": check.rule.severity})
        for check in rules
    ]
    return pa.DataFrameSchema(checks=checks, name=f"{resource} rows")


def labels(label: str, every: Sequence[str], length: int) -> pd.Categorical:
    """A column that holds `label` in each of `length` rows, as a category among `every`:
    a byte per row instead of a copy of the text, in frames of hundreds of thousands of rows."""
    return pd.Categorical.from_codes(np.full(length, every.index(label), dtype=np.int8),
                                     dtype=pd.CategoricalDtype(list(every)))


def distinct(column: pd.Series) -> list[Any]:
    """The column's distinct values, missing ones left out. Taking the distinct values first
    spares copying a column of a million texts to drop its empty cells."""
    return [value for value in column.unique().tolist() if not _missing(value)]


def lookup(keys: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """The row of `table` (indexed by unique keys) that each key names, aligned with `keys`;
    missing values where a key is missing or names no row. Each distinct key is looked up once,
    which is what makes it fast for a column of codes or ids."""
    codes, distinct = pd.factorize(keys)
    positions = table.index.get_indexer(distinct)
    rows = np.where(codes >= 0, positions[codes], -1)
    return pd.DataFrame(
        {column: pd.api.extensions.take(table[column].array, rows, allow_fill=True) for column in table.columns},
        index=keys.index,
    )


def with_land_area(ctx: Context, indicators: Iterable[str]) -> pd.DataFrame:
    """`indicator_rows` of these indicators, each with its country's land_area_km2 and the
    countries.csv line it comes from (country_line); empty when countries.csv is."""
    countries = ctx.rows("countries")
    if countries.empty:
        return countries.iloc[0:0]
    land = countries[["iso3", "land_area_km2", "line"]].rename(columns={"line": "country_line"})
    return indicator_rows(ctx, indicators).merge(land, left_on="country", right_on="iso3")


def indicator_rows(ctx: Context, indicators: Iterable[str]) -> pd.DataFrame:
    """Rows of these indicators from whichever indicator table holds them.

    Columns: resource, line, country, indicator, year, value, high (the range's upper end,
    or the value when it is not a range), source_id.
    """
    every = ctx.once("indicator rows", lambda: _all_indicator_rows(ctx))
    if "indicator" in every:
        # Row positions per indicator, found once: taking a few indicators' rows then costs
        # what those rows cost, not a pass over every indicator's.
        positions = ctx.once_value("indicator row positions", lambda: every.groupby("indicator", sort=False).indices)
        wanted = [positions[indicator] for indicator in dict.fromkeys(indicators) if indicator in positions]
        rows = every.take(np.sort(np.concatenate(wanted))) if wanted else every.iloc[0:0]
    else:
        rows = every
    if rows.empty:
        return pd.DataFrame(
            {
                "resource": pd.Series(dtype="str"),
                "line": pd.Series(dtype="int64"),
                "country": pd.Series(dtype="str"),
                "indicator": pd.Series(dtype="str"),
                "year": pd.Series(dtype="Int64"),
                "value": pd.Series(dtype="float64"),
                "high": pd.Series(dtype="float64"),
                "source_id": pd.Series(dtype="str"),
            }
        )
    return rows.reset_index(drop=True)


def _all_indicator_rows(ctx: Context) -> pd.DataFrame:
    """The rows of every indicator table, in indicator_rows' columns (empty: no columns)."""
    parts = []
    for resource in INDICATOR_TABLES:
        rows = ctx.rows(resource)
        if "indicator" not in rows or rows.empty:
            continue
        rows = rows.assign(resource=labels(resource, INDICATOR_TABLES, len(rows)), high=rows["value_max"].fillna(rows["value"]))
        parts.append(rows[["resource", "line", "country", "indicator", "year", "value", "high", "source_id"]])
    if not parts:
        return pd.DataFrame()
    # Codes as categories: the comparison rules take and pair these rows many times over, and
    # copying a small integer per row is cheaper than copying its text (the values are the same).
    codes = {"country": "category", "indicator": "category", "source_id": "category"}
    return pd.concat(parts, ignore_index=True).astype(codes)


def pair_nearest_year(
    left: pd.DataFrame, right: pd.DataFrame, window: int, suffix: str, *, keep_unpaired: bool = False
) -> pd.DataFrame:
    """Each left row with its partner among the right rows of the same country.

    The partner is a row at most `window` years away; among those, one that cites the same
    source (the same edition states both values, so they agree in definition and vintage),
    then the nearest year, then the later year (the newer estimate), then the first in `right`.
    Right-hand columns get `suffix`; `gap` is the distance in years and `same_source` says
    whether the sources agree. Left rows without a partner are dropped (nothing to compare them
    with), or kept with missing right-hand columns when `keep_unpaired`.

    The partner depends only on the left row's country, year and source, so it is chosen once
    for each of those keys, on integer codes; the cost grows with the rows, not with the years
    per country squared, and no text is copied until the partners are known.
    """
    left = left.dropna(subset=["country", "year"]).reset_index(drop=True)
    right = right.dropna(subset=["country", "year"]).reset_index(drop=True).add_suffix(suffix)
    with_source = "source_id" in left and f"source_id{suffix}" in right
    # A left frame paired before brings its own same_source; the new pairing's replaces it.
    left = left.drop(columns=[name for name in ("gap", "same_source") if name in left])

    partner = _partners(left, right, window, suffix, with_source)  # right position per left row, -1: none
    if not keep_unpaired:
        left = left[partner >= 0].reset_index(drop=True)
        partner = partner[partner >= 0]
    right = right.drop(columns=[f"country{suffix}"])
    taken = {name: pd.api.extensions.take(right[name].array, partner, allow_fill=True) for name in right.columns}
    years = left["year"].to_numpy(dtype="int64")
    right_years = right[f"year{suffix}"].to_numpy(dtype="int64")
    found = partner >= 0
    gap = pd.array(np.zeros(len(left), dtype="int64"), dtype="Int64")
    gap[found] = np.abs(years[found] - right_years[partner[found]])
    gap[~found] = pd.NA
    if with_source:
        same = (left["source_id"] == pd.Series(taken[f"source_id{suffix}"])).fillna(False).to_numpy(dtype=bool)
    else:
        same = np.zeros(len(left), dtype=bool)
    same_source = same if found.all() else np.where(found, same, np.nan).astype(object)
    derived = pd.DataFrame({**taken, "gap": gap, "same_source": same_source}, index=left.index)
    return pd.concat([left, derived], axis=1)


def _partners(left: pd.DataFrame, right: pd.DataFrame, window: int, suffix: str, with_source: bool) -> np.ndarray:
    """The position in `right` of each left row's partner (-1 where it has none), as
    pair_nearest_year chooses it: once per distinct (country, year, source) of the left rows.
    Each right row is offered to the years within `window` of its own, so an equality join on
    integers finds every candidate."""
    countries, _ = pd.factorize(pd.concat([left["country"], right[f"country{suffix}"]], ignore_index=True))
    if with_source:
        sources, _ = pd.factorize(pd.concat([left["source_id"], right[f"source_id{suffix}"]], ignore_index=True))
    else:
        sources = np.full(len(left) + len(right), -1, dtype=np.int64)
    left_year = left["year"].to_numpy(dtype="int64")
    right_country, right_year, right_source = countries[len(left) :], right[f"year{suffix}"].to_numpy(dtype="int64"), sources[len(left) :]

    # The distinct keys of the left rows, and each row's key.
    asking = pd.DataFrame({"country": countries[: len(left)], "year": left_year, "source": sources[: len(left)]})
    row_key = asking.groupby(["country", "year", "source"], sort=False).ngroup().to_numpy()
    keys = asking.drop_duplicates().reset_index(drop=True).assign(key=np.arange(row_key.max() + 1 if len(row_key) else 0))

    offsets = np.arange(-window, window + 1)
    offers = pd.DataFrame({
        "country": np.repeat(right_country, len(offsets)),
        "year": (right_year[:, None] + offsets).ravel(),
        "right": np.repeat(np.arange(len(right)), len(offsets)),
    })
    candidates = keys.merge(offers, on=["country", "year"])
    asked, offered = candidates["key"].to_numpy(), candidates["right"].to_numpy()
    key_source = candidates["source"].to_numpy()
    same = (key_source == right_source[offered]) & (key_source >= 0)
    gap = np.abs(candidates["year"].to_numpy() - right_year[offered])
    # Best first: the same source, the smaller gap, the later year, the earlier right row.
    order = np.lexsort((offered, -right_year[offered], gap, ~same, asked))
    asked, offered = asked[order], offered[order]
    first = np.ones(len(asked), dtype=bool)
    first[1:] = asked[1:] != asked[:-1]
    partner = np.full(len(keys), -1, dtype=np.int64)
    partner[asked[first]] = offered[first]
    return partner[row_key]


def records(frame: pd.DataFrame, columns: Sequence[str]) -> Iterator[Any]:
    """The rows of `frame` as named tuples of `columns`, read column by column: itertuples
    reads Arrow-backed text one element at a time, a cost per cell in rules that report
    tens of thousands of rows."""
    row = collections.namedtuple("Row", columns)
    return map(row._make, zip(*(frame[column].tolist() for column in columns)))


def number(value: Any) -> str:
    """A number as a person reads it: 5,000,268 or 1.5 or 0.0123."""
    if _missing(value):
        return "missing"
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def percent(value: Any) -> str:
    return f"{number(value)}%"


def lines_text(resource_lines: Iterable[Any]) -> str:
    lines = sorted({int(line) for line in resource_lines})
    return ("line " if len(lines) == 1 else "lines ") + ", ".join(str(line) for line in lines)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _plain(value: Any) -> Any:
    """Numpy and pandas scalars as plain Python values, so findings compare and serialise simply."""
    if _missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _pandera() -> Any:
    """pandera.pandas, imported when the first rule judges rows (not at start-up: commands that
    run no rule should not pay for it)."""
    import pandera.pandas

    return pandera.pandas
