"""The `country-profiles` command: dispatches to one module per subcommand.

Only the chosen subcommand's module is imported, so `validate` does not pay for the importer.
Each module defines `configure(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

COMMANDS = {
    "validate": ("country_profiles.validation.cli", "check the data package and report every problem"),
    "import": ("country_profiles.importer.cli", "rebuild data/ from the raw sources folder"),
    "coverage": ("country_profiles.coverage", "print coverage per table: countries with data, latest year"),
    "rules": ("country_profiles.validation.catalogue", "print or write the rule catalogue (docs/rules.md)"),
    "fmt": ("country_profiles.fmt", "put every table in canonical form (--check: only report)"),
    "diff": ("country_profiles.diff", "what a change between two git revisions does to the data"),
    "show": ("country_profiles.show", "print a country's profile"),
    "export": ("country_profiles.export", "export the package as JSON, SQLite or Parquet"),
    "dictionary": ("country_profiles.dictionary", "print or write the data dictionary (docs/data-dictionary.md)"),
    "site": ("country_profiles.site.cli", "build the static site of country profiles"),
}

EXIT_USAGE = 2


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: country-profiles COMMAND [OPTIONS]", "", "commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run `country-profiles COMMAND --help` for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0 if argv else EXIT_USAGE
    if argv[0] == "--version":
        from country_profiles import __version__

        print(__version__)
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"country-profiles: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return EXIT_USAGE
    module = importlib.import_module(COMMANDS[name][0])
    parser = argparse.ArgumentParser(prog=f"country-profiles {name}", description=COMMANDS[name][1])
    module.configure(parser)
    args = parser.parse_args(rest)  # exits 2 with a message on bad arguments
    try:
        return module.run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours: say so plainly, traceback only on request
        if os.environ.get("COUNTRY_PROFILES_DEBUG"):
            raise
        print(
            f"country-profiles {name}: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug; set COUNTRY_PROFILES_DEBUG=1 to see the traceback and please report it.",
            file=sys.stderr,
        )
        return EXIT_USAGE


def console() -> None:
    """The installed `country-profiles` command."""
    raise SystemExit(main())
