"""Benchmark: whole-process `country-profiles validate` against `frictionless validate`.

    nox -s bench                      # the real package, then synthetic ones at 1x, 10x and 100x
    nox -s bench -- --huge            # and one of about 10,000,000 rows (several more minutes)
    python scripts/bench.py --scales 1 10 --repeat 5

Each package is validated `--repeat` times by both tools, alternating which goes first; ours
runs as it does by default (two cores) and with `--jobs 1` (one core, less memory). The
table shows medians of wall time, peak memory (of the process and any child it forks, summed:
ours is sampled in one more run, so the sampling does not slow the timed ones), rows per second, how many
times faster we are, and whether our report holds every error frictionless reported (the same
file and line; frictionless is given no error limit). The synthetic packages
(country_profiles.bench) break a known share of rows: "broken" counts those lines. The 100x
package's largest table, memberships, has over 1,000,000 rows. "Start-up" is our time on a
package with headers only; "growth" is our time beyond start-up relative to the previous
synthetic package's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from country_profiles.bench import Generated, Run, frictionless_error_lines, generate, median, missed, our_error_lines, timed
from country_profiles.paths import default_package

HUGE_SCALE = 540  # about 10,000,000 rows
HUGE_ROWS = 5_000_000  # packages this large are timed once
NO_LIMIT = str(10**9)  # frictionless stops at 1000 errors by default
BIN = Path(sys.executable).parent


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        work = Path(workdir)
        # Load: the real package and the synthetic ones.
        packages: list[tuple[str, Path, Generated | None]] = [("real", default_package(), None)]
        for scale in [*args.scales, *([HUGE_SCALE] if args.huge else [])]:
            generated = generate(work / f"x{scale:g}", scale, error_share=args.error_share)
            packages.append((f"{scale:g}x", generated.descriptor, generated))
        startup = _startup(work, default_package(), args.repeat)
        print(f"start-up (headers only): {startup:.2f} s; medians of {args.repeat} runs (one above {HUGE_ROWS:,} rows)\n")
        print(HEADER)

        # Process and save: time both tools on each package; one line each.
        previous = None
        for label, descriptor, generated in packages:
            repeat = 1 if generated is not None and generated.total_rows > HUGE_ROWS else args.repeat
            result = _time_both(work, descriptor, repeat)
            beyond = result.ours_seconds - startup
            growth = f"{beyond / previous:.1f}x" if previous and generated else ""
            previous = beyond if generated else None
            print(_line(label, generated, result, growth), flush=True)


@dataclass
class Result:
    ours: list[Run]
    theirs: list[Run]
    rows: int
    superset: bool  # our report has every (file, line) frictionless reports an error on
    our_lines: int
    their_lines: int
    our_peak_mib: float  # from a run of its own, sampled (the timed runs are not)
    one_job: list[Run]  # validate --jobs 1
    one_job_peak_mib: float
    same_with_one_job: bool  # --jobs 1 wrote the same report

    @property
    def ours_seconds(self) -> float:
        return median(run.seconds for run in self.ours)

    @property
    def one_job_seconds(self) -> float:
        return median(run.seconds for run in self.one_job)

    @property
    def their_seconds(self) -> float:
        return median(run.seconds for run in self.theirs)


def _time_both(work: Path, descriptor: Path, repeat: int) -> Result:
    ours_report, their_report = work / "ours.json", work / "frictionless.json"
    one_job_report = work / "ours-one-job.json"
    ours: list[Run] = []
    one_job: list[Run] = []
    theirs: list[Run] = []
    for turn in range(repeat):
        if turn % 2:
            theirs.append(_frictionless(descriptor, their_report))
        ours.append(_ours(descriptor, ours_report))
        one_job.append(_ours(descriptor, one_job_report, "--jobs", "1"))
        if not turn % 2:
            theirs.append(_frictionless(descriptor, their_report))
    # Memory: our process tree sampled in a run of its own, since the sampling takes a share of
    # the two cores validate uses; frictionless runs on one core, so its timed runs are sampled.
    our_peak = max(_ours(descriptor, ours_report, sample_memory=True).peak_mib, *(run.peak_mib for run in ours))
    one_job_peak = max(_ours(descriptor, one_job_report, "--jobs", "1", sample_memory=True).peak_mib,
                       *(run.peak_mib for run in one_job))
    report = json.loads(ours_report.read_text(encoding="utf-8"))
    our_lines = our_error_lines(report)
    their_lines = frictionless_error_lines(json.loads(their_report.read_text(encoding="utf-8")))
    same = report == json.loads(one_job_report.read_text(encoding="utf-8"))
    return Result(ours, theirs, report["checked"]["rows"], not missed(their_lines, our_lines), len(our_lines),
                  len(their_lines), our_peak, one_job, one_job_peak, same)


HEADER = (f"{'package':>8} {'rows':>10} {'largest table':>24} | {'ours s':>7} {'MiB':>6} {'rows/s':>10} | "
          f"{'--jobs 1 s':>10} {'MiB':>6} | {'frictionless s':>14} {'MiB':>6} | {'faster':>6} {'--jobs 1':>8} | "
          f"{'superset':>8} {'error lines ours/fl/broken':>27} | growth")


def _line(label: str, generated: Generated | None, result: Result, growth: str) -> str:
    largest = f"{generated.largest_table[0]} {generated.largest_table[1]:,}" if generated else ""
    lines = f"{result.our_lines}/{result.their_lines}/{len(generated.broken) if generated else 0}"
    ours_mib, their_mib = result.our_peak_mib, max(run.peak_mib for run in result.theirs)
    one_job = f"{result.one_job_seconds:.2f}" + ("" if result.same_with_one_job else " DIFFERENT")
    return (f"{label:>8} {result.rows:>10,} {largest:>24} | {result.ours_seconds:>7.2f} {ours_mib:>6.0f} "
            f"{result.rows / result.ours_seconds:>10,.0f} | {one_job:>10} {result.one_job_peak_mib:>6.0f} | "
            f"{result.their_seconds:>14.2f} {their_mib:>6.0f} | {result.their_seconds / result.ours_seconds:>5.1f}x "
            f"{result.their_seconds / result.one_job_seconds:>7.1f}x | {'yes' if result.superset else 'NO':>8} "
            f"{lines:>27} | {growth:>6}")


def _ours(descriptor: Path, output: Path, *options: str, sample_memory: bool = False) -> Run:
    return timed([str(BIN / "country-profiles"), "validate", str(descriptor), *options, "--format", "json", "--output",
                  str(output)], sample_memory=sample_memory)


def _frictionless(descriptor: Path, output: Path) -> Run:
    # From the package folder, as a contributor would run it (frictionless resolves paths from there).
    return timed([str(BIN / "frictionless"), "validate", "--json", "--limit-errors", NO_LIMIT, descriptor.name],
                 cwd=descriptor.parent, stdout=output, sample_memory=True)


def _startup(work: Path, descriptor: Path, repeat: int) -> float:
    """Our median time on a copy of the package with its CSV files' headers only."""
    empty = work / "headers-only"
    shutil.copytree(descriptor.parent / "schemas", empty / "schemas")
    shutil.copyfile(descriptor, empty / "datapackage.json")
    (empty / "data").mkdir()
    for csv in (descriptor.parent / "data").glob("*.csv"):
        with csv.open(encoding="utf-8") as lines:
            (empty / "data" / csv.name).write_text(lines.readline(), encoding="utf-8")
    return median(_ours(empty / "datapackage.json", work / "ours.json").seconds for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100],
                        help="sizes relative to the real package (default: 1 10 100)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool per package (default 3)")
    parser.add_argument("--huge", action="store_true",
                        help=f"also a {HUGE_SCALE}x package (about 10,000,000 rows), run once")
    parser.add_argument("--error-share", type=float, default=0.001,
                        help="share of breakable rows to break (default 0.001)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
