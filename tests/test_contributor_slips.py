"""The slips contributors really make, made one at a time on a copy of the real package.

Each case is ONE realistic edit to one row. A bad edit must fail validation with an error at the
edited row (and, where the slip can be named, name it); a good edit must add no error. An edit
the data cannot tell from a real value is listed as a strict xfail with the reason, not faked.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, copy_package

from country_profiles.validation import validate
from country_profiles.validation.findings import ERROR

Change = Callable[[str], str]


def times(factor: float) -> Change:
    """The cell multiplied by `factor`, written as a contributor would (no needless decimals)."""

    def change(cell: str) -> str:
        value = float(cell) * factor
        return str(int(round(value))) if value >= 100 or value == int(value) else f"{value:.6g}"

    return change


def to(value: str) -> Change:
    return lambda cell: value


@dataclass(frozen=True)
class Edit:
    """Set `column` (and the columns of `also`) of the first row of `table` whose cells equal
    `where`, or, with `add`, insert the row `add` after it."""

    table: str
    where: dict[str, str]
    column: str = "value"
    change: Change = to("")
    add: str | None = None
    also: tuple[tuple[str, Change], ...] = ()


def bad(case: str, edit: Edit, slip: str | None = None, undetectable: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=undetectable)] if undetectable else []
    return pytest.param(edit, slip, id=case, marks=marks)


def row(country: str, indicator: str, year: int) -> dict[str, str]:
    return {"country": country, "indicator": indicator, "year": str(year)}


def band(country: str, year: int, age_band: str) -> dict[str, str]:
    return {"country": country, "year": str(year), "age_band": age_band}


def group(country: str, year: int, name: str) -> dict[str, str]:
    return {"country": country, "year": str(year), "group": name}


DIGIT_MANY, DIGIT_FEW = r"a digit too many", r"a digit too few"
FRACTION = r"fraction"
THOUSANDS = r"thousands"

BAD_EDITS = [
    # demographics: series of many points, a single value, a pasted figure
    bad("population x10", Edit("demographics", row("KGZ", "population", 2025), change=times(10)), DIGIT_MANY),
    bad("population /10", Edit("demographics", row("FRA", "population", 2022), change=times(0.1)), DIGIT_FEW),
    bad("population in thousands", Edit("demographics", row("NGA", "population", 2024), change=times(0.001)),
        THOUSANDS),
    bad("population of China pasted", Edit("demographics", row("MLT", "population", 2025), change=to("1407181209"))),
    bad("population x1000 in the first year", Edit("demographics", row("ISL", "population", 2015),
                                                   change=times(1000)), THOUSANDS),
    bad("labour force /10", Edit("demographics", row("FRA", "labor_force", 2024), change=times(0.1)), DIGIT_FEW),
    bad("labour force x10", Edit("demographics", row("ISL", "labor_force", 2023), change=times(10)), DIGIT_MANY),
    # A row a documented exception excuses (Monaco's labour force counts foreign workers): the
    # exception names the value it excuses, so a slip on the row is an error again.
    bad("labour force x10 on an excused row", Edit("demographics", row("MCO", "labor_force", 2014), change=times(10))),
    bad("single manpower reaching age x10", Edit("demographics", row("NGA", "manpower_reaching_military_age", 2010),
                                                 change=times(10))),
    bad("single manpower available in thousands", Edit("demographics", row("FRA", "manpower_available", 2010),
                                                       change=times(0.001))),
    # forces
    bad("expenditure as a fraction", Edit("forces", row("KGZ", "military_expenditure_pct_gdp", 2023),
                                          change=times(0.01)), FRACTION),
    bad("expenditure x10", Edit("forces", row("FRA", "military_expenditure_pct_gdp", 2025), change=times(10)),
        DIGIT_MANY),
    bad("expenditure /10 in a flat series", Edit("forces", row("MLT", "military_expenditure_pct_gdp", 2019),
                                                 change=times(0.1)), DIGIT_FEW),
    bad("active personnel x10", Edit("forces", row("BRA", "active_personnel", 2025), change=times(10)), DIGIT_MANY),
    bad("active personnel x1000", Edit("forces", row("FRA", "active_personnel", 2022), change=times(1000)),
        THOUSANDS),
    bad("active personnel of China pasted", Edit("forces", row("MLT", "active_personnel", 2025),
                                                 change=to("2000000"))),
    bad("paramilitary two values x10", Edit("forces", row("BRA", "paramilitary_personnel", 2024), change=times(10)),
        DIGIT_MANY),
    bad("single tanks x1000", Edit("forces", row("KGZ", "tanks", 2023), change=times(1000))),
    bad("single towed artillery x10", Edit("forces", row("KGZ", "towed_artillery", 2023), change=times(10)),
        undetectable="3,110 guns for 25,000 troops is 0.12 per soldier, within what real armies field"),
    # infrastructure
    bad("railways two values x10", Edit("infrastructure", row("KGZ", "railways_km", 2022), change=times(10)),
        r"one of these two values"),
    bad("waterways two values x10", Edit("infrastructure", row("DEU", "waterways_km", 2022), change=times(10)),
        DIGIT_MANY),
    bad("waterways two values far apart x10", Edit("infrastructure", row("KGZ", "waterways_km", 2022),
                                                   change=times(10)),
        undetectable="the other value is of 2010, beyond the series window, and 5,760 km of waterways for "
        "Kyrgyzstan is within what real countries have per km² and per inhabitant"),
    bad("airports x1000", Edit("infrastructure", row("KGZ", "airports", 2025), change=times(1000)), THOUSANDS),
    bad("airports /10", Edit("infrastructure", row("ISL", "airports", 2025), change=times(0.1)), DIGIT_FEW),
    bad("railways two values /10", Edit("infrastructure", row("FRA", "railways_km", 2020), change=times(0.1))),
    bad("roads x10 beyond the series window", Edit("infrastructure", row("MLT", "roadways_km", 2021),
                                                   change=times(10))),
    bad("roads in thousands of km", Edit("infrastructure", row("NGA", "roadways_km", 2019), change=times(0.001)),
        THOUSANDS),
    bad("roads in thousands of km beyond the window", Edit("infrastructure", row("FRA", "roadways_km", 2022),
                                                           change=times(0.001)),
        undetectable="the other value is of 2011, beyond the series window, and no bound says how few km of "
        "road a country may have"),
    bad("single railway in metres", Edit("infrastructure", row("NGA", "railways_km", 2014), change=times(1000))),
    bad("single railway x10", Edit("infrastructure", row("NGA", "railways_km", 2014), change=times(10)),
        undetectable="37,980 km of railway on 910,770 km² and for 216 million people is within real networks"),
    bad("single pipelines x1000", Edit("infrastructure", row("NGA", "pipelines_km", 2013), change=times(1000))),
    bad("single ports x10", Edit("infrastructure", row("FRA", "ports", 2024), change=times(10)),
        undetectable="660 ports for France's coast and population is within what real countries have"),
    # age structure
    bad("age band as a fraction", Edit("age_structure", band("KGZ", 2024, "0-14"), "percent", times(0.01)),
        FRACTION),
    bad("age band x10", Edit("age_structure", band("KGZ", 2024, "65+"), "percent", to("69")), DIGIT_MANY),
    bad("age band x10 over 100", Edit("age_structure", band("FRA", 2024, "15-64"), "percent", times(10))),
    bad("age band digits swapped", Edit("age_structure", band("FRA", 2024, "0-14"), "percent", to("71.3"))),
    # ethnic groups
    bad("ethnic share as a fraction", Edit("ethnic_groups", group("KGZ", 2021, "Kyrgyz"), "percent", times(0.01)),
        FRACTION),
    bad("ethnic share x10", Edit("ethnic_groups", group("KGZ", 2021, "Russian"), "percent", times(10)),
        DIGIT_MANY),
    bad("ethnic share x10 over 100", Edit("ethnic_groups", group("KGZ", 2021, "Uzbek"), "percent", times(10))),
    bad("age band /10", Edit("age_structure", band("KGZ", 2024, "65+"), "percent", times(0.1)), DIGIT_FEW),
    bad("ethnic share /10 with a residual group", Edit("ethnic_groups", group("KGZ", 2021, "Uzbek"), "percent",
                                                       times(0.1)), DIGIT_FEW),
    bad("ethnic share /10 without a residual group", Edit("ethnic_groups", group("BDI", 2016, "Tutsi"), "percent",
                                                          times(0.1)),
        undetectable="a list without a residual group may fall short of 100% (the source names the main groups), "
        "and Burundi has no other year to compare the share with"),
    # more forces and infrastructure
    bad("single total personnel x10", Edit("forces", row("KGZ", "total_personnel", 2023), change=times(10)),
        DIGIT_MANY),
    bad("single aircraft x1000", Edit("forces", row("KGZ", "aircraft", 2023), change=times(1000)),
        undetectable="6,000 aircraft for 25,000 troops is within the per-soldier and per-inhabitant bounds, and "
        "no other country's aircraft are in the package to compare with"),
    bad("paved airports x10", Edit("infrastructure", row("KGZ", "airports_paved", 2021), change=times(10)),
        DIGIT_MANY),
    bad("paved roads x10", Edit("infrastructure", row("NGA", "roadways_paved_km", 2019), change=times(10)),
        DIGIT_MANY),
    bad("unpaved roads x10", Edit("infrastructure", row("KGZ", "roadways_unpaved_km", 2020), change=times(10))),
    bad("unpaved airports x10", Edit("infrastructure", row("KGZ", "airports_unpaved", 2021), change=times(10)),
        DIGIT_MANY),
    bad("paramilitary x10 in a sum", Edit("forces", row("KGZ", "paramilitary_personnel", 2023), change=times(10)),
        DIGIT_MANY),
    bad("single paramilitary x10", Edit("forces", row("FRA", "paramilitary_personnel", 2019), change=times(10)),
        undetectable="a million paramilitaries is 1.5% of France's population, within what real forces are"),
    bad("single heliports x10", Edit("infrastructure", row("KGZ", "heliports", 2025), change=times(10)),
        undetectable="10 heliports for Kyrgyzstan is within real densities and no other year is given"),
    bad("single population x10 of a territory", Edit("demographics", row("SGS", "population", 2021),
                                                     change=times(10)),
        undetectable="10,000 people on South Georgia's 3,903 km² is 2.6 per km², within real densities, and no "
        "other year or labour force is given"),
    bad("manpower fit x10", Edit("demographics", row("KGZ", "manpower_fit_for_service", 2010), change=times(10))),
    bad("single pipelines x10", Edit("infrastructure", row("KGZ", "pipelines_km", 2022), change=times(10)),
        undetectable="42,110 km of pipelines on 191,801 km² and for 6 million people is within real networks"),
    bad("single heliports x1000", Edit("infrastructure", row("ISL", "heliports", 2025), change=times(1000)),
        undetectable="1,000 heliports for Iceland is 0.01 per km² and 0.003 per inhabitant, within the bounds"),
    bad("population of a neighbour pasted", Edit("demographics", row("KGZ", "population", 2025),
                                                 change=to("20432662"))),
    # the way a number is typed
    bad("thousands separators", Edit("demographics", row("KGZ", "population", 2025), change=to("6,219,751")),
        r"not a number"),
    bad("European thousands separators", Edit("demographics", row("KGZ", "population", 2025),
                                              change=to("6.219.751")), r"not a number"),
    bad("decimal comma", Edit("forces", row("KGZ", "military_expenditure_pct_gdp", 2023), change=to("3,5")),
        r"not a number"),
    bad("percent sign", Edit("forces", row("KGZ", "military_expenditure_pct_gdp", 2023), change=to("3.5%")),
        r"not a number"),
    bad("population in millions", Edit("demographics", row("KGZ", "population", 2025), change=to("6.219751"))),
    bad("year in the future", Edit("demographics", row("KGZ", "population", 2025), "year", to("2052")),
        r"in the future"),
    bad("year with a digit dropped", Edit("organizations", {"id": "OTS"}, "founded", to("209"))),
    bad("year a century off", Edit("organizations", {"id": "OTS"}, "founded", to("1909")),
        undetectable="1909 is a possible founding year and no membership of the organization starts before 2009"),
    # more series and shares
    bad("expenditure x10 in a low series", Edit("forces", row("NGA", "military_expenditure_pct_gdp", 2024),
                                                change=times(10)), DIGIT_MANY),
    bad("labour force of a neighbour pasted", Edit("demographics", row("KGZ", "labor_force", 2024),
                                                   change=to("9400000"))),
    bad("paved roads in thousands of km", Edit("infrastructure", row("NGA", "roadways_paved_km", 2019),
                                               change=times(0.001)), THOUSANDS),
    bad("age band digits swapped in a series", Edit("age_structure", band("KGZ", 2024, "15-64"), "percent", to("46")),
        r"where 2023 had 63.86% for the same band"),
    bad("single active personnel x10", Edit("forces", row("ALB", "active_personnel", 2025), change=times(10)),
        undetectable="75,000 troops is 2.7% of Albania's population, within what real armies are (North Korea 5%)"),
    bad("single railway with its decimal point lost", Edit("infrastructure", row("BRA", "railways_km", 2014),
                                                           change=to("298499")),
        undetectable="298,499 km of railway is 0.035 km per km² and 1.4 m per inhabitant, within real networks"),
    # organizations, memberships, sources, countries, borders
    bad("dissolved before founded", Edit("organizations", {"id": "G-3"}, "dissolved", to("1985"))),
    bad("founded and dissolved swapped", Edit("organizations", {"id": "G-3"}, "founded", to("2006"),
                                              also=(("dissolved", to("1995")),))),
    bad("joined before founded", Edit("memberships", {"country": "KGZ", "organization": "CSTO", "status": "member"},
                                      "since", to("1992"))),
    bad("accessed before published", Edit("sources", {"id": "asean-timor-leste-2025"}, "accessed",
                                          to("2025-10-06"))),
    bad("membership ends before it begins", Edit("memberships", {"country": "KGZ", "organization": "CSTO",
                                                                 "status": "member"}, "until", to("1999"))),
    bad("membership begins in the future", Edit("memberships", {"country": "KGZ", "organization": "ADB",
                                                                "status": "member"}, "since", to("2099"))),
    bad("source published in the future", Edit("sources", {"id": "asean-timor-leste-2025"}, "published",
                                               to("2099-10-26"))),
    bad("coastline for a landlocked country", Edit("countries", {"iso3": "KGZ"}, "coastline_km", to("1000"))),
    bad("water area x10", Edit("countries", {"iso3": "FRA"}, "water_area_km2", times(10)), DIGIT_MANY),
    bad("land area x10", Edit("countries", {"iso3": "KGZ"}, "land_area_km2", times(10)), DIGIT_MANY),
    bad("border x10", Edit("borders", {"country": "KGZ", "neighbor": "KAZ"}, "length_km", times(10)), DIGIT_MANY),
]

GOOD_EDITS = [
    pytest.param(Edit("demographics", row("KGZ", "population", 2025), change=times(1.03)), id="population +3%"),
    pytest.param(Edit("demographics", row("KGZ", "population", 2025),
                      add="KGZ,population,2026,6268000,,,factbook-2026-01-22"), id="population next year"),
    pytest.param(Edit("demographics", row("NGA", "labor_force", 2024), change=times(1.03)), id="labour force +3%"),
    pytest.param(Edit("forces", row("FRA", "military_expenditure_pct_gdp", 2025), change=to("2.2")),
                 id="expenditure revised"),
    pytest.param(Edit("forces", row("FRA", "active_personnel", 2025), change=times(1.03)), id="army +3%"),
    pytest.param(Edit("infrastructure", row("KGZ", "railways_km", 2022), change=to("423")), id="railway typo fixed"),
    pytest.param(Edit("infrastructure", row("KGZ", "airports", 2025),
                      add="KGZ,airports,2026,29,,,factbook-2026-01-22"), id="airports next year"),
    pytest.param(Edit("infrastructure", row("NGA", "railways_km", 2014), change=times(1.03)), id="single railway +3%"),
    pytest.param(Edit("age_structure", band("KGZ", 2024, "0-14"), "percent", to("29.3")), id="age band re-rounded"),
    pytest.param(Edit("ethnic_groups", group("KGZ", 2021, "Kyrgyz"), "percent", to("73.5")),
                 id="ethnic share revised"),
    pytest.param(Edit("memberships", {"country": "KGZ", "organization": "CSTO", "status": "member"}, "since",
                      to("2003")), id="joined a year later"),
    pytest.param(Edit("sources", {"id": "asean-timor-leste-2025"}, "accessed", to("2026-12-04")),
                 id="accessed a day earlier"),
    pytest.param(Edit("ethnic_groups", group("KGZ", 2021, "other"), "percent", to("5.5")), id="residual re-rounded"),
    pytest.param(Edit("forces", row("KGZ", "military_expenditure_pct_gdp", 2024),
                      add="KGZ,military_expenditure_pct_gdp,2025,3.1,,,factbook-2026-01-22"),
                 id="expenditure next year"),
    pytest.param(Edit("borders", {"country": "KGZ", "neighbor": "KAZ"}, "length_km", to("1213")),
                 id="border rounded by a km"),
    pytest.param(Edit("infrastructure", row("DEU", "waterways_km", 2022), change=times(0.97)),
                 id="waterways -3%"),
]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_package(REPO, tmp_path_factory.mktemp("real") / "package")


@pytest.fixture
def edited(package: Path):
    """Apply an edit to the shared copy, give back the edited line, and restore the file after."""
    saved: list[tuple[Path, bytes]] = []

    def apply(edit: Edit) -> int:
        path = package / "data" / f"{edit.table}.csv"
        saved.append((path, path.read_bytes()))
        return _apply(path, edit)

    yield apply
    for path, content in saved:
        path.write_bytes(content)


def _apply(path: Path, edit: Edit) -> int:
    """Make the edit; the CSV line it touched (the real data has no multi-line cells)."""
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = records[0]
    number = next((n for n, record in enumerate(records[1:], start=1)
                   if all(record[header.index(k)] == v for k, v in edit.where.items())), None)
    assert number is not None, f"no row {edit.where} in {path.name}"
    if edit.add is not None:
        records.insert(number + 1, next(csv.reader([edit.add])))
        number += 1
    else:
        for column, change in ((edit.column, edit.change), *edit.also):
            cell = header.index(column)
            before = records[number][cell]
            records[number][cell] = change(before)
            assert records[number][cell] != before, "the edit changes nothing"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    path.write_text(out.getvalue(), encoding="utf-8")
    return number + 1


def _errors(package: Path) -> list:
    return [f for f in validate(package).findings if f.severity == ERROR]


def _shown(errors: list) -> str:
    return "\n".join(f"{f.path}:{f.line} [{f.rule}] {f.message}" for f in errors) or "(no error)"


def test_the_real_package_has_no_error(package):
    assert _errors(package) == []


@pytest.mark.parametrize("edit, slip", BAD_EDITS)
def test_a_slip_fails_at_the_edited_row(package, edited, edit, slip):
    line = edited(edit)
    errors = _errors(package)
    at = [f for f in errors if f.path == f"data/{edit.table}.csv" and f.line == line]
    assert at, f"no error at {edit.table}.csv:{line}; errors:\n{_shown(errors)}"
    if slip is not None:
        assert any(re.search(slip, f.message) for f in at), _shown(at)


@pytest.mark.parametrize("edit", GOOD_EDITS)
def test_a_realistic_edit_passes(package, edited, edit):
    edited(edit)
    assert _errors(package) == [], _shown(_errors(package))


def test_the_table_covers_every_kind_of_slip():
    cases = [param.values[0] for param in BAD_EDITS]
    assert len(BAD_EDITS) >= 30 and len(GOOD_EDITS) >= 10
    assert {edit.table for edit in cases} >= {"demographics", "forces", "infrastructure", "age_structure",
                                               "ethnic_groups", "organizations", "memberships", "sources"}
