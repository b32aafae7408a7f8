"""`country-profiles validate [PACKAGE]`: check the data package and report every problem."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from time import perf_counter

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_CANNOT_RUN = 2

EPILOG = """\
PACKAGE is a folder holding datapackage.json, or the descriptor's path
(default: this repository's package).

Exit status:
  0  no errors (warnings allowed)
  1  errors found. Every problem inside the package is a finding, including a
     descriptor or Table Schema that is not valid JSON (file, line, column),
     one that breaks schemas/meta/*.json, a descriptor without resources,
     resource paths outside the package, and missing or unreadable CSV files.
  2  the check could not run: bad arguments; PACKAGE does not exist, is a
     folder without datapackage.json, is not a .json file or cannot be read;
     --output cannot be written; an internal error.

Validation never writes anything except --output (and, with --format github,
the job summary named by GITHUB_STEP_SUMMARY), and never opens a network
connection.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("package", nargs="?", metavar="PACKAGE", help="package folder or datapackage.json")
    parser.add_argument(
        "--format",
        choices=("text", "json", "github", "markdown"),
        default="text",
        help="text for a terminal (default); json for tools (schemas/report.schema.json); "
        "github for workflow annotations; markdown for a pull request summary",
    )
    parser.add_argument("--output", metavar="FILE", type=Path,
                        help="write the report to FILE instead of standard output (a summary line still goes there)")
    parser.add_argument("--jobs", type=int, choices=(1, 2), default=min(2, os.cpu_count() or 1),
                        help="2 (the default on a machine with two cores or more): check two files at a time; "
                        "1: one at a time, less memory. "
                        "The findings are the same")
    parser.add_argument("--errors-only", action="store_true",
                        help="text format: list only the errors (the summary still counts the warnings)")
    parser.add_argument("--timings", action="store_true", help="print where the time went to standard error")


def run(args: argparse.Namespace) -> int:
    started = perf_counter()
    from country_profiles import safe_io
    from country_profiles.paths import default_package
    from country_profiles.validation import validate
    from country_profiles.validation.package import PackageNotFound
    from country_profiles.validation.report import FORMATS, format_markdown, format_text

    _choose_allocator()
    imported = perf_counter() - started
    package = args.package if args.package is not None else default_package()
    output = None
    try:
        if args.output is not None:  # refused before any work: a report may never replace the package's files
            output = safe_io.output_file(args.output, _package_folder(package))
        report = validate(package, jobs=args.jobs)
    except (PackageNotFound, safe_io.PackagePathError) as exc:
        print(f"country-profiles validate: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN

    formatting = perf_counter()
    if args.format == "text":
        text = format_text(report, errors_only=args.errors_only)
    else:
        text = FORMATS[args.format](report) if args.format != "github" else _github(report)
    formatting = perf_counter() - formatting
    if output is not None:
        try:
            safe_io.write_inside(*output, text.encode("utf-8"), mode=0o644)
        except (OSError, safe_io.PackagePathError) as exc:
            print(f"country-profiles validate: cannot write {args.output}: {getattr(exc, 'strerror', None) or exc}",
                  file=sys.stderr)
            return EXIT_CANNOT_RUN
        print(f"{report.summary()}; report written to {args.output}")
    else:
        sys.stdout.write(text)
    if args.format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        try:
            with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
                summary.write(format_markdown(report))
        except OSError as exc:
            print(f"country-profiles validate: cannot append to GITHUB_STEP_SUMMARY: {exc.strerror or exc}",
                  file=sys.stderr)
    if args.timings:  # the rules' share includes importing pandera
        phases = {"imports": imported + report.timings.get("imports", 0.0), "descriptor": 0.0, "structure": 0.0,
                  "rules": 0.0, **{key: value for key, value in report.timings.items() if key not in ("imports", "total")},
                  "report": formatting}
        print("timings: " + ", ".join(f"{key} {value:.3f} s" for key, value in phases.items())
              + f" (sum {sum(phases.values()):.3f} s, without starting Python)", file=sys.stderr)
    return EXIT_VALID if report.valid else EXIT_INVALID


def _package_folder(package: str | Path) -> Path:
    """The folder of the package's files: PACKAGE itself, or the folder of a descriptor."""
    path = Path(package)
    return path if not path.name.endswith(".json") else path.parent


def _choose_allocator() -> None:
    """Give Arrow's buffers to the system's allocator, unless ARROW_DEFAULT_MEMORY_POOL chooses a
    pool. Validate hands freed memory back to the system between stages (memory.py); Arrow's
    own pools (mimalloc by default on Linux, or jemalloc) keep what is freed instead, and
    mimalloc also takes fresh pages for much of what the tables need, each costing a fault.
    Measured on the benchmark's 100x package: about a sixth faster than mimalloc, as fast as
    jemalloc, and with the hand-backs a peak of about 600 MiB instead of 850. The command owns
    its process, so it may choose; the Python API leaves the choice to its caller."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        import pyarrow
    except ImportError:
        return  # pandas reads the files without Arrow
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def _github(report) -> str:  # type: ignore[no-untyped-def]
    """Annotations name files relative to the repository root: the working directory in CI."""
    from country_profiles.validation.report import format_github

    try:
        prefix = report.root.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        prefix = ""
    return format_github(report, prefix=f"{prefix}/" if prefix not in ("", ".") else "")
