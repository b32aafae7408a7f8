"""`country-profiles show KGZ`: a country's profile, readable in a terminal (or as JSON with --json)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from country_profiles import api

TABLE_TITLES = {"demographics": "Demographics", "forces": "Armed forces", "infrastructure": "Infrastructure"}
UNIT_LABELS = {"persons": "", "count": "", "km": "km", "percent_of_gdp": "% of GDP"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("country", help="ISO 3166-1 alpha-3 code, e.g. KGZ (any case)")
    parser.add_argument("--package", type=Path, default=None,
                        help="datapackage.json or its folder (default: the package this installation ships)")
    parser.add_argument("--json", action="store_true", help="print the profile as JSON (schemas/profile.schema.json)")


def run(args: argparse.Namespace) -> int:
    try:
        profile = api.profile(args.country, args.package)
    except (api.UnknownNameError, api.PackageError, FileNotFoundError) as exc:
        print(f"country-profiles show: {exc}", file=sys.stderr)
        return 1
    if args.json:
        from country_profiles.export import profile_json

        sys.stdout.write(profile_json(profile))
    else:
        print(render(profile))
    return 0


def number(value: float | int | None) -> str:
    """1234567 -> '1,234,567'; 0.0000012 -> '0.0000012'; 1.60 -> '1.6'; None -> '-'."""
    if value is None:
        return "-"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    text = f"{value:,.10f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else repr(value)


def quantity(entry: dict[str, Any]) -> str:
    text = number(entry["value"])
    if entry.get("value_max") is not None:
        text += f"-{number(entry['value_max'])}"
    unit = UNIT_LABELS.get(entry.get("unit") or "", entry.get("unit") or "")
    return f"{text} {unit}".rstrip()


def render(profile: dict[str, Any]) -> str:
    """The profile as text: headline facts, then one section per part, then the sources cited."""
    country = profile["country"]
    status = "independent state" if country["independent"] else "dependency or other area"
    lines = [f"{country['name']} ({country['iso3']}, {country['iso2']})", f"{country['region']}; {status}"]
    facts = [("area", country["area_km2"], "km2"), ("coastline", country["coastline_km"], "km"),
             ("land boundaries", country["land_boundaries_km"], "km")]
    known = [f"{label} {number(value)} {unit}" for label, value, unit in facts if value is not None]
    if country.get("landlocked"):
        known.append("landlocked")
    if known:
        lines.append("; ".join(known))

    for table, title in TABLE_TITLES.items():
        entries = {k: v for k, v in profile["indicators"].items() if v["table"] == table}
        lines += ["", title]
        if not entries:
            lines.append("  (no figures)")
        width = max((len(k) for k in entries), default=0)
        values = {k: quantity(v) for k, v in entries.items()}
        value_width = max((len(v) for v in values.values()), default=0)
        for indicator, entry in entries.items():
            lines.append(
                f"  {indicator:<{width}}  {values[indicator]:>{value_width}}  ({entry['year']}, {entry['source_id']})"
            )

    lines += ["", "Borders"]
    borders = profile["borders"]
    if not borders:
        lines.append("  (none recorded)")
    for border in borders:
        length = f"{number(border['length_km'])} km" if border["length_km"] is not None else "length unknown"
        lines.append(f"  {border['name'] or '?'} ({border['neighbor']}): {length}")

    ethnic = profile["ethnic_groups"]
    lines += ["", f"Ethnic groups ({ethnic['year']})" if ethnic else "Ethnic groups"]
    if not ethnic:
        lines.append("  (none recorded)")
    else:
        width = max(len(g["group"]) for g in ethnic["groups"])
        for group in ethnic["groups"]:
            share = number(group["percent"]) + (f"-{number(group['percent_max'])}" if group["percent_max"] is not None else "")
            lines.append(f"  {group['group']:<{width}}  {share:>9} %")

    ages = profile["age_structure"]
    lines += ["", f"Age structure ({ages['year']})" if ages else "Age structure"]
    if not ages:
        lines.append("  (none recorded)")
    else:
        for band in ages["bands"]:
            lines.append(f"  {band['age_band']:<6} {number(band['percent']):>6} %")

    current = [m for m in profile["memberships"] if m["until"] is None]
    former = [m for m in profile["memberships"] if m["until"] is not None]
    lines += ["", "Memberships"]
    if not current:
        lines.append("  (none recorded)")
    for membership in current:
        since = f" since {membership['since']}" if membership["since"] is not None else ""
        lines.append(f"  {membership['organization']} ({membership['name'] or '?'}): {membership['status']}{since}")
    if former:
        lines += ["", "Former memberships"]
        for membership in former:
            span = f"{membership['since'] or '?'}-{membership['until']}"
            lines.append(f"  {membership['organization']} ({membership['name'] or '?'}): {membership['status']} {span}")

    lines += ["", "Sources"]
    for source_id, source in profile["sources"].items():
        published = f", {source['published']}" if source.get("published") else ""
        lines.append(f"  {source_id}: {source.get('title') or '?'} ({source.get('publisher') or '?'}{published})")
    lines += ["", f"{profile['package']['name']} {profile['package']['version']}"]
    return "\n".join(lines)
