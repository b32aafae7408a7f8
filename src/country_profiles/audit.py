"""`country-profiles audit SOURCES`: a seeded random sample of values beside the source text they came from.

The reviewer's check of an import: draw K rows of the indicator and list tables of data/, and
print each next to the raw Factbook text the importer read it from (edition, field, text), so a
person can judge in minutes whether the package says what the source says. The seed is
printed; the same seed on the same data draws the same rows.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from country_profiles.paths import REPO_ROOT

AUDITED_TABLES = ("demographics", "forces", "infrastructure", "ethnic_groups", "age_structure")
MAX_COUNT = 1000
TEXT_WIDTH = 300


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", type=Path, help="the raw sources folder the data was imported from")
    parser.add_argument("--seed", type=int, help="seed of the draw (default: a new one, printed)")
    parser.add_argument("--count", type=int, default=20, help=f"how many values to draw (default 20, at most {MAX_COUNT})")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root holding data/ (default: this clone)")


def run(args: argparse.Namespace) -> int:
    from country_profiles import tables
    from country_profiles.importer.codes import SourceError
    from country_profiles.importer.factbook import extract_factbook, provenance_key

    if not 1 <= args.count <= MAX_COUNT:
        print(f"country-profiles audit: --count must be between 1 and {MAX_COUNT}", file=sys.stderr)
        return 2
    if not (args.sources / "factbook").is_dir():
        print(f"country-profiles audit: {args.sources}: no folder 'factbook'; pass the raw sources folder", file=sys.stderr)
        return 2
    population = []
    for table in AUDITED_TABLES:
        path = args.root / "data" / f"{table}.csv"
        if not path.is_file():
            print(f"country-profiles audit: {path}: not found", file=sys.stderr)
            return 2
        try:
            population += [(table, line, row) for line, row in enumerate(tables.read_rows(path), start=2)]
        except (ValueError, UnicodeDecodeError) as error:
            print(f"country-profiles audit: {path}: {error}", file=sys.stderr)
            return 1
    try:
        extract = extract_factbook(args.sources)
    except SourceError as error:
        print(f"country-profiles audit: {error}", file=sys.stderr)
        return 1
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    drawn = random.Random(seed).sample(population, min(args.count, len(population)))
    print(f"seed {seed} (draw the same rows again with --seed {seed}): {len(drawn)} of {len(population)} values")
    for table, line, row in drawn:
        print()
        print(f"data/{table}.csv:{line}  {_describe(table, row)}  [{row.get('source_id', '')}]")
        if row.get("note"):
            print(f"  note:   {row['note']}")
        found = extract.provenance.get(provenance_key(table, row))
        if found is None:
            print("  source: not read from the Factbook by this import (a contributed row, or a cell corrected in curated/corrections.csv)")
            continue
        snapshot, field_path, text = found
        shown = " ".join(text.split())
        shown = shown if len(shown) <= TEXT_WIDTH else shown[: TEXT_WIDTH - 3] + "..."
        print(f"  source: Factbook {snapshot}, {field_path}")
        print(f"  text:   {shown}")
    return 0


def _describe(table: str, row: dict[str, str]) -> str:
    if table in ("demographics", "forces", "infrastructure"):
        value = row["value"] + (f"-{row['value_max']}" if row.get("value_max") else "")
        return f"{row['country']} {row['indicator']} {row['year']} = {value}"
    if table == "ethnic_groups":
        share = row["percent"] + (f"-{row['percent_max']}" if row.get("percent_max") else "")
        return f"{row['country']} {row['year']} {row['group']} = {share}%"
    return f"{row['country']} {row['year']} age {row['age_band']} = {row['percent']}%"
