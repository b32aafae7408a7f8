"""`country-profiles import SOURCES`: rebuild data/ from the raw sources folder."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections import Counter
from pathlib import Path

from country_profiles import safe_io
from country_profiles.paths import REPO_ROOT
from country_profiles.plural import count_of


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", type=Path, help="the raw sources folder, e.g. ../shared/sources")
    parser.add_argument(
        "--root", type=Path, default=REPO_ROOT,
        help="repository root holding datapackage.json, schemas/, curated/ and corrections/ (default: this clone)",
    )
    parser.add_argument("--out", type=Path, help="write the package here instead of --root (data/ and docs/)")


MAX_SOURCE_ENTRIES = 200_000  # files and folders under SOURCES (the real sources hold about 2,000)


def special_entries(sources: Path) -> list[str]:
    """Entries under `sources` the importer may not open: FIFOs (opening one blocks), devices,
    sockets, and symlinks that loop or lead outside the folder. Links are not followed."""
    base = Path(os.path.realpath(sources))
    found, seen = [], 0
    for folder, names, files in os.walk(base):
        for name in names + files:
            seen += 1
            if seen > MAX_SOURCE_ENTRIES:
                return found + [f"{base}: more than {MAX_SOURCE_ENTRIES:,} entries"]
            path = Path(folder) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                try:
                    target = Path(os.path.realpath(path, strict=True))
                except OSError as exc:
                    found.append(f"{path}: a symlink that cannot be followed ({exc.strerror or exc})")
                    continue
                if not target.is_relative_to(base):
                    found.append(f"{path}: a symlink leading outside {base} (to {target})")
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append(f"{path}: {safe_io.kind_of(mode)}, not a file")
    return found


def run(args: argparse.Namespace) -> int:
    from country_profiles.importer.build import ImportError_, run as build
    from country_profiles.importer.codes import SourceError
    from country_profiles.importer.corrections import CorrectionError

    if not args.sources.is_dir():
        print(f"country-profiles import: {args.sources}: not a folder", file=sys.stderr)
        return 2
    refused = special_entries(args.sources)
    if refused:
        for problem in refused[:20]:
            print(f"country-profiles import: {problem}", file=sys.stderr)
        print(f"country-profiles import: {len(refused)} entr{'y' if len(refused) == 1 else 'ies'} of {args.sources} "
              "refused; nothing was written", file=sys.stderr)
        return 1
    try:
        result = build(args.sources, args.root, args.out)
    except (ImportError_, CorrectionError, SourceError, safe_io.PackagePathError) as exc:
        print(f"country-profiles import: {exc}", file=sys.stderr)
        return 1
    for name, rows in result.tables.items():
        print(f"{name:<15} {len(rows):>7} rows")
    fields = Counter(p.field for p in result.factbook.problems)
    fields.update(f for _, f, _, _ in result.memberships.problems)
    print(f"unparsed values: {sum(fields.values())} (by field, largest first; all in docs/import-report.md)")
    for field_, count in fields.most_common(10):
        print(f"  {count:>5}  {field_}")
    kept = sum(result.contributed.values())
    print(f"contributed rows kept: {count_of(kept, 'row')}"
          + "".join(f", {name} {count}" for name, count in sorted(result.contributed.items())))
    if result.conflicts:
        print(f"{count_of(len(result.conflicts), 'conflict')}: a contributed row has the key of an imported row "
              "(the contributed row is kept; cite where its value comes from, or remove it):")
    for conflict in result.conflicts:
        print(f"  {conflict.contributed}\n    import gives: {conflict.imported}")
    return 0
