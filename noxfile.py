"""Sessions for contributors and CI: CI calls only these, so a laptop runs the same thing."""

import platform
import shutil
import tempfile
from pathlib import Path

import nox
from packaging.specifiers import SpecifierSet

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["validate", "tests"]
# A session that cannot find its interpreter fails: a skip exits 0 and reads as a pass.
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
# Every session runs on the Python that runs nox, whichever supported version that is, so a
# machine with only 3.13 runs them rather than looking for a 3.11 it does not have.
PYTHON = None
# `nox -s tests_versions` runs the fast suite on each version the classifiers list (all of
# them must be installed: a missing one fails).
TESTED_PYTHONS = nox.project.python_versions(PYPROJECT)
REQUIRES_PYTHON = SpecifierSet(PYPROJECT["project"]["requires-python"])
if platform.python_version() not in REQUIRES_PYTHON:
    raise SystemExit(
        f"nox runs on Python {platform.python_version()}; this project needs {REQUIRES_PYTHON}: "
        "install nox with a newer python3 (python3 -m pip install nox)"
    )
SOURCES = Path("../shared/sources")


@nox.session(python=PYTHON)
def validate(session: nox.Session) -> None:
    """Validate the data package (structure and rules); extra args go to `country-profiles validate`."""
    session.install("-e", ".")
    session.run("country-profiles", "validate", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the fast tests (pyproject's addopts deselect the slow ones; `-- -m slow` runs those)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON, default=False)
def tests_slow(session: nox.Session) -> None:
    """Run the slow tests only (CI runs them after the fast ones)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "slow", *session.posargs)


@nox.session(python=TESTED_PYTHONS, default=False)
def tests_versions(session: nox.Session) -> None:
    """Run the fast tests on every Python version the classifiers list."""
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


NULL_REVISIONS = {"0" * 40, "0" * 64}  # SHA-1 and SHA-256 repositories


@nox.session(python=PYTHON, default=False)
def diff(session: nox.Session) -> None:
    """What a change does to the data: nox -s diff -- BASE [HEAD] [--format markdown]"""
    # GitHub sends the null revision as the base of a push that creates a branch: there is
    # nothing to compare with. Only that exact value skips (any other bad base fails in git),
    # and the validate and tests jobs still check the pushed tree.
    if session.posargs and session.posargs[0] in NULL_REVISIONS:
        session.skip("no base revision to compare with (the push created the branch)")
    session.install("-e", ".")
    session.run("country-profiles", "diff", *session.posargs)


@nox.session(python=PYTHON, default=False)
def site(session: nox.Session) -> None:
    """Build the static site of country profiles into site-build/ (or the folder given: nox -s site -- OUT)."""
    session.install("-e", ".")
    out = session.posargs[0] if session.posargs else "site-build"
    session.run("country-profiles", "site", out, *session.posargs[1:])


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Time validation against frictionless on synthetic packages up to 100x (-- --huge: 10,000,000 rows)."""
    session.install("-e", ".", "frictionless>=5.21,<6")
    session.run("python", "scripts/bench.py", *session.posargs)


@nox.session(python=PYTHON, default=False)
def dictionary(session: nox.Session) -> None:
    """Regenerate the data dictionary docs/data-dictionary.md."""
    session.install("-e", ".")
    session.run("country-profiles", "dictionary", "--write")


DIST = Path("dist")
EXPORT_FORMATS = ("json", "sqlite", "parquet")
# Run by `nox -s wheel` in an empty folder: the installed wheel must work on its own.
USE_INSTALLED_WHEEL = """
import json, pathlib, sys
import jsonschema
import country_profiles as cp
from country_profiles import paths
source = pathlib.Path(sys.argv[1], "src").resolve()
assert not pathlib.Path(cp.__file__).resolve().is_relative_to(source), "imported from the repository's src/"
package = paths.default_package()
assert package.parent.name == "_package", package
countries = cp.load("countries")
code = "KGZ" if "KGZ" in countries.index else str(countries.index[0])
profile = cp.profile(code)
schema = json.loads((package.parent / "schemas/profile.schema.json").read_text(encoding="utf-8"))
jsonschema.Draft202012Validator(schema).validate(profile)
print(f"{cp.__version__}: {len(countries)} countries; {code} has {len(profile['indicators'])} indicators")
"""


@nox.session(python=PYTHON, default=False)
def build(session: nox.Session) -> None:
    """Validate, then build dist/: wheel, sdist and an archive of the JSON, SQLite and Parquet exports."""
    session.install("build", "-e", ".[parquet]")
    session.run("country-profiles", "validate")
    session.run("python", "-m", "build", "--outdir", str(DIST))
    name = f"country-profiles-exports-{PYPROJECT['project']['version']}"
    with tempfile.TemporaryDirectory() as staging:
        for fmt in EXPORT_FORMATS:
            session.run("country-profiles", "export", "--format", fmt, str(Path(staging, name)))
        archive = shutil.make_archive(str(DIST / name), "zip", root_dir=staging, base_dir=name)
    session.log(f"wrote {archive}")


@nox.session(python=PYTHON, default=False, reuse_venv=False)
def wheel(session: nox.Session) -> None:
    """Install dist/'s wheel in a fresh venv and load, profile and export away from the repository."""
    built = DIST / f"country_profiles-{PYPROJECT['project']['version']}-py3-none-any.whl"
    if not built.is_file():
        session.error(f"{built} not found: run `nox -s build` first")
    session.install(f"{built.resolve()}[parquet]", "jsonschema")
    repo = Path.cwd()
    with tempfile.TemporaryDirectory() as elsewhere:
        session.chdir(elsewhere)
        session.run("python", "-I", "-c", USE_INSTALLED_WHEEL, str(repo))
        for fmt in EXPORT_FORMATS:
            session.run("country-profiles", "export", "--format", fmt, "out")
        session.chdir(repo)
