"""`country-profiles validate`: exit statuses, formats, --output, GitHub job summary, the real
package as default, and no frictionless on the validation path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, break_mini, set_cell
from country_profiles.cli import main

SUMMARY_END = " tables)"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["validate", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_valid_package_exits_0(mini, capsys):
    status, out, err = run(capsys, str(mini))
    assert status == 0 and err == ""
    assert out.strip() == "0 errors, 0 warnings in 0 files (checked 18 rows in 4 tables)"


def test_warnings_alone_exit_0(mini, capsys):
    path = mini / "data/refs.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    status, out, _ = run(capsys, str(mini / "datapackage.json"))
    assert status == 0 and "warning [csv_has_no_bom]" in out


def test_errors_exit_1_with_every_finding(mini, capsys):
    break_mini(mini)
    status, out, _ = run(capsys, str(mini))
    assert status == 1
    assert "data/lands.csv:3: error [cell_has_field_type] column area_km2: 'abc' is not a number" in out
    assert out.rstrip().endswith(SUMMARY_END) and out.rstrip().splitlines()[-1].startswith("5 errors, 1 warning")


def test_a_descriptor_that_is_not_json_exits_1_naming_line_and_column(mini, capsys):
    (mini / "datapackage.json").write_text('{"name": "mini",\n "resources": [}\n', encoding="utf-8")
    status, out, err = run(capsys, str(mini))
    assert status == 1 and err == ""
    assert "datapackage.json:2: error [descriptor_is_json] invalid JSON at line 2, column 16" in out


@pytest.mark.parametrize("where", ["nowhere", "data", "data/lands.csv"])
def test_nothing_to_check_exits_2_with_a_message(mini, capsys, where):
    status, out, err = run(capsys, str(mini / where))
    assert status == 2 and out == ""
    assert err.startswith("country-profiles validate: ") and "Traceback" not in err


def test_bad_arguments_exit_2(mini, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["validate", str(mini), "--format", "xml"])
    assert stop.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_help_documents_the_exit_statuses(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["validate", "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for words in ("0  no errors", "1  errors found", "2  the check could not run", "--format", "--output",
                  "not valid JSON", "never writes"):
        assert words in text


@pytest.mark.parametrize("form", ["text", "json", "github", "markdown"])
def test_output_writes_the_report_only_there(mini, tmp_path, capsys, form, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    break_mini(mini)
    target = tmp_path / f"report.{form}"
    status, out, _ = run(capsys, str(mini), "--format", form, "--output", str(target))
    assert status == 1
    assert out.strip() == f"5 errors, 1 warning in 4 files (checked 19 rows in 4 tables); report written to {target}"
    text = target.read_text(encoding="utf-8")
    if form == "json":
        assert json.loads(text)["counts"] == {"error": 5, "warning": 1}
    else:
        assert "cell_has_field_type" in text


def test_an_output_that_cannot_be_written_exits_2(mini, tmp_path, capsys):
    status, _, err = run(capsys, str(mini), "--output", str(tmp_path / "no/such/folder/report.txt"))
    assert status == 2 and "cannot write" in err


def test_github_format_appends_a_job_summary(mini, tmp_path, capsys, monkeypatch):
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(mini)
    set_cell(mini / "data/lands.csv", 2, "region", "Oceania")
    status, out, _ = run(capsys, str(mini), "--format", "github")
    assert status == 1
    assert out.startswith("::error file=data/lands.csv,line=2,col=3,title=value_in_enum::")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## country-profiles validate: failed")
    assert "| 2 | region | error | `value_in_enum` |" in written


def test_github_paths_are_relative_to_the_working_directory(mini, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(mini.parent)
    set_cell(mini / "data/lands.csv", 2, "region", "Oceania")
    _, out, _ = run(capsys, "mini", "--format", "github")
    assert out.startswith("::error file=mini/data/lands.csv,line=2,")


def test_timings_go_to_standard_error(mini, capsys):
    status, out, err = run(capsys, str(mini), "--timings")
    assert status == 0 and "timings: imports" in err and "structure" in err and "rules" in err


# --- As installed: the entry point, python -m, the default package ---


def command(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "GITHUB_STEP_SUMMARY": ""})


def test_python_dash_m_runs_without_importing_frictionless(mini):
    result = command(sys.executable, "-X", "importtime", "-m", "country_profiles", "validate", str(mini))
    assert result.returncode == 0 and result.stdout.endswith("in 4 tables)\n")
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "pandas" in imported and "country_profiles.validation.structure" in imported
    assert not [name for name in imported if name.startswith("frictionless")]


def test_the_entry_point():
    script = Path(sys.executable).with_name("country-profiles")
    assert script.exists(), "the console script is not installed next to this interpreter (pip install -e .)"
    result = command(str(script), "validate", "--help")
    assert result.returncode == 0 and "Exit status" in result.stdout


@pytest.mark.slow
def test_the_default_package_is_the_repository(tmp_path):
    result = command(sys.executable, "-m", "country_profiles", "validate", "--format", "json", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    assert document["checked"]["tables"] == 11 and document["checked"]["rows"] > 1000
    assert (result.returncode == 0) is document["valid"]
    assert REPO.joinpath("datapackage.json").is_file()


@pytest.mark.parametrize(("chosen", "expected"), [(None, "system"), ("mimalloc", "mimalloc"), ("jemalloc", "jemalloc")])
def test_the_command_gives_arrow_the_system_allocator_unless_told(chosen, expected):
    import pyarrow
    try:
        pyarrow.jemalloc_memory_pool()
        pyarrow.mimalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow lacks jemalloc or mimalloc")
    environment = {key: value for key, value in os.environ.items() if key != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen:
        environment["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    script = ("import pyarrow; from country_profiles.validation.cli import _choose_allocator; "
              "_choose_allocator(); print(pyarrow.default_memory_pool().backend_name)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, timeout=60)
    assert result.stdout.strip() == expected, result.stderr
