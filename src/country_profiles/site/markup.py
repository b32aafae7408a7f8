"""Small HTML helpers: escaping, attributes, numbers as people read them, the page layout."""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any

from country_profiles import escape

MAX_DECIMALS = 6


def esc(text: Any) -> str:
    """Text (or a number) escaped for an HTML element or a quoted attribute."""
    return escape.html(text)


def attrs(**values: Any) -> str:
    """` name="value"` pairs, skipping None; a trailing underscore is dropped (class_) and _ becomes -."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        name = name.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{esc(value)}"')
    return "".join(parts)


def fmt_number(value: float | int | None) -> str:
    """A value with thousands separators and only the decimals it has (28.5, 6,219,751, 0.44)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    decimals = len(repr(number).split(".")[1]) if "e" not in repr(number) else MAX_DECIMALS
    return f"{number:,.{min(decimals, MAX_DECIMALS)}f}".rstrip("0").rstrip(".")


def fmt_range(value: float | None, value_max: float | None) -> str:
    """'10,000–15,000' for a range, else the value."""
    if value_max is None or value_max == value:
        return fmt_number(value)
    return f"{fmt_number(value)}–{fmt_number(value_max)}"


def data_attrs(table: str, key: list[Any], field: str) -> str:
    """Attributes that tie a shown number to its table cell: table, primary key (JSON), field."""
    return attrs(data_table=table, data_key=json.dumps(key, ensure_ascii=False), data_field=field)


def slug(text: str) -> str:
    """A GitHub-style heading anchor: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


UNITS = {"persons": "persons", "count": "", "km": "km", "percent_of_gdp": "% of GDP"}


def unit_label(unit: str | None) -> str:
    """How a unit of indicators.csv reads next to a number ('' for plain counts)."""
    if unit is None:
        return ""
    return UNITS.get(unit, unit.replace("_", " "))


def indicator_label(indicator: str) -> str:
    """'military_expenditure_pct_gdp' -> 'Military expenditure (% of GDP)', for headings."""
    text = re.sub(r"_pct_gdp$", " (% of GDP)", indicator)
    text = re.sub(r"_km$", "", text).replace("_", " ")
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=None)
def _template(name: str) -> Template:
    return Template(resources.files("country_profiles.site").joinpath("templates", name).read_text(encoding="utf-8"))


def page(*, title: str, body: str, root: str, description: str, package: str, current: str = "") -> str:
    """A whole HTML page in the site's layout; `root` is the relative way back to the site root."""
    nav = []
    for href, label in (("index.html", "Countries"), ("quality.html", "Data quality"), ("rules.html", "Rules")):
        mark = ' aria-current="page"' if href == current else ""
        nav.append(f'<a href="{root}{href}"{mark}>{label}</a>')
    return _template("page.html").substitute(
        title=esc(title), description=esc(description), root=root, package=f"<code>{esc(package)}</code>",
        nav="\n      ".join(nav), body=body,
    )
