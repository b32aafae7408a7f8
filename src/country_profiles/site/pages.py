"""The site's pages as HTML strings: the index, one page per country, data quality, rules.

Every number shown from a table is a <data> element whose attributes name the table, the
row's primary key and the field (tests compare them with the tables), and every value carries a
link to its source in the page's sources section (#source-<id>).
"""

from __future__ import annotations

import re

from collections.abc import Iterable
from typing import Any

from country_profiles.site import charts
from country_profiles.site.data import PlacedFinding, SiteData
from country_profiles.site.markdown import to_html
from country_profiles.site.markup import (
    attrs, data_attrs, esc, fmt_number, fmt_range, indicator_label, page, unit_label,
)

SECTION_TITLES = {"demographics": "Demographics", "forces": "Armed forces", "infrastructure": "Infrastructure"}
GLANCE = ("population", "active_personnel", "total_personnel")


def country_href(iso3: str, root: str) -> str:
    return f"{root}countries/{iso3}.html"


def num(table: str, key: list[Any], field: str, value: Any, *, year: bool = False) -> str:
    """A number from a table cell, tied to the cell by its attributes."""
    if value is None:
        return _missing()
    shown = str(int(value)) if year else fmt_number(value)
    return f'<data value="{float(value)!r}"{data_attrs(table, key, field)}>{shown}</data>'


class Citations:
    """The sources one page cites, numbered by first use; `ref` links a value to its source."""

    def __init__(self, sources: dict[str, dict[str, Any]]) -> None:
        self.sources = sources
        self.numbers: dict[str, int] = {}

    def ref(self, *source_ids: str | None) -> str:
        links = []
        for source_id in dict.fromkeys(s for s in source_ids if s):
            number = self.numbers.setdefault(source_id, len(self.numbers) + 1)
            title = (self.sources.get(source_id) or {}).get("title") or source_id
            links.append(f'<a class="src" href="#source-{esc(source_id)}" title="Source: {esc(title)}">'
                         f'<span class="visually-hidden">source </span>[{number}]</a>')
        return "".join(links)

    def section(self) -> str:
        items = []
        for source_id, number in sorted(self.numbers.items(), key=lambda item: item[1]):
            row = self.sources.get(source_id) or {}
            url = row.get("url")
            details = ", ".join(esc(part) for part in (row.get("publisher"), row.get("published")) if part)
            # Validation refuses other schemes; the page never links one even if it got through.
            link = (f'<br><a class="external" href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
                    if isinstance(url, str) and WEB_URL.match(url) else f"<br>{esc(url)}" if url else "")
            extra = "".join(f'<br><span class="muted">{label}{esc(row[name])}</span>'
                            for name, label in (("license", "Licence: "), ("note", "")) if row.get(name))
            title = esc(row.get("title") or source_id)
            items.append(
                f'<li id="source-{esc(source_id)}" value="{number}"><strong>{title}</strong>'
                f'{" (" + details + ")" if details else ""} <code>{esc(source_id)}</code>{link}{extra}</li>'
            )
        return _section("sources", "Sources", f'<ol class="sources">{"".join(items)}</ol>')


WEB_URL = re.compile(r"https?://[^\s]+\Z", re.IGNORECASE)


def _table(caption: str, head: Iterable[str], body_rows: Iterable[str], *, cls: str | None = None,
           id_: str | None = None) -> str:
    header = "".join(f'<th scope="col">{h}</th>' for h in head)
    return (f'<div class="table-wrap"><table{attrs(class_=cls, id=id_)}><caption>{caption}</caption>'
            f'<thead><tr>{header}</tr></thead><tbody>{"".join(body_rows)}</tbody></table></div>')


def _note(text: str | None) -> str:
    return esc(text) if text else ""


# --- index ---------------------------------------------------------------------------------------


def index_page(data: SiteData) -> str:
    regions = sorted({p["country"]["region"] for p in data.profiles.values()})
    rows = []
    for iso3, profile in sorted(data.profiles.items(), key=lambda item: item[1]["country"]["name"]):
        country = profile["country"]
        population = profile["indicators"].get("population")
        current = [m for m in profile["memberships"] if m["until"] is None]
        warnings = len(data.findings_for(iso3))
        pop_cell = (num("demographics", [iso3, "population", population["year"]], "value", population["value"])
                    + f' <span class="muted">({population["year"]})</span>' if population else _missing())
        search = " ".join((country["name"], iso3, country["iso2"])).lower()
        area = num("countries", [iso3], "area_km2", country["area_km2"])
        rows.append(
            f'<tr{attrs(data_search=search, data_region=country["region"])}>'
            f'<th scope="row"><a href="{country_href(iso3, "")}">{esc(country["name"])}</a></th>'
            f'<td><code>{iso3}</code></td><td class="region">{esc(country["region"])}</td>'
            f'<td class="num"{_sort(population and population["value"])}>{pop_cell}</td>'
            f'<td class="num"{_sort(country["area_km2"])}>{area}</td>'
            f'<td class="num"{_sort(len(profile["borders"]))}>{len(profile["borders"])}</td>'
            f'<td class="num"{_sort(len(current))}>{len(current)}</td>'
            f'<td class="num"{_sort(warnings)}>{warnings or ""}</td></tr>'
        )
    options = "".join(f'<option value="{esc(r)}">{esc(r)}</option>' for r in regions)
    head = [
        '<span data-sort="text">Country</span>', '<span data-sort="text">Code</span>',
        '<span data-sort="text">Region</span>', '<span data-sort="number">Population</span>',
        '<span data-sort="number">Area (km²)</span>', '<span data-sort="number">Land borders</span>',
        '<span data-sort="number">Memberships</span>', '<span data-sort="number">Warnings</span>',
    ]
    total = len(data.profiles)
    body = f"""
    <h1>Country profiles</h1>
    <p class="lead">{total} countries and areas: population, area, borders and memberships in international
    organizations at a glance. Open a country for its charts, figures and sources, or see the
    <a href="quality.html">data-quality report</a> ({data.counts.get("warning", 0)} warnings,
    {data.counts.get("error", 0)} errors).</p>
    <form class="filters" id="filters" data-filter-for="countries" hidden role="search">
      <label>Find <input type="search" id="filter-text" placeholder="name or code" autocomplete="off"></label>
      <label>Region <select id="filter-region"><option value="">all regions</option>{options}</select></label>
      <output id="filter-count" aria-live="polite">{total} of {total} shown</output>
    </form>
    {_table("Countries and areas, by name. Population: latest year; memberships: current ones; "
            "warnings: findings of the validator on the country's rows.", head, rows, cls="sortable", id_="countries")}
    """
    return page(title="Countries", body=body, root="", current="index.html", package=data.package,
                description=f"Country profiles of {total} countries and areas")


def _sort(value: Any) -> str:
    return attrs(data_sort_value="" if value is None else repr(float(value)))


def _missing() -> str:
    return '<span class="missing" title="no value in the table">–</span>'


# --- country page ------------------------------------------------------------------------------


def country_page(data: SiteData, iso3: str) -> str:
    profile = data.profiles[iso3]
    country = profile["country"]
    cite = Citations(data.sources)
    sections = [
        _glance(data, profile, cite),
        _geography(country, cite),
        _side_by_side(_age_section(data, iso3, country["name"], cite),
                      _ethnic_section(data, iso3, country["name"], cite)),
        _series_section(data, iso3, country["name"], cite),
        *(_indicator_section(data, profile, table, cite) for table in SECTION_TITLES),
        _borders_section(profile, cite),
        _memberships_section(profile, cite),
        _quality_section(data, iso3),
    ]
    sections = [s for s in sections if s]
    sources = cite.section()
    toc = "".join(
        f'<li><a href="#{anchor}">{label}</a></li>'
        for anchor, label in _toc_entries("".join(sections) + sources)
    )
    status = "independent state" if country["independent"] else "dependency or area of special sovereignty"
    name, region = esc(country["name"]), esc(country["region"])
    body = f"""
    <nav class="breadcrumb" aria-label="Breadcrumb"><a href="../index.html">All countries</a> › {name}</nav>
    <h1>{name}</h1>
    <p class="lead"><code>{iso3}</code> · <code>{esc(country["iso2"])}</code> · {region} · {status}</p>
    <nav class="toc" aria-label="On this page"><ul>{toc}</ul></nav>
    {"".join(sections)}
    {sources}
    """
    return page(title=country["name"], body=body, root="../", package=data.package,
                description=f"Profile of {country['name']}: population, age structure, ethnic groups, "
                            "armed forces, infrastructure, borders and memberships, with sources")


TOC = (("glance", "At a glance"), ("geography", "Geography"), ("age", "Age structure"),
       ("ethnic", "Ethnic groups"), ("series", "Over time"), ("demographics", "Demographics"),
       ("forces", "Armed forces"), ("infrastructure", "Infrastructure"), ("borders", "Borders"),
       ("memberships", "Memberships"), ("quality", "Data quality"), ("sources", "Sources"))


def _toc_entries(html_text: str) -> list[tuple[str, str]]:
    return [(anchor, label) for anchor, label in TOC if f'<section id="{anchor}"' in html_text]


def _section(anchor: str, title: str, content: str, *, hide_title: bool = False) -> str:
    """A titled section of a country page; its id is what the table of contents links to."""
    hidden = ' class="visually-hidden"' if hide_title else ""
    return (f'<section id="{anchor}" aria-labelledby="{anchor}-h"><h2 id="{anchor}-h"{hidden}>{title}</h2>'
            f"{content}</section>")


def _side_by_side(*sections: str) -> str:
    shown = [s for s in sections if s]
    return f'<div class="chart-grid people">{"".join(shown)}</div>' if shown else ""


def _glance(data: SiteData, profile: dict[str, Any], cite: Citations) -> str:
    iso3 = profile["country"]["iso3"]
    cards = []
    for indicator in GLANCE:
        entry = profile["indicators"].get(indicator)
        if entry is None:
            continue
        cards.append(_card(indicator_label(indicator), _indicator_value(iso3, indicator, entry),
                           f'{unit_label(entry["unit"])} ({entry["year"]})', cite.ref(entry["source_id"])))
    country = profile["country"]
    if country["area_km2"] is not None:
        cards.append(_card("Area", num("countries", [iso3], "area_km2", country["area_km2"]), "km²",
                           cite.ref(country["source_id"])))
    cards.append(_card("Land borders", str(len(profile["borders"])), "neighbours", ""))
    current = sum(1 for m in profile["memberships"] if m["until"] is None)
    cards.append(_card("Memberships", str(current), "organizations", ""))
    return _section("glance", "At a glance", f'<ul class="cards">{"".join(cards)}</ul>', hide_title=True)


def _card(label: str, value: str, unit: str, refs: str) -> str:
    return (f'<li class="card"><span class="card-label">{esc(label)}</span>'
            f'<span class="card-value">{value}</span><span class="card-unit">{esc(unit)} {refs}</span></li>')


def _indicator_value(iso3: str, indicator: str, row: dict[str, Any]) -> str:
    key = [iso3, indicator, row["year"]]
    table = row["table"]
    shown = num(table, key, "value", row["value"])
    if row.get("value_max") is not None:
        shown += "–" + num(table, key, "value_max", row["value_max"])
    return shown


def _geography(country: dict[str, Any], cite: Citations) -> str:
    iso3 = country["iso3"]
    fields = (("area_km2", "Total area", "km²"), ("land_area_km2", "Land", "km²"),
              ("water_area_km2", "Water", "km²"), ("coastline_km", "Coastline", "km"),
              ("land_boundaries_km", "Land boundaries", "km"))
    items = [f"<div><dt>{label}</dt><dd>{num('countries', [iso3], name, country[name])} {unit}</dd></div>"
             for name, label, unit in fields]
    landlocked = {True: "yes", False: "no", None: "–"}[country["landlocked"]]
    items.append(f"<div><dt>Landlocked</dt><dd>{landlocked}</dd></div>")
    source = f'<p class="muted">Source: {cite.ref(country["source_id"])}</p>'
    return _section("geography", "Geography", f'<dl class="facts">{"".join(items)}</dl>{source}')


def _series_indicators(data: SiteData, iso3: str) -> list[str]:
    """Indicators with values for two or more years: population first, then by table (demographics,
    forces, infrastructure) in indicators.csv order."""
    series = data.series.get(iso3, {})
    by_table = sorted(data.indicators, key=lambda i: list(SECTION_TITLES).index(data.indicators[i]["table"])
                      if data.indicators[i]["table"] in SECTION_TITLES else len(SECTION_TITLES))
    order = ["population"] + [i for i in by_table if i != "population"]
    order += [i for i in series if i not in order]
    return [i for i in order if len({r["year"] for r in series.get(i, [])}) >= 2]


def _series_section(data: SiteData, iso3: str, name: str, cite: Citations) -> str:
    figures = []
    for indicator in _series_indicators(data, iso3):
        rows = data.series[iso3][indicator]
        definition = data.indicators.get(indicator, {})
        unit = unit_label(definition.get("unit"))
        label = indicator_label(indicator)
        points = [charts.Point(r["year"], r["value"], r["value_max"], r["note"] or "") for r in rows]
        svg = charts.line_chart(f"chart-{indicator}", f"{label} of {name} over time", points,
                                unit=unit, subject=f"{label} of {name}")
        table_rows = [
            f'<tr><th scope="row">{r["year"]}</th><td class="num">{_indicator_value(iso3, indicator, r)}</td>'
            f'<td>{cite.ref(r["source_id"])}</td><td>{_note(r["note"])}</td></tr>'
            for r in rows
        ]
        latest = rows[-1]
        figures.append(
            f'<figure class="chart-figure" id="series-{indicator}">'
            f'<figcaption><h3>{esc(label)}</h3><p class="muted">{esc(definition.get("description") or "")}</p>'
            f'<p>Latest: {esc(fmt_range(latest["value"], latest["value_max"]))} {esc(unit)} in {latest["year"]} '
            f'{cite.ref(latest["source_id"])}</p></figcaption>{svg}'
            f'<details><summary>Values and sources</summary>'
            + _table(f"{esc(label)} by year", ["Year", f"Value ({esc(unit or 'count')})", "Source", "Note"],
                     table_rows)
            + "</details></figure>"
        )
    if not figures:
        return ""
    return _section("series", "Over time",
                    '<p class="muted">Every indicator with values for two or more years. A range is drawn as a bar, '
                    f'the line passes through its middle.</p><div class="chart-grid">{"".join(figures)}</div>')


def _age_section(data: SiteData, iso3: str, name: str, cite: Citations) -> str:
    rows = data.age_structure.get(iso3, [])
    if not rows:
        return ""
    order = {band: n for n, band in enumerate(data.age_bands)}
    years = sorted({r["year"] for r in rows})
    stacked = []
    for year in years:
        bands = sorted((r for r in rows if r["year"] == year), key=lambda r: order.get(r["age_band"], 99))
        stacked.append(charts.StackedRow(str(year), tuple((r["age_band"], r["percent"]) for r in bands)))
    svg = charts.stacked_chart("chart-age", f"Age structure of {name}", stacked, data.age_bands,
                               axis_label="Share of the population (%)", subject=f"Age structure of {name}")
    table_rows = [
        f'<tr><th scope="row">{r["year"]}</th><td>{esc(r["age_band"])}</td>'
        f'<td class="num">{num("age_structure", [iso3, r["year"], r["age_band"]], "percent", r["percent"])}%</td>'
        f'<td>{cite.ref(r["source_id"])}</td><td>{_note(r["note"])}</td></tr>'
        for r in sorted(rows, key=lambda r: (-r["year"], order.get(r["age_band"], 99)))
    ]
    return _section("age", "Age structure",
                    f'<figure class="chart-figure">{svg}<figcaption class="muted">Share of the population in each '
                    "age band, one bar per year with data.</figcaption></figure>"
                    "<details><summary>Values and sources</summary>"
                    + _table("Age structure by year", ["Year", "Age band", "Share", "Source", "Note"], table_rows)
                    + "</details>")


def _ethnic_section(data: SiteData, iso3: str, name: str, cite: Citations) -> str:
    rows = data.ethnic_groups.get(iso3, [])
    if not rows:
        return ""
    latest_year = max(r["year"] for r in rows)
    latest = sorted((r for r in rows if r["year"] == latest_year), key=lambda r: (-r["percent"], r["group"]))
    bars = [charts.Bar(r["group"], r["percent"], r["percent_max"]) for r in latest]
    svg = charts.bar_chart("chart-ethnic", f"Ethnic groups of {name}, {latest_year}", bars,
                           axis_label="Share of the population (%)",
                           subject=f"Ethnic groups of {name} in {latest_year}")
    total = sum(r["percent"] for r in latest)
    table_rows = []
    for r in sorted(rows, key=lambda r: (-r["year"], -r["percent"], r["group"])):
        key = [iso3, r["year"], r["group"]]
        share = num("ethnic_groups", key, "percent", r["percent"])
        if r["percent_max"] is not None:
            share += "–" + num("ethnic_groups", key, "percent_max", r["percent_max"])
        table_rows.append(f'<tr><th scope="row">{r["year"]}</th><td>{esc(r["group"])}</td>'
                          f'<td class="num">{share}%</td><td>{cite.ref(r["source_id"])}</td>'
                          f"<td>{_note(r['note'])}</td></tr>")
    years = sorted({r["year"] for r in rows}, reverse=True)
    return _section("ethnic", "Ethnic groups",
                    f'<figure class="chart-figure">{svg}<figcaption class="muted">{latest_year}, largest group first; '
                    f"the shares add up to {fmt_number(round(total, 2))}%. "
                    f'{cite.ref(*(r["source_id"] for r in latest))}</figcaption></figure>'
                    f'<details><summary>Values and sources ({", ".join(map(str, years))})</summary>'
                    + _table("Ethnic groups by year", ["Year", "Group", "Share", "Source", "Note"], table_rows)
                    + "</details>")


def _indicator_section(data: SiteData, profile: dict[str, Any], table: str, cite: Citations) -> str:
    iso3 = profile["country"]["iso3"]
    entries = [(i, e) for i, e in profile["indicators"].items() if e["table"] == table]
    if not entries:
        return ""
    charted = set(_series_indicators(data, iso3))
    rows = []
    for indicator, entry in entries:
        definition = data.indicators.get(indicator, {})
        more = f' <a class="more" href="#series-{indicator}">chart</a>' if indicator in charted else ""
        rows.append(
            f'<tr><th scope="row">{esc(indicator_label(indicator))}{more}'
            f'<span class="desc">{esc(definition.get("description") or "")}</span></th>'
            f'<td class="num">{_indicator_value(iso3, indicator, entry)}</td><td>{esc(unit_label(entry["unit"]))}</td>'
            f'<td>{entry["year"]}</td><td>{cite.ref(entry["source_id"])}</td><td>{_note(entry["note"])}</td></tr>'
        )
    title = SECTION_TITLES[table]
    head = ["Indicator", "Value", "Unit", "Year", "Source", "Note"]
    return _section(table, title, _table(f"{title}: the latest value of each indicator", head, rows, cls="figures"))


def _borders_section(profile: dict[str, Any], cite: Citations) -> str:
    iso3 = profile["country"]["iso3"]
    borders = profile["borders"]
    if not borders:
        return _section("borders", "Borders", "<p>No land borders are recorded.</p>")
    rows = []
    for border in sorted(borders, key=lambda b: -(b["length_km"] or 0)):
        code = border["neighbor"]
        # the profile names a neighbour only when it is a row of countries, i.e. has a page
        neighbour = f'<a href="{code}.html">{esc(border["name"])}</a>' if border["name"] else ""
        rows.append(
            f'<tr><th scope="row">{neighbour} <code>{code}</code></th>'
            f'<td class="num">{num("borders", [iso3, border["neighbor"]], "length_km", border["length_km"])}</td>'
            f'<td>{cite.ref(border["source_id"])}</td><td>{_note(border["note"])}</td></tr>'
        )
    total = sum(b["length_km"] or 0 for b in borders)
    caption = f"{len(borders)} land borders, longest first; together {fmt_number(round(total, 2))} km"
    return _section("borders", "Borders", _table(caption, ["Neighbour", "Length (km)", "Source", "Note"], rows))


def _memberships_section(profile: dict[str, Any], cite: Citations) -> str:
    iso3 = profile["country"]["iso3"]
    memberships = profile["memberships"]
    if not memberships:
        return _section("memberships", "Memberships", "<p>No memberships are recorded.</p>")
    rows = []
    for m in sorted(memberships, key=lambda m: (m["until"] is not None, m["organization"].casefold(), m["status"])):
        key = [iso3, m["organization"], m["status"]]
        ended = ' class="ended"' if m["until"] is not None else ""
        rows.append(
            f'<tr{ended}><th scope="row"><span class="org">{esc(m["organization"])}</span>'
            f'<span class="desc">{esc(m["name"] or "")}</span></th><td>{esc(m["status"].replace("_", " "))}</td>'
            f'<td>{num("memberships", key, "since", m["since"], year=True)}</td>'
            f'<td>{num("memberships", key, "until", m["until"], year=True) if m["until"] is not None else ""}</td>'
            f'<td>{cite.ref(m["source_id"], m["since_source_id"])}</td><td>{_note(m["note"])}</td></tr>'
        )
    current = sum(1 for m in memberships if m["until"] is None)
    caption = f"{current} current, {len(memberships) - current} ended; current first, by organization"
    return _section("memberships", "Memberships",
                    _table(caption, ["Organization", "Status", "Since", "Until", "Source", "Note"], rows))


def _quality_section(data: SiteData, iso3: str) -> str:
    placed = data.findings_for(iso3)
    if not placed:
        return _section("quality", "Data quality", "<p>The validator reports nothing on this country's rows. "
                        '<a href="../quality.html">All findings</a></p>')
    items = "".join(
        f'<li>{_severity(p.finding.severity)} {_rule_link(data, p.finding.rule, "../")}: {esc(p.finding.message)} '
        f'<a href="../quality.html#finding-{p.number}">(finding {p.number} in the report)</a></li>'
        for p in placed
    )
    return _section("quality", "Data quality", "<p>What <code>country-profiles validate</code> reports on this "
                    f'country\'s rows:</p><ul class="findings">{items}</ul>')


def _severity(severity: str) -> str:
    return f'<span class="badge badge-{esc(severity)}">{esc(severity)}</span>'


# --- quality and rules ---------------------------------------------------------------------------


def quality_page(data: SiteData) -> str:
    counts = data.counts
    summary = (f"<code>country-profiles validate</code> finds {counts.get('error', 0)} errors and "
               f"{counts.get('warning', 0)} warnings in the package {esc(data.package)}. Errors fail CI; a warning "
               f'informs, and the <a href="rules.html">rule catalogue</a> says why each rule is an error or a warning '
               f"and lists the documented exceptions.")
    by_rule: dict[str, list[PlacedFinding]] = {}
    for placed in data.findings:
        by_rule.setdefault(placed.finding.rule, []).append(placed)
    overview = "".join(
        f'<li>{_rule_link(data, rule, "")}: <a href="#finding-{found[0].number}">{len(found)} '
        f'{"finding" if len(found) == 1 else "findings"}</a></li>'
        for rule, found in sorted(by_rule.items(), key=lambda item: (-len(item[1]), item[0]))
    )
    rows = [_finding_row(data, placed) for placed in data.findings]
    table = (_table("Findings, by file and line", ["#", "Finding", "Countries", "Message"], rows, cls="findings-table")
             if rows else "<p>Nothing to report.</p>")
    body = (f'<h1>Data quality</h1><p class="lead">{summary}</p>'
            + (f'<h2 id="by-rule">By rule</h2><ul class="by-rule">{overview}</ul><h2 id="findings">Every finding</h2>'
               if rows else "")
            + table)
    return page(title="Data quality", body=body, root="", current="quality.html", package=data.package,
                description="Warnings and errors the validator reports on the package, linked to countries and rules")


def _rule_link(data: SiteData, rule: str, root: str) -> str:
    if rule in data.rule_ids:
        return f'<a href="{root}rules.html#{esc(rule)}"><code>{esc(rule)}</code></a>'
    return f"<code>{esc(rule)}</code>"


def _finding_row(data: SiteData, placed: PlacedFinding) -> str:
    finding = placed.finding
    countries = "<br>".join(
        f'<a href="{country_href(code, "")}#quality">{esc(data.profiles[code]["country"]["name"])}</a>'
        if code in data.profiles else f"<code>{esc(code)}</code>"
        for code in placed.countries
    )
    lines = ", ".join(str(line) for line in (finding.lines or ((finding.line,) if finding.line else ())))
    where = f"<code>{esc(finding.path or '')}</code>" + (f" line {lines}" if lines else "")
    return (f'<tr id="finding-{placed.number}"><td>{placed.number}</td>'
            f'<td>{_severity(finding.severity)} {_rule_link(data, finding.rule, "")}'
            f'<span class="desc">{where}</span></td>'
            f"<td>{countries}</td><td>{esc(finding.message)}</td></tr>")


def rules_page(data: SiteData) -> str:
    body = f'<div class="prose">{to_html(data.rules_markdown)}</div>'
    return page(title="Rule catalogue", body=body, root="", current="rules.html", package=data.package,
                description="Every rule the validator checks, with its severity, thresholds and exceptions")
