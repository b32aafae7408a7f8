"""Benchmark: whole-process `country-profiles validate` against `frictionless validate`.

    nox -s bench                      # the real package, then synthetic ones at 1x, 10x and 100x
    nox -s bench -- --huge            # and one of about 10,000,000 rows (several minutes)
    python scripts/bench.py --scales 1 10 --repeat 5

Each package is validated `--repeat` times by both tools, alternating which goes first. The
table shows medians of wall time, the peak memory of each process, rows per second, how many
times faster we are, and whether our report holds every error frictionless reported (the same
file and line; frictionless is given no error limit). The synthetic packages (country_profiles.bench)
break a known share of rows; "broken" counts them. The 100x package's largest table,
memberships, has over 1,000,000 rows. "Start-up" is our time on a package with headers only;
"growth" is the time beyond start-up relative to the previous package.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from country_profiles.bench import Generated, frictionless_error_lines, generate, median, missed, our_error_lines, timed
from country_profiles.paths import default_package

HUGE_SCALE = 540  # about 10,000,000 rows
NO_LIMIT = str(10**9)  # frictionless stops at 1000 errors by default
BIN = Path(sys.executable).parent


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        work = Path(workdir)
        # Load: the packages to time.
        packages: list[tuple[str, Path, Generated | None]] = [("real", default_package(), None)]
        for scale in [*args.scales, *([HUGE_SCALE] if args.huge else [])]:
            generated = generate(work / f"x{scale}", scale, error_share=args.error_share)
            packages.append((f"{scale:g}x", generated.descriptor, generated))
        startup = _startup(work, packages[1][1], args.repeat)
        print(f"start-up (headers only): {startup:.2f} s; {args.repeat} runs each, medians\n")
        print(HEADER)

        # Process: time both tools on each package, alternating.
        previous = None
        for label, descriptor, generated in packages:
            repeat = 1 if generated is not None and generated.total_rows > 5_000_000 else args.repeat
            ours, theirs = [], []
            for turn in range(repeat):
                pair = [lambda: ours.append(_ours(descriptor, work / "ours.json")),
                        lambda: theirs.append(_frictionless(descriptor, work / "frictionless.json"))]
                for measure in pair if turn % 2 == 0 else reversed(pair):
                    measure()
            # Save: one line per package.
            rows = generated.total_rows if generated else _rows(work / "ours.json")
            seconds = median(run.seconds for run in ours)
            beyond = seconds - startup
            growth = f"{beyond / previous:5.1f}x" if previous and generated else "     "
            previous = beyond if generated else None
            print(_line(label, rows, generated, ours, theirs, growth, _superset(work)))
            sys.stdout.flush()


HEADER = (f"{'package':>8} {'rows':>10} {'largest table':>24} | {'ours s':>7} {'MiB':>6} {'rows/s':>10} | "
          f"{'frictionless s':>14} {'MiB':>6} | {'faster':>6} | {'superset':>8} {'error lines ours/fl/broken':>27} | growth")


def _line(label, rows, generated, ours, theirs, growth, superset) -> str:  # type: ignore[no-untyped-def]
    ours_s, theirs_s = median(r.seconds for r in ours), median(r.seconds for r in theirs)
    largest = f"{generated.largest_table[0]} {generated.largest_table[1]:,}" if generated else ""
    broken = len(generated.broken) if generated else 0
    holds, ours_n, theirs_n = superset
    return (f"{label:>8} {rows:>10,} {largest:>24} | {ours_s:>7.2f} {max(r.peak_mib for r in ours):>6.0f} "
            f"{rows / ours_s:>10,.0f} | {theirs_s:>14.2f} {max(r.peak_mib for r in theirs):>6.0f} | "
            f"{theirs_s / ours_s:>5.1f}x | {'yes' if holds else 'NO':>8} {f'{ours_n}/{theirs_n}/{broken}':>27} | {growth}")


def _ours(descriptor: Path, output: Path):  # type: ignore[no-untyped-def]
    return timed([str(BIN / "country-profiles"), "validate", str(descriptor), "--format", "json", "--output", str(output)])


def _frictionless(descriptor: Path, output: Path):  # type: ignore[no-untyped-def]
    # From the package folder, as a contributor would run it (frictionless resolves paths from there).
    return timed([str(BIN / "frictionless"), "validate", "--json", "--limit-errors", NO_LIMIT, descriptor.name],
                 cwd=descriptor.parent, stdout=output)


def _superset(work: Path) -> tuple[bool, int, int]:
    """Whether our last report has every error of frictionless' last report, and how many each has."""
    ours = our_error_lines(json.loads((work / "ours.json").read_text(encoding="utf-8")))
    theirs = frictionless_error_lines(json.loads((work / "frictionless.json").read_text(encoding="utf-8")))
    return not missed(theirs, ours), len(ours), len(theirs)


def _rows(report: Path) -> int:
    return json.loads(report.read_text(encoding="utf-8"))["checked"]["rows"]


def _startup(work: Path, descriptor: Path, repeat: int) -> float:
    """Our median time on a copy of the package with its headers only."""
    empty = work / "headers-only"
    shutil.copytree(descriptor.parent, empty)
    for csv in (empty / "data").glob("*.csv"):
        with csv.open(encoding="utf-8") as lines:
            header = lines.readline()
        csv.write_text(header, encoding="utf-8")
    return median(_ours(empty / "datapackage.json", work / "ours.json").seconds for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100], help="sizes relative to the real package")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool per package (default 3)")
    parser.add_argument("--huge", action="store_true", help=f"also a {HUGE_SCALE}x package (about 10,000,000 rows), run once")
    parser.add_argument("--error-share", type=float, default=0.001, help="share of breakable rows to break (default 0.001)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
