"""The built wheel works without the repository: load, profile and export from a fresh virtual environment.

The wheel is built from a staged copy of the project whose data/ holds the fixture tables, so the
test does not depend on the state of the import. Dependencies (pandas, jsonschema, pyarrow) come
from this environment through a .pth file, so nothing is downloaded; `nox -s wheel` does the same
with the real data and dependencies installed from the registry.
"""

import importlib.util
import json
import os
import runpy
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import jsonschema
import pytest

from country_profiles import api

support = runpy.run_path(str(Path(__file__).parent / "fixtures" / "downstream" / "support.py"))
REPO = Path(__file__).resolve().parents[1]

USE_INSTALLED_PACKAGE = """
import json, pathlib
import country_profiles as cp
from country_profiles import paths
frame = cp.load("demographics")
print(json.dumps({
    "module": str(pathlib.Path(cp.__file__).resolve()),
    "package": str(paths.default_package().resolve()),
    "value_dtype": str(frame["value"].dtype),
    "index": list(frame.index.names),
    "wide_columns": list(cp.wide("forces").columns),
    "profile": cp.profile("KGZ"),
}))
"""


def run(command: list, **options) -> subprocess.CompletedProcess:
    """Run a command; on failure the assertion shows its output."""
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **options)
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def stage_project(dest: Path) -> Path:
    """What the wheel is built from: the project's build files and code, with the fixture tables as data."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", "datapackage.json"):
        shutil.copy(REPO / name, dest / name)
    shutil.copytree(REPO / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    shutil.copytree(REPO / "schemas", dest / "schemas")
    shutil.copytree(Path(support["HERE"]) / "data", dest / "data")
    return dest


def build_wheel(project: Path, dist: Path) -> Path:
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "--quiet", "-w", dist, project])
    (wheel,) = dist.glob("country_profiles-*.whl")
    return wheel


def fresh_environment(where: Path, wheel: Path) -> Path:
    """A new venv with only the wheel installed; its dependencies are borrowed from this environment."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel])
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    # Plain paths in a .pth are appended after the venv's own site-packages, and .pth files inside
    # them are not processed, so this environment's editable install of the repository stays out.
    Path(purelib, "borrowed_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return python


@pytest.mark.slow
def test_installed_wheel_loads_profiles_and_exports_without_the_repository(tmp_path):
    wheel = build_wheel(stage_project(tmp_path / "project"), tmp_path / "dist")
    environment = tmp_path / "venv"
    python = fresh_environment(environment, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}

    result = run([python, "-I", "-c", USE_INSTALLED_PACKAGE], cwd=elsewhere, env=env)
    seen = json.loads(result.stdout)
    assert Path(seen["module"]).is_relative_to(environment.resolve())
    assert Path(seen["package"]).parent.name == "_package"
    assert Path(seen["package"]).is_relative_to(environment.resolve())
    assert (seen["value_dtype"], seen["index"]) == ("float64", ["country", "indicator", "year"])
    assert seen["wide_columns"] == ["active_personnel", "military_expenditure_pct_gdp", "tanks"]
    assert seen["profile"] == api.profile("KGZ", support["make_package"](tmp_path / "reference"))
    schema = json.loads((Path(seen["package"]).parent / "schemas/profile.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(seen["profile"])) == []

    command = environment / ("Scripts/country-profiles.exe" if os.name == "nt" else "bin/country-profiles")
    formats = ["json", "sqlite"] + (["parquet"] if importlib.util.find_spec("pyarrow") else [])
    for fmt in formats:
        run([command, "export", "--format", fmt, "out"], cwd=elsewhere, env=env)
    out = elsewhere / "out"
    assert json.loads((out / "profiles/KGZ.json").read_text(encoding="utf-8")) == seen["profile"]
    assert (out / "country-profiles.sqlite").stat().st_size > 0
    if "parquet" in formats:
        assert len(list((out / "parquet").glob("*.parquet"))) == len(support["schemas"](REPO))
