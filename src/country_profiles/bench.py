"""Synthetic packages for the benchmark (scripts/bench.py), and how to compare two validators on them.

`generate(root, scale)` writes a package with the real package's descriptor and Table Schemas
and about `scale` times its rows. It keeps the real package's shape: the same number of
countries, and for each of them more years and more indicators (demographics, forces,
infrastructure), more years (ethnic groups, age structure) and more organizations to be a
member of (memberships). Every value agrees with every rule (a labour force below its
population, personnel parts adding up to their total, ethnic groups adding up to 100%, ...),
except a known share of rows, each broken in one way (`BREAKS`). `generate` returns which
lines it broke, so a report can be checked against the list.

No cell holds a line break, so a CSV record is one line: frictionless' row number is the line.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import string
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from country_profiles.paths import default_package

COUNTRIES = 241  # as in the real package
ORGANIZATIONS_PER_SCALE = 227  # the real package's organizations; each has about a fifth of the countries as members
LAST_YEAR = 2020
FIRST_YEAR = 1800  # the schemas' minimum year
MAX_YEARS = LAST_YEAR - FIRST_YEAR + 1
INDICATOR_YEARS_CAP = 20  # past 20 years per series, the indicator tables grow by more indicators

SOURCES = {  # id -> what it is cited for; all published after LAST_YEAR
    "bench-factbook-2021": "indicator values",
    "bench-census-2021": "ethnic groups and age structure",
    "bench-igo-2021": "organizations and memberships",
    "bench-atlas-2021": "countries and borders",
}
UNKNOWN_SOURCE = "bench-no-such-source"
REGIONS = ("Africa", "Central Asia", "Europe", "Middle East", "North America", "South America", "South Asia")

# The real package's indicators (id -> table, unit, integer, maximum) and, for each, its value
# as a share of the population (persons, equipment) or of the land area in km² (infrastructure).
INDICATORS: dict[str, tuple[str, str, bool, str, float]] = {
    "population": ("demographics", "persons", True, "2000000000", 1.0),
    "labor_force": ("demographics", "persons", True, "", 0.45),
    "manpower_available": ("demographics", "persons", True, "", 0.40),
    "manpower_fit_for_service": ("demographics", "persons", True, "", 0.30),
    "manpower_reaching_military_age": ("demographics", "persons", True, "", 0.02),
    "active_personnel": ("forces", "persons", True, "", 0.003),
    "reserve_personnel": ("forces", "persons", True, "", 0.002),
    "paramilitary_personnel": ("forces", "persons", True, "", 0.001),
    "total_personnel": ("forces", "persons", True, "", 0.0),  # the sum of the three above
    "tanks": ("forces", "count", True, "", 0.0001),
    "armored_vehicles": ("forces", "count", True, "", 0.0003),
    "aircraft": ("forces", "count", True, "", 0.00005),
    "naval_vessels": ("forces", "count", True, "", 0.00002),
    "rocket_projectors": ("forces", "count", True, "", 0.00001),
    "self_propelled_artillery": ("forces", "count", True, "", 0.00002),
    "towed_artillery": ("forces", "count", True, "", 0.00004),
    "military_expenditure_pct_gdp": ("forces", "percent_of_gdp", False, "100", 0.0),  # 1% to 5%
    "airports": ("infrastructure", "count", True, "", 0.001),
    "airports_paved": ("infrastructure", "count", True, "", 0.0),  # half of airports
    "airports_unpaved": ("infrastructure", "count", True, "", 0.0),  # the other half
    "heliports": ("infrastructure", "count", True, "", 0.0001),
    "ports": ("infrastructure", "count", True, "", 0.00005),
    "pipelines_km": ("infrastructure", "km", False, "", 0.002),
    "railways_km": ("infrastructure", "km", False, "", 0.01),
    "roadways_paved_km": ("infrastructure", "km", False, "", 0.3),
    "roadways_unpaved_km": ("infrastructure", "km", False, "", 0.2),
    "roadways_km": ("infrastructure", "km", False, "", 0.0),  # paved plus unpaved
    "waterways_km": ("infrastructure", "km", False, "", 0.005),
}
INDICATOR_TABLES = ("demographics", "forces", "infrastructure")
# Indicators that no rule compares with another: breaking one of their rows breaks only that row.
INDEPENDENT = ("heliports", "ports", "pipelines_km", "waterways_km")
EXTRA_SHARES = {"demographics": ("persons", True, 0.05), "forces": ("count", True, 0.00005),
                "infrastructure": ("km", False, 0.001)}

HEADERS = {
    "sources": "id,title,publisher,url,published,accessed,license,note",
    "countries": "iso3,iso2,gec,name,region,independent,area_km2,land_area_km2,water_area_km2,coastline_km,"
                 "landlocked,land_boundaries_km,source_id",
    "borders": "country,neighbor,length_km,note,source_id",
    "indicators": "id,table,unit,integer,minimum,maximum,description",
    "demographics": "country,indicator,year,value,value_max,note,source_id",
    "forces": "country,indicator,year,value,value_max,note,source_id",
    "infrastructure": "country,indicator,year,value,value_max,note,source_id",
    "ethnic_groups": "country,year,group,percent,percent_max,note,source_id",
    "age_structure": "country,year,age_band,percent,note,source_id",
    "organizations": "id,name,founded,dissolved,kind,note,source_id,founded_source_id",
    "memberships": "country,organization,status,since,until,note,source_id,since_source_id",
}


# --- Breaking rows: each break changes one row so that it is wrong in one known way ---

Row = list[str]


def _indicator_breaks() -> dict[str, Callable[[Row], None]]:
    """country,indicator,year,value,value_max,note,source_id"""
    return {
        "type": lambda row: row.__setitem__(3, '"1,234"'),  # a number with a thousands separator
        "minimum": lambda row: row.__setitem__(2, str(int(row[2]) - 300)),  # before 1800
        "pattern": lambda row: row.__setitem__(0, row[0].lower()),  # also an unknown country
        "foreign_key": lambda row: row.__setitem__(6, UNKNOWN_SOURCE),
        "range_order": lambda row: row.__setitem__(4, _below(row[3])),  # rule: value_max below value
    }


def _membership_breaks() -> dict[str, Callable[[Row], None]]:
    """country,organization,status,since,until,note,source_id,since_source_id"""
    return {
        "enum": lambda row: row.__setitem__(2, "membre"),
        "type": lambda row: row.__setitem__(3, row[3][:2] + "x" + row[3][3:]),  # a typo in the year
        "required": lambda row: row.__setitem__(6, ""),
        "foreign_key": lambda row: row.__setitem__(1, f"NO-SUCH-{row[1]}"),  # unique, so no key repeats
        "ends_before_begin": lambda row: row.__setitem__(4, str(int(row[3]) - 1)),  # rule: until before since
    }


def _below(value: str) -> str:
    number = float(value) - 1
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


BREAKS: dict[str, dict[str, Callable[[Row], None]]] = {
    **{table: _indicator_breaks() for table in INDICATOR_TABLES},
    "memberships": _membership_breaks(),
}


# --- The package ---


@dataclass
class Generated:
    """A generated package: its descriptor, rows per table, and the lines broken on purpose."""

    descriptor: Path
    rows: dict[str, int] = field(default_factory=dict)
    broken: dict[tuple[str, int], str] = field(default_factory=dict)  # (path, line) -> break

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def largest_table(self) -> tuple[str, int]:
        return max(self.rows.items(), key=lambda item: item[1])


@dataclass(frozen=True)
class Shape:
    """How a scale becomes rows: years and indicators per country, organizations."""

    indicator_years: int
    indicators_per_table: dict[str, int]
    ethnic_years: int
    age_years: int
    organizations: int

    @classmethod
    def at(cls, scale: float) -> Shape:
        years = max(1, min(round(scale), INDICATOR_YEARS_CAP))
        base = {table: sum(1 for spec in INDICATORS.values() if spec[0] == table) for table in INDICATOR_TABLES}
        growth = scale / years  # what more years do not give, more indicators do
        return cls(
            indicator_years=years,
            indicators_per_table={table: max(count, round(count * growth)) for table, count in base.items()},
            ethnic_years=max(1, min(round(2 * scale), MAX_YEARS)),
            age_years=max(1, min(round(3 * scale), MAX_YEARS)),
            organizations=max(1, round(ORGANIZATIONS_PER_SCALE * scale)),
        )


def generate(root: Path, scale: float, *, error_share: float = 0.001, countries: int = COUNTRIES,
             seed: int = 0) -> Generated:
    """Write a synthetic package of about `scale` times the real package's rows into `root`.

    About `error_share` of the rows that can be broken alone (rows of indicators no rule
    compares, and memberships) are broken, one way each, in turn."""
    template = default_package()
    root.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads(template.read_text(encoding="utf-8"))
    (root / "schemas").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    for resource in descriptor["resources"]:
        shutil.copyfile(template.parent / resource["schema"], root / resource["schema"])
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")

    shape = Shape.at(scale)
    places = _countries(countries)
    generated = Generated(root / "datapackage.json")
    breaker = _Breaker(random.Random(seed), error_share, generated)
    paths = {resource["name"]: resource["path"] for resource in descriptor["resources"]}
    tables: dict[str, Iterable[Row]] = {
        "sources": _sources(),
        "countries": (place.row() for place in places),
        "borders": _borders(places),
        "indicators": _indicator_definitions(shape),
        **{table: _indicator_rows(table, places, shape) for table in INDICATOR_TABLES},
        "ethnic_groups": _ethnic_groups(places, shape),
        "age_structure": _age_structure(places, shape),
        "organizations": _organizations(shape),
        "memberships": _memberships(places, shape),
    }
    for name, rows in tables.items():
        generated.rows[name] = _write(root / paths[name], name, paths[name], rows, breaker)
    return generated


class _Breaker:
    """Breaks about `share` of the breakable rows it is shown, cycling through each table's breaks."""

    def __init__(self, rng: random.Random, share: float, generated: Generated) -> None:
        self.rng, self.share, self.generated = rng, share, generated
        self.turn: dict[str, int] = {}

    def maybe_break(self, table: str, path: str, line: int, row: Row) -> None:
        breaks = BREAKS.get(table)
        if breaks is None or not _breakable(table, row) or self.rng.random() >= self.share:
            return
        turn = self.turn.get(table, 0)
        self.turn[table] = turn + 1
        kind = list(breaks)[turn % len(breaks)]
        breaks[kind](row)
        self.generated.broken[(path, line)] = kind


def _breakable(table: str, row: Row) -> bool:
    if table == "memberships":
        return True
    return row[1] in INDEPENDENT or "_extra_" in row[1]


def _write(path: Path, table: str, relative: str, rows: Iterable[Row], breaker: _Breaker) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADERS[table] + "\n")
        chunk: list[str] = []
        for count, row in enumerate(rows, start=1):
            breaker.maybe_break(table, relative, count + 1, row)
            chunk.append(",".join(row))
            if len(chunk) >= 100_000:
                out.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            out.write("\n".join(chunk) + "\n")
    return count


# --- Tables: each a generator of rows (lists of cells, already CSV-quoted where needed) ---


@dataclass(frozen=True)
class Place:
    index: int
    iso3: str
    land_km2: int
    population: int
    coastline_km: int
    borders_km: int

    def row(self) -> Row:
        water = self.index * 13 % 1000
        letters = _letters(self.index, 2)
        gec = _letters(self.index + 300, 2)
        return [self.iso3, letters, gec, f"Country {self.iso3}", REGIONS[self.index % len(REGIONS)], "true",
                str(self.land_km2 + water), str(self.land_km2), str(water), str(self.coastline_km),
                "true" if self.coastline_km == 0 else "false", str(self.borders_km), "bench-atlas-2021"]


def _letters(number: int, width: int) -> str:
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        out = string.ascii_uppercase[digit] + out
    return out


def _border_km(index: int) -> int:
    """The border between country `index` and the next one."""
    return 50 + index * 31 % 900


def _countries(count: int) -> list[Place]:
    """A chain of neighbours: each country borders the one before and the one after it."""
    places = []
    for index in range(count):
        borders = (_border_km(index) if index + 1 < count else 0) + (_border_km(index - 1) if index > 0 else 0)
        places.append(Place(index, _letters(index, 3), land_km2=1000 + index * 7919 % 500_000,
                            population=10_000 + index * 104_729 % 100_000_000,
                            coastline_km=0 if index % 6 == 0 else 100 + index, borders_km=borders))
    return places


def _sources() -> Iterator[Row]:
    for source, cited_for in SOURCES.items():
        yield [source, f"Synthetic source of {cited_for}", "country-profiles benchmark", "", "2021-01-15",
               "2021-02-01", "CC0-1.0", ""]


def _borders(places: list[Place]) -> Iterator[Row]:
    for place, neighbour in zip(places, places[1:]):
        length = str(_border_km(place.index))
        yield [place.iso3, neighbour.iso3, length, "", "bench-atlas-2021"]
        yield [neighbour.iso3, place.iso3, length, "", "bench-atlas-2021"]


def _extra_indicators(shape: Shape) -> dict[str, list[str]]:
    extra = {}
    for table in INDICATOR_TABLES:
        base = sum(1 for spec in INDICATORS.values() if spec[0] == table)
        extra[table] = [f"{table}_extra_{number:04d}" for number in range(shape.indicators_per_table[table] - base)]
    return extra


def _indicator_definitions(shape: Shape) -> Iterator[Row]:
    for indicator, (table, unit, integer, maximum, _) in INDICATORS.items():
        yield [indicator, table, unit, "true" if integer else "false", "0", maximum, f"Synthetic {indicator}"]
    for table, names in _extra_indicators(shape).items():
        unit, integer, _ = EXTRA_SHARES[table]
        for name in names:
            yield [name, table, unit, "true" if integer else "false", "0", "", f"Synthetic indicator of {table}"]


def _variation(place: Place, year: int) -> float:
    """The same for every indicator of a country and year (so parts add up), within ±10%."""
    return 1 + ((place.index * 31 + year * 17) % 21 - 10) / 100


def _indicator_values(place: Place, year: int) -> dict[str, str]:
    """Every base indicator's value for a country and year, consistent under every rule."""
    people = place.population * _variation(place, year)
    land = place.land_km2 * _variation(place, year)
    values: dict[str, str] = {}
    for indicator, (table, unit, integer, _, share) in INDICATORS.items():
        base = land if table == "infrastructure" else people
        values[indicator] = str(round(base * share)) if integer else f"{base * share:.1f}"
    parts = ("active_personnel", "reserve_personnel", "paramilitary_personnel")
    values["total_personnel"] = str(sum(int(values[part]) for part in parts))
    values["military_expenditure_pct_gdp"] = f"{1 + (place.index + year) % 400 / 100:.2f}"
    airports = int(values["airports"]) + 2
    values["airports"], values["airports_paved"] = str(airports), str(airports // 2)
    values["airports_unpaved"] = str(airports - airports // 2)
    paved, unpaved = float(values["roadways_paved_km"]), float(values["roadways_unpaved_km"])
    values["roadways_km"] = f"{paved + unpaved:.1f}"
    return values


def _indicator_rows(table: str, places: list[Place], shape: Shape) -> Iterator[Row]:
    base = [indicator for indicator, spec in INDICATORS.items() if spec[0] == table]
    extra = _extra_indicators(shape)[table]
    unit, integer, share = EXTRA_SHARES[table]
    years = range(LAST_YEAR - shape.indicator_years + 1, LAST_YEAR + 1)
    for place in places:
        for year in years:
            values = _indicator_values(place, year)
            for indicator in base:
                yield [place.iso3, indicator, str(year), values[indicator], "", "", "bench-factbook-2021"]
            people = place.land_km2 if table == "infrastructure" else place.population
            for number, indicator in enumerate(extra):
                value = people * _variation(place, year) * share * (1 + number % 5)
                cell = str(round(value)) if integer else f"{value:.1f}"
                note = "" if number % 3 else "synthetic estimate"
                yield [place.iso3, indicator, str(year), cell, "", note, "bench-factbook-2021"]


def _ethnic_groups(places: list[Place], shape: Shape) -> Iterator[Row]:
    for place in places:
        for year in range(LAST_YEAR - shape.ethnic_years + 1, LAST_YEAR + 1):
            shares = [30 + (place.index * 7 + year) % 30, 20.5, 10.3, 5.1]
            shares.append(round(100 - sum(shares), 1))
            for group, share in zip(("Group A", "Group B", "Group C", "Group D", "other"), shares):
                yield [place.iso3, str(year), group, f"{share:.1f}", "", "", "bench-census-2021"]


def _age_structure(places: list[Place], shape: Shape) -> Iterator[Row]:
    for place in places:
        for year in range(LAST_YEAR - shape.age_years + 1, LAST_YEAR + 1):
            young = 15 + (place.index + year) % 25
            old = 3 + (place.index * 3 + year) % 20
            bands = {"0-14": young, "15-64": 100 - young - old, "65+": old}
            for band, share in bands.items():
                yield [place.iso3, str(year), band, f"{share:.1f}", "", "bench-census-2021"]


def _founded(organization: int) -> int:
    return 1850 + organization * 37 % 150


def _organization_id(organization: int) -> str:
    return f"ORG{organization:07d}"


def _organizations(shape: Shape) -> Iterator[Row]:
    for organization in range(shape.organizations):
        yield [_organization_id(organization), f"Organization {organization}", str(_founded(organization)), "",
               "intergovernmental", "", "bench-igo-2021", ""]


def _memberships(places: list[Place], shape: Shape) -> Iterator[Row]:
    """About a fifth of the countries in each organization, since a year after its founding."""
    for place in places:
        for organization in range(shape.organizations):
            if (place.index * 7 + organization) % 5:
                continue
            founded = _founded(organization)
            since = founded + 1 + (place.index + organization) % (LAST_YEAR - founded)
            status, note = ("observer", "synthetic observer") if organization % 11 == 0 else ("member", "")
            yield [place.iso3, _organization_id(organization), status, str(since), "", note, "bench-igo-2021", ""]


# --- Comparing reports: (file, line) of each error ---


def our_error_lines(report: dict[str, Any]) -> set[tuple[str | None, int | None]]:
    """(path, line) of every error in a `country-profiles validate --format json` report, for
    each line a finding blames; (path, None) for an error about a whole file."""
    blamed = set()
    for finding in report["findings"]:
        if finding["severity"] != "error":
            continue
        lines = finding["lines"] or [finding["line"]]
        blamed |= {(finding["path"], line) for line in lines}
    return blamed


def frictionless_error_lines(report: dict[str, Any]) -> set[tuple[str | None, int | None]]:
    """(path, line) of every error in a `frictionless validate --json` report. Header errors are
    line 1; a row number is a line, since no generated cell holds a line break."""
    blamed = set()
    for task in report["tasks"]:
        for error in task["errors"]:
            line = 1 if error["type"].endswith("-label") else error.get("rowNumber")
            blamed.add((task.get("place"), line))
    return blamed


def missed(frictionless: set[tuple[str | None, int | None]],
           ours: set[tuple[str | None, int | None]]) -> set[tuple[str | None, int | None]]:
    """frictionless' errors our report does not have: a line must be blamed, a whole-file error
    needs any error in that file."""
    files = {path for path, _ in ours}
    return {(path, line) for path, line in frictionless
            if (path, line) not in ours and (line is not None or path not in files)}


# --- Timing a command ---


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time
    peak_mib: float  # the peak memory of the process and any child it starts
    returncode: int


def timed(command: list[str], cwd: Path | None = None, stdout: Path | None = None, *,
          sample_memory: bool = False) -> Run:
    """Run `command` and measure its wall time and peak memory: the process' own peak (from
    wait4), or with `sample_memory` the larger of that and its process tree's peak, sampled
    every 0.1 s, which counts a child process too (validate forks one on a large package).
    Sampling reads /proc and takes a share of a core, so timed runs of a command that uses
    both cores should not sample."""
    with open(stdout or os.devnull, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        sampler = TreeMemory(process.pid)
        if sample_memory:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if sample_memory:
            sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, max(usage.ru_maxrss / 1024, sampler.peak_mib), process.returncode)


class TreeMemory(threading.Thread):
    """Samples the proportional set size (PSS) of a process and its descendants, summed, and
    keeps the peak. PSS splits each page shared by several processes among them, so a child
    forked with the parent's tables counts only the pages it has of its own. Linux only (it
    reads /proc); elsewhere the peak stays 0."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_mib = pid, interval, 0.0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            self.peak_mib = max(self.peak_mib, sum(_pss_kib(pid) for pid in _tree(self.pid)) / 1024)
            self._stopped.wait(self.interval)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def _tree(pid: int) -> list[int]:
    """The process and its descendants, as /proc lists them now."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # gone already, or no /proc
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # gone already, or no /proc
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)


def median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


__all__ = ["BREAKS", "Generated", "Run", "Shape", "frictionless_error_lines", "generate", "median", "missed",
           "our_error_lines", "timed"]
