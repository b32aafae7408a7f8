"""The `country-profiles` command: dispatches to one module per subcommand.

Only the chosen subcommand's module is imported, so `validate` does not pay for the importer.
Each module defines `configure(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
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
    "audit": ("country_profiles.audit", "print a seeded random sample of values beside the source text they came from"),
}

EXIT_USAGE = 2
# What a shell reports for a command ended by SIGPIPE: `country-profiles show KGZ | head -1`.
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE


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
    except BrokenPipeError:  # the reader of stdout went away: console() ends quietly
        raise
    except (ValueError, OSError) as exc:
        from country_profiles.safe_io import PackagePathError

        if isinstance(exc, (PackagePathError, OSError)) and not os.environ.get("COUNTRY_PROFILES_DEBUG"):
            # a path refused by safe_io, or one the system cannot take (too long, no permission)
            print(f"country-profiles {name}: {str(exc)[:2000]}", file=sys.stderr)
            return 1
        return _internal_error(name, exc)
    except Exception as exc:
        return _internal_error(name, exc)


def _internal_error(name: str, exc: Exception) -> int:
    """A bug of ours: say so plainly, traceback only on request."""
    if os.environ.get("COUNTRY_PROFILES_DEBUG"):
        raise exc
    print(
        f"country-profiles {name}: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug; set COUNTRY_PROFILES_DEBUG=1 to see the traceback and please report it.",
        file=sys.stderr,
    )
    return EXIT_USAGE


def console() -> None:
    """The installed `country-profiles` command."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader closed the pipe (`| head`): nothing more can be shown. Point stdout at
        # devnull so the interpreter's final flush does not complain, and exit as a shell
        # reports a command ended by SIGPIPE (the recipe of Python's signal documentation).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_BROKEN_PIPE
    raise SystemExit(code)
