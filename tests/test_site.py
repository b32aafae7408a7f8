"""`country-profiles site`: the pages, their numbers, links, charts and findings, read back as files.

Most tests build the site of a small hand-written package (three countries and an island with
no figures, under the project's real schemas) into tmp_path; the last ones build the real
package. Pages are parsed into a small tree (html.parser), which also checks they are well formed.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from country_profiles import cli, load
from country_profiles.paths import REPO_ROOT
from country_profiles.site import build_site, charts, markdown
from country_profiles.site.markup import fmt_number


# --- a small package, by hand --------------------------------------------------------------------

TABLES = {
    "countries": """iso3,iso2,gec,name,region,independent,area_km2,land_area_km2,water_area_km2,coastline_km,\
landlocked,land_boundaries_km,source_id
KAZ,KZ,KZ,Kazakhstan,Central Asia,true,2724900,2699700,25200,0,true,1212,atlas-a
KGZ,KG,KG,Kyrgyzstan,Central Asia,true,199951,191801,8150,0,true,2196,atlas-a
NRU,NR,NR,Nauru,Australia and Oceania,true,21,21,0,30,false,0,atlas-a
TJK,TJ,TI,Tajikistan,Central Asia,true,144100,141510,2590,0,true,984,atlas-a
""",
    "borders": """country,neighbor,length_km,note,source_id
KAZ,KGZ,1212,,atlas-a
KGZ,KAZ,1212,,atlas-a
KGZ,TJK,984,,atlas-a
""",
    "indicators": """id,table,unit,integer,minimum,maximum,description
active_personnel,forces,persons,true,0,,Active-duty military personnel
labor_force,demographics,persons,true,0,,People aged 15 or older who are employed or seeking work
military_expenditure_pct_gdp,forces,percent_of_gdp,false,0,100,Military expenditure as a share of GDP
population,demographics,persons,true,0,2000000000,Total resident population
railways_km,infrastructure,km,false,0,,Length of the railway network
""",
    "demographics": """country,indicator,year,value,value_max,note,source_id
KAZ,population,2024,19543464,,,atlas-a
KGZ,labor_force,2024,2841000,,,atlas-b
KGZ,population,2015,5664939,,,atlas-a
KGZ,population,2023,6122781,,,atlas-b
KGZ,population,2025,6219751,,mid-year estimate,atlas-b
TJK,population,2024,9245937,,,atlas-a
""",
    "forces": """country,indicator,year,value,value_max,note,source_id
KGZ,active_personnel,2023,15000,,,news-2023
KGZ,active_personnel,2025,10000,15000,an estimate,atlas-b
KGZ,military_expenditure_pct_gdp,2020,3,,,atlas-a
KGZ,military_expenditure_pct_gdp,2024,3.5,,,atlas-b
""",
    "infrastructure": """country,indicator,year,value,value_max,note,source_id
KGZ,railways_km,2022,424.5,,,atlas-b
""",
    "ethnic_groups": """country,year,group,percent,percent_max,note,source_id
KGZ,2021,Kyrgyz,73.8,,,atlas-b
KGZ,2021,Russian,5.1,,,atlas-b
KGZ,2021,Uzbek,14.8,,,atlas-b
KGZ,2021,other,6.3,,,atlas-b
TJK,2014,Tajik,84.3,,,atlas-a
TJK,2014,Uzbek,12.2,,,atlas-a
TJK,2014,other,2,3.5,a range,atlas-a
""",
    "age_structure": """country,year,age_band,percent,note,source_id
KGZ,2015,0-14,29.92,,atlas-a
KGZ,2015,15-64,65.07,,atlas-a
KGZ,2015,65+,5.01,,atlas-a
KGZ,2024,0-14,29.1,,atlas-b
KGZ,2024,15-64,64,,atlas-b
KGZ,2024,65+,6.9,,atlas-b
""",
    "organizations": """id,name,founded,dissolved,kind,note,source_id,founded_source_id
CSTO,Collective Security Treaty Organization,2002,,intergovernmental,,atlas-a,
UN,United Nations,1945,,intergovernmental,,atlas-a,
""",
    "memberships": """country,organization,status,since,until,note,source_id,since_source_id
KAZ,UN,member,1992,,,atlas-a,
KGZ,CSTO,member,2002,,,atlas-a,news-2023
KGZ,UN,member,1992,,,atlas-a,
TJK,CSTO,observer,1993,2001,then a member,atlas-a,
TJK,UN,member,1992,,,atlas-a,
""",
    "sources": """id,title,publisher,url,published,accessed,license,note
atlas-a,"An atlas, edition A",Atlas Office,https://atlas.example.org/a,2024-02-15,2026-01-10,Public domain,fixture
atlas-b,"An atlas, edition B",Atlas Office,https://atlas.example.org/b,2025-04-17,2026-01-10,Public domain,fixture
news-2023,A news article,A newspaper,,2023-10-04,2026-01-10,All rights reserved,hand-written test fixture
""",
}


def write_package(root: Path) -> Path:
    """The project's descriptor and schemas with the hand-written tables above."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "datapackage.json", root)
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    (root / "data").mkdir()
    for name, text in TABLES.items():
        (root / "data" / f"{name}.csv").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return write_package(tmp_path_factory.mktemp("package") / "package")


@pytest.fixture(scope="module")
def site(package, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(out, package)
    return out


# --- pages as trees --------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag)

    def ids(self) -> set[str]:
        return {node.attrs["id"] for node in self.iter() if "id" in node.attrs}


class TreeBuilder(HTMLParser):
    """Builds a Node tree and insists on explicit, matching end tags (our pages write them all)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}> at line {self.getpos()[0]}"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


@functools.lru_cache(maxsize=None)
def parse(path: Path) -> Node:
    """The page as a tree (cached: tests only read it)."""
    builder = TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    assert [n.tag for n in builder.stack] == ["#document"], f"{path}: unclosed {builder.stack[-1].tag}"
    return builder.root


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def internal_links(page: Path, tree: Node) -> list[tuple[str, Path, str]]:
    """(href, target file, fragment) for every link that stays inside the site."""
    links = []
    for node in tree.iter():
        href = {"a": "href", "link": "href", "script": "src"}.get(node.tag)
        href = node.attrs.get(href) if href else None
        if href is None or urlsplit(href).scheme in ("http", "https", "mailto", "data"):
            continue
        path, _, fragment = href.partition("#")
        target = (page.parent / unquote(path)).resolve() if path else page
        links.append((href, target, unquote(fragment)))
    return links


def table_value(frame, key: list, column: str):
    row = frame.loc[tuple(key) if len(key) > 1 else key[0]]
    return row[column]


# --- tests on the small package --------------------------------------------------------------------


def test_every_country_has_a_page_and_a_row_in_the_index(site, package):
    countries = load("countries", package)
    assert sorted(p.stem for p in (site / "countries").glob("*.html")) == sorted(countries.index)
    index = parse(site / "index.html")
    rows = index.iter("tr")
    linked = {a.attrs["href"] for row in rows for a in row.iter("a")}
    assert {f"countries/{code}.html" for code in countries.index} <= linked
    assert len(list(next(index.iter("tbody")).iter("tr"))) == len(countries)


def test_every_page_is_well_formed_and_every_internal_link_resolves(site):
    trees = {page: parse(page) for page in pages(site)}
    ids = {page: tree.ids() for page, tree in trees.items()}
    checked, broken = 0, []
    for page, tree in trees.items():
        for href, target, fragment in internal_links(page, tree):
            checked += 1
            if not target.is_file():
                broken.append(f"{page.name}: {href} -> no file")
            elif fragment and fragment not in (ids.get(target) or parse(target).ids()):
                broken.append(f"{page.name}: {href} -> no id {fragment!r}")
    assert broken == []
    assert checked > 50


@pytest.mark.parametrize("table", ["countries", "demographics", "forces", "infrastructure", "ethnic_groups",
                                   "age_structure", "borders", "memberships"])
def test_numbers_on_the_pages_are_the_numbers_in_the_tables(site, package, table):
    frame = load(table, package)
    shown = 0
    for page in pages(site):
        for node in parse(page).iter("data"):
            if node.attrs["data-table"] != table:
                continue
            key, column = json.loads(node.attrs["data-key"]), node.attrs["data-field"]
            expected = float(table_value(frame, key, column))
            assert float(node.attrs["value"]) == expected, (page.name, key, column)
            assert float(node.text().replace(",", "")) == pytest.approx(expected), (page.name, key, node.text())
            shown += 1
    assert shown > 0


@pytest.mark.parametrize("table", ["demographics", "forces", "infrastructure", "ethnic_groups", "age_structure",
                                   "borders"])
def test_every_row_of_a_country_is_on_its_page(site, package, table):
    frame = load(table, package).reset_index()
    for code, rows in frame.groupby("country", observed=True):
        tree = parse(site / "countries" / f"{code}.html")
        keys = {node.attrs["data-key"] for node in tree.iter("data") if node.attrs["data-table"] == table}
        key_columns = list(load(table, package).index.names)
        for row in rows.itertuples(index=False):
            key = [getattr(row, c) for c in key_columns]
            key = [v.item() if hasattr(v, "item") else str(v) for v in key]  # numpy years as int
            assert json.dumps(key, ensure_ascii=False) in keys, (code, key)


def test_every_value_links_to_its_source(site, package):
    """Each table row with a number links to the row's source, and the link lands on that source."""
    tree = parse(site / "countries" / "KGZ.html")
    ids = tree.ids()
    forces = load("forces", package)
    checked = 0
    for row in tree.iter("tr"):
        numbers = [n for n in row.iter("data") if n.attrs["data-table"] == "forces"]
        if not numbers:
            continue
        key = json.loads(numbers[0].attrs["data-key"])
        expected = str(forces.loc[tuple(key), "source_id"])
        targets = [a.attrs["href"] for a in row.iter("a") if "src" in a.attrs.get("class", "").split()]
        assert f"#source-{expected}" in targets, key
        assert f"source-{expected}" in ids
        checked += 1
    kgz = forces.loc["KGZ"]
    # every row in the charts' tables, and each indicator's latest again in the figures
    assert checked == len(kgz) + kgz.index.get_level_values("indicator").nunique()
    sources = next(n for n in tree.iter("section") if n.attrs.get("id") == "sources")
    assert "https://atlas.example.org/b" in {a.attrs["href"] for a in sources.iter("a")}


def test_ranges_and_ended_memberships_are_shown_as_such(site):
    kgz = parse(site / "countries" / "KGZ.html")
    glance = next(n for n in kgz.iter("section") if n.attrs.get("id") == "glance")
    assert "10,000–15,000" in glance.text()
    tjk = parse(site / "countries" / "TJK.html")
    ended = [row for row in tjk.iter("tr") if row.attrs.get("class") == "ended"]
    assert len(ended) == 1 and "CSTO" in ended[0].text() and "2001" in ended[0].text()
    assert "2–3.5%" in tjk.text()


def test_a_country_without_figures_still_has_a_page(site):
    nauru = parse(site / "countries" / "NRU.html")
    assert "No land borders are recorded" in nauru.text()
    assert not list(nauru.iter("svg"))
    assert {n.attrs["data-field"] for n in nauru.iter("data")} >= {"area_km2", "coastline_km"}


def test_charts_are_svg_with_text_alternatives_axis_labels_and_no_fixed_size(site):
    charts_seen = 0
    for page in pages(site):
        for svg in parse(page).iter("svg"):
            charts_seen += 1
            assert svg.attrs["role"] == "img"
            assert re.fullmatch(r"0 0 \d+ \d+", svg.attrs["viewbox"])  # html.parser lowers attribute names
            assert "width" not in svg.attrs and "height" not in svg.attrs
            own = svg.ids()
            title_id, desc_id = svg.attrs["aria-labelledby"].split()
            assert {title_id, desc_id} <= own
            title = next(n for n in svg.iter("title") if n.attrs.get("id") == title_id).text()
            desc = next(n for n in svg.iter("desc") if n.attrs.get("id") == desc_id).text()
            assert title and len(desc) > len(title)
            labels = [t.text() for t in svg.iter("text") if "axis-label" in t.attrs.get("class", "")]
            assert labels, f"{page.name}: {title} has no axis label"
    assert charts_seen >= 4  # KGZ: population, personnel, expenditure, age; TJK: ethnic groups


def test_chart_descriptions_state_the_values(site):
    kgz = parse(site / "countries" / "KGZ.html")
    descs = " ".join(d.text() for d in kgz.iter("desc"))
    assert "2015: 5,664,939 persons" in descs and "2025: 6,219,751 persons" in descs
    assert "Kyrgyz 73.8%" in descs
    assert "2024: 0-14 29.1%, 15-64 64%, 65+ 6.9%" in descs


def test_nothing_is_fetched_from_another_host(site):
    """Stylesheets, scripts, images and icons are the site's own files; only source links point away."""
    for page in pages(site):
        tree = parse(page)
        for node in tree.iter():
            for attribute in ("src", "href"):
                value = node.attrs.get(attribute, "")
                if urlsplit(value).scheme in ("http", "https") or value.startswith("//"):
                    assert node.tag == "a", f"{page.name}: <{node.tag} {attribute}={value!r}>"
        csp = next(n for n in tree.iter("meta") if n.attrs.get("http-equiv") == "Content-Security-Policy")
        assert "default-src 'none'" in csp.attrs["content"]
    static = site / "static"
    assert "url(" not in (static / "style.css").read_text(encoding="utf-8")
    assert not re.search(r"fetch\(|XMLHttpRequest|import\(", (static / "site.js").read_text(encoding="utf-8"))


def test_the_quality_page_links_each_finding_to_its_country_and_rule(site):
    quality = parse(site / "quality.html")
    rows = [r for r in quality.iter("tr") if r.attrs.get("id", "").startswith("finding-")]
    asymmetric = [r for r in rows if "borders_are_symmetric" in r.text()]
    assert asymmetric, "the KGZ-TJK border listed from one side only is not reported"
    hrefs = {a.attrs["href"] for a in asymmetric[0].iter("a")}
    assert {"countries/KGZ.html#quality", "rules.html#borders_are_symmetric"} <= hrefs
    kgz = parse(site / "countries" / "KGZ.html")
    section = next(n for n in kgz.iter("section") if n.attrs.get("id") == "quality")
    assert f"../quality.html#{asymmetric[0].attrs['id']}" in {a.attrs["href"] for a in section.iter("a")}
    assert "rules.html" in {p.name for p in pages(site)}


def test_the_index_is_complete_without_script_and_sortable_with_it(site):
    index = parse(site / "index.html")
    form = next(index.iter("form"))
    assert "hidden" in form.attrs  # the filters appear only when site.js runs
    table = next(index.iter("table"))
    assert "sortable" in table.attrs["class"]
    names = [row.iter("th").__next__().text() for row in next(table.iter("tbody")).iter("tr")]
    assert names == sorted(names)
    cells = [td for td in table.iter("td") if "data-sort-value" in td.attrs]
    assert cells and all(v == "" or not math.isnan(float(v)) for v in (td.attrs["data-sort-value"] for td in cells))


def test_the_command_builds_the_site_replaces_an_old_build_and_refuses_a_file_as_folder(package, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "countries").mkdir(parents=True)
    (out / "countries" / "XXX.html").write_text("a country no longer in the package", encoding="utf-8")
    assert cli.main(["site", str(out), "--package", str(package)]) == 0
    assert (out / "index.html").is_file() and (out / "countries" / "KGZ.html").is_file()
    assert not (out / "countries" / "XXX.html").exists()
    assert "wrote" in capsys.readouterr().out
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert cli.main(["site", str(tmp_path / "file"), "--package", str(package)]) == 2
    assert "is not a folder" in capsys.readouterr().err


# --- pure parts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [
    (6219751, "6,219,751"), (6219751.0, "6,219,751"), (28.5, "28.5"), (0.44, "0.44"), (101.48, "101.48"),
    (0, "0"), (None, "–"), (1234.5678, "1,234.5678"),
])
def test_fmt_number(value, text):
    assert fmt_number(value) == text


@pytest.mark.parametrize(("low", "high"), [(0, 1), (5664939, 6219751), (2.3, 3.74), (2011, 2024), (7, 7), (0, 0)])
def test_nice_ticks_cover_the_values_with_round_steps(low, high):
    ticks = charts.nice_ticks(low, high, 5)
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1
    mantissa = steps.pop() / 10 ** math.floor(math.log10(abs(ticks[1] - ticks[0])))
    assert round(mantissa, 6) in (1, 2, 5)


def test_a_single_point_still_makes_a_chart():
    svg = charts.line_chart("c", "Population", [charts.Point(2025, 10.0)], unit="persons", subject="Population")
    assert "2025: 10 persons" in svg and "<path" not in svg and "<circle" in svg


def test_markdown_headings_get_the_catalogue_anchors():
    html = markdown.to_html("# Rules\n\n## Borders: lengths\n\n### `borders_are_symmetric` (error)\n\n"
                            "A **row** [A-B](#borders-lengths) and `code`.\n\n| a | b |\n|---|---|\n| x \\| y | 2 |\n"
                            "\n<!-- hidden -->\n- one\n- two\n")
    assert '<h2 id="borders-lengths">' in html and '<h3 id="borders_are_symmetric">' in html
    assert '<a href="#borders-lengths">A-B</a>' in html and "<strong>row</strong>" in html
    assert "<td>x | y</td>" in html and "hidden" not in html and "<li>two</li>" in html


# --- the real package --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real-site")
    build_site(out)
    return out


@pytest.mark.slow
def test_the_real_package_has_a_page_for_every_country_and_kgz_shows_its_numbers(real_site):
    countries = load("countries")
    assert sorted(p.stem for p in (real_site / "countries").glob("*.html")) == sorted(countries.index)
    kgz = parse(real_site / "countries" / "KGZ.html")
    frames: dict[str, object] = {}
    shown = 0
    for node in kgz.iter("data"):
        table = node.attrs["data-table"]
        frame = frames.setdefault(table, load(table))
        expected = float(table_value(frame, json.loads(node.attrs["data-key"]), node.attrs["data-field"]))
        assert float(node.attrs["value"]) == expected
        shown += 1
    assert shown > 100
    assert len(list(kgz.iter("svg"))) >= 3


@pytest.mark.slow
def test_the_real_quality_page_lists_every_finding_of_the_validator(real_site):
    from country_profiles.validation import validate

    report = validate(REPO_ROOT)
    quality = parse(real_site / "quality.html")
    rows = [r for r in quality.iter("tr") if r.attrs.get("id", "").startswith("finding-")]
    assert len(rows) == len(report.findings)
    rules = parse(real_site / "rules.html").ids()
    assert {f.rule for f in report.findings} <= rules
    assert set(report.rules) <= rules
