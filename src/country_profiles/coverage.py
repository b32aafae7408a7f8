"""`country-profiles coverage`: how much of the world each table covers, and how recent it is."""

from __future__ import annotations

import argparse
from pathlib import Path

from country_profiles import tables
from country_profiles.paths import default_package

COUNTRY_COLUMN = {"countries": "iso3", "borders": "country"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", nargs="?", type=Path, default=default_package(),
                        help="datapackage.json or its folder (default: this clone's package)")
    parser.add_argument("--by-indicator", action="store_true", help="one line per indicator too")


def coverage(root: Path) -> list[tuple[str, str, int, int | None, int]]:
    """(table, indicator or '', countries with data, latest year, rows) for every table with a country column."""
    result = []
    for name, (path, schema) in tables.schemas_by_resource(root).items():
        columns = {f["name"] for f in schema["fields"]}
        country = COUNTRY_COLUMN.get(name, "country")
        if country not in columns:
            continue
        rows = tables.read_rows(path, root)  # through safe_io: no link out, no FIFO
        groups: dict[str, list[dict[str, str]]] = {"": rows}
        if "indicator" in columns:
            for row in rows:
                groups.setdefault(row["indicator"], []).append(row)
        for indicator, members in groups.items():
            years = [int(r["year"]) for r in members if (r.get("year") or "").isdigit()]
            result.append((name, indicator, len({r[country] for r in members}), max(years) if years else None, len(members)))
    return result


def run(args: argparse.Namespace) -> int:
    import sys

    root = args.package.parent if args.package.suffix == ".json" else args.package
    if not (root / "datapackage.json").is_file():
        print(f"country-profiles coverage: {root}: no datapackage.json", file=sys.stderr)
        return 2
    print(f"{'table':<15} {'indicator':<32} {'countries':>9} {'latest':>6} {'rows':>7}")
    for table, indicator, countries, latest, rows in coverage(root):
        if indicator and not args.by_indicator:
            continue
        print(f"{table:<15} {indicator:<32} {countries:>9} {latest or '':>6} {rows:>7}")
    return 0
