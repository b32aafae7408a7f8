"""`country-profiles site OUT`: build the static site of country profiles into OUT."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from country_profiles.api import PackageError, UnknownNameError
from country_profiles.safe_io import PackagePathError
from country_profiles.plural import count_of


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, help="folder to write the site into (created if missing)")
    parser.add_argument("--package", type=Path, default=None,
                        help="datapackage.json or its folder (default: the package this installation ships)")


def run(args: argparse.Namespace) -> int:
    from country_profiles.site.builder import build_site

    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"country-profiles site: {out} exists and is not a folder", file=sys.stderr)
        return 2
    try:
        result = build_site(out, args.package)
    except (FileNotFoundError, PackageError, UnknownNameError, PackagePathError) as exc:
        print(f"country-profiles site: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"country-profiles site: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {count_of(len(result.pages), 'page')} ({count_of(result.countries, 'country')}, "
          f"{count_of(result.findings, 'finding')} "
          f"on the quality page) to {out} in {result.seconds:.1f} s; open {out / 'index.html'}")
    return 0
