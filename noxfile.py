"""Sessions for contributors and CI: CI calls only these, so a laptop runs the same thing."""

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["validate", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = nox.project.python_versions(PYPROJECT)  # from the trove classifiers
SOURCES = Path("../shared/sources")


@nox.session(python=PYTHON)
def validate(session: nox.Session) -> None:
    """Validate the data package (structure and rules); extra args go to `country-profiles validate`."""
    session.install("-e", ".")
    session.run("country-profiles", "validate", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (fast tests; pass -m slow for the slow ones)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(name="import", python=PYTHON, default=False)
def import_(session: nox.Session) -> None:
    """Rebuild data/ from the raw sources folder: nox -s import -- ../shared/sources"""
    session.install("-e", ".")
    sources = session.posargs[0] if session.posargs else str(SOURCES)
    session.run("country-profiles", "import", sources)


@nox.session(python=PYTHON, default=False)
def coverage(session: nox.Session) -> None:
    """Print coverage per table: countries with data and latest year."""
    session.install("-e", ".")
    session.run("country-profiles", "coverage", *session.posargs)


@nox.session(python=PYTHON, default=False)
def rules(session: nox.Session) -> None:
    """Regenerate the rule catalogue docs/rules.md."""
    session.install("-e", ".")
    session.run("country-profiles", "rules", "--write")


@nox.session(python=PYTHON, default=False)
def fmt(session: nox.Session) -> None:
    """Check that every table is in canonical form; `-- --write` rewrites them."""
    session.install("-e", ".")
    args = [a for a in session.posargs if a != "--write"]
    check = [] if "--write" in session.posargs else ["--check"]
    session.run("country-profiles", "fmt", *check, *args)


@nox.session(python=PYTHON, default=False)
def diff(session: nox.Session) -> None:
    """What a change does to the data: nox -s diff -- BASE [HEAD] [--format markdown]"""
    if session.posargs and set(session.posargs[0]) == {"0"}:
        session.skip("no base revision to compare with (GitHub sends 000... for a new branch)")
    session.install("-e", ".")
    session.run("country-profiles", "diff", *session.posargs)
