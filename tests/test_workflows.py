"""CI and pre-commit configuration: only nox sessions that exist, least privilege, pinned actions,
no trigger, runner or script a pull request from a fork could abuse."""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

from country_profiles import cli
from country_profiles.paths import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github/workflows").glob("*.y*ml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
NOX_INSTALL = re.compile(r'^python -m pip install "nox==[\d.*]+"$')


def nox_sessions() -> set[str]:
    """Session names declared in noxfile.py: decorated functions, or their `name=`."""
    tree = ast.parse((REPO_ROOT / "noxfile.py").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if ast.unparse(target) != "nox.session":
                continue
            name = node.name
            for keyword in getattr(decorator, "keywords", []):
                if keyword.arg == "name":
                    name = ast.literal_eval(keyword.value)
            names.add(name)
    return names


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    return {name: None for name in on} if isinstance(on, list) else dict(on)


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def nox_calls(command: str) -> list[tuple[str, list[str]]]:
    """(session, arguments after --) for each `nox -s SESSION [-- ARGS]` in a run step."""
    calls = []
    for line in command.strip().splitlines():
        words = shlex.split(line)
        if words[:2] != ["nox", "-s"] or len(words) < 3:
            continue
        args = words[words.index("--") + 1:] if "--" in words else []
        calls.append((words[2], args))
    return calls


def test_there_are_workflows():
    assert WORKFLOWS, "no workflow in .github/workflows"


def test_the_noxfile_parser_finds_sessions():
    assert {"tests", "validate", "fmt", "diff", "import"} <= nox_sessions()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_runs_on_pull_requests_and_pushes_to_main_never_pull_request_target(path):
    on = triggers(load(path))
    assert "pull_request_target" not in on
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]


PAGES_DEPLOY = {"pages": "write", "id-token": "write"}  # what actions/deploy-pages needs, and nothing more


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_least_privilege(path):
    """Read-only everywhere, except a Pages deploy job: exactly PAGES_DEPLOY, no other step, main only."""
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for job_id, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        assert isinstance(granted, dict), f"{job_id} asks for {granted}"
        if "write" not in granted.values():
            continue
        assert granted == PAGES_DEPLOY, f"{job_id} asks for {granted}"
        assert [s.get("uses", "").split("@")[0] for s in job["steps"]] == ["actions/deploy-pages"], job_id
        assert job["environment"]["name"] == "github-pages" and "refs/heads/main" in job["if"], job_id


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_sha(path):
    used = [step["uses"] for _, step in steps(load(path)) if "uses" in step]
    assert used
    for action in used:
        assert action.startswith("./") or PINNED.match(action), f"{action} is not pinned to a full commit SHA"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkout_does_not_keep_the_token(path):
    for job_id, step in steps(load(path)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, job_id


# Security beyond permissions and pins: what a pull request from a fork could abuse.

# Triggers that run with a write token or secrets on behalf of someone else's pull request or comment.
UNTRUSTED_TRIGGERS = {"pull_request_target", "workflow_run", "issue_comment", "pull_request_review",
                      "pull_request_review_comment"}
GITHUB_HOSTED = re.compile(r"^(ubuntu|windows|macos)-[\w.-]+$")
DOCKER_PINNED = re.compile(r"^docker://[^@\s]+@sha256:[0-9a-f]{64}$")


def security_problems(workflow: dict) -> list[str]:
    """What would let a pull request run code with more than read access, or inject shell code."""
    problems = [f"trigger {name}" for name in triggers(workflow) if name in UNTRUSTED_TRIGGERS]
    for job_id, job in workflow.get("jobs", {}).items():
        runner = job.get("runs-on", "")
        if not (isinstance(runner, str) and GITHUB_HOSTED.match(runner)):
            problems.append(f"{job_id}: runs on {runner!r}, not a GitHub-hosted runner")
        called = job.get("uses")
        if called and not (called.startswith("./") or PINNED.match(called)):
            problems.append(f"{job_id}: reusable workflow {called} not pinned to a commit")
        for step in job.get("steps", []):
            if "${{" in step.get("run", ""):  # expanded into the script before the shell sees it
                problems.append(f"{job_id}: expression inside a run script (pass it through env)")
            used = step.get("uses", "")
            if used.startswith("docker://") and not DOCKER_PINNED.match(used):
                problems.append(f"{job_id}: image {used} not pinned to a digest")
    if "secrets." in yaml.safe_dump(workflow):
        problems.append("uses a secret (no job here needs one)")
    return problems


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_untrusted_trigger_self_hosted_runner_script_injection_or_secret(path):
    assert security_problems(load(path)) == []


SAFE_JOB = {"runs-on": "ubuntu-latest", "steps": [{"run": "nox -s tests"}]}


@pytest.mark.parametrize(
    ("workflow", "problem"),
    [
        ({"on": {"workflow_run": {}}, "jobs": {"a": SAFE_JOB}}, "trigger workflow_run"),
        ({True: ["pull_request_target"], "jobs": {"a": SAFE_JOB}}, "trigger pull_request_target"),
        ({"on": ["issue_comment"], "jobs": {"a": SAFE_JOB}}, "trigger issue_comment"),
        ({"on": ["pull_request"], "jobs": {"a": {**SAFE_JOB, "runs-on": ["self-hosted", "linux"]}}},
         "not a GitHub-hosted runner"),
        ({"on": ["pull_request"], "jobs": {"a": {"uses": "org/repo/.github/workflows/x.yml@main"}}},
         "reusable workflow org/repo/.github/workflows/x.yml@main not pinned"),
        ({"on": ["pull_request"], "jobs": {"a": {**SAFE_JOB, "steps": [
            {"run": 'echo "${{ github.event.pull_request.title }}"'}]}}}, "expression inside a run script"),
        ({"on": ["pull_request"], "jobs": {"a": {**SAFE_JOB, "steps": [{"uses": "docker://alpine:3"}]}}},
         "image docker://alpine:3 not pinned"),
        ({"on": ["pull_request"], "jobs": {"a": {**SAFE_JOB, "env": {"T": "${{ secrets.TOKEN }}"}}}}, "uses a secret"),
    ],
)
def test_the_security_checks_catch_what_they_look_for(workflow, problem):
    found = security_problems(workflow)
    assert any(problem in item for item in found), found


@pytest.mark.parametrize(
    ("action", "pinned"),
    [
        ("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", True),
        ("github/codeql-action/init@" + "a" * 40, True),
        ("actions/checkout@v4", False),
        ("actions/checkout@main", False),
        ("actions/checkout@11bd7190", False),  # a short SHA can collide
        ("actions/checkout@" + "A" * 40, False),
        ("actions/checkout", False),
    ],
)
def test_the_pin_pattern_accepts_only_a_full_commit_sha(action, pinned):
    assert bool(PINNED.match(action)) is pinned


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_run_steps_only_install_nox_and_call_existing_sessions(path):
    sessions = nox_sessions()
    called = []
    for job_id, step in steps(load(path)):
        if "run" not in step:
            continue
        for line in step["run"].strip().splitlines():
            assert NOX_INSTALL.match(line) or line.startswith("nox -s "), f"{job_id}: {line!r} is not a nox session"
        for session, _ in nox_calls(step["run"]):
            assert session in sessions, f"{job_id} calls nox session {session!r}, which noxfile.py lacks"
            called.append(session)
    assert called


def _parser_for(command: str) -> argparse.ArgumentParser | None:
    module_name = cli.COMMANDS[command][0]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    parser = argparse.ArgumentParser(prog=f"country-profiles {command}", exit_on_error=False)
    module.configure(parser)
    return parser


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_arguments_passed_to_the_commands_are_ones_they_accept(path):
    """Sessions that pass their arguments to a command of the same name get arguments it knows."""
    checked = 0
    for _, step in steps(load(path)):
        for session, args in nox_calls(step.get("run", "")):
            if session not in cli.COMMANDS or not args:
                continue
            parser = _parser_for(session)
            if parser is None:  # the command is not built yet
                continue
            expanded = [re.sub(r"\$\{?(\w+)\}?", r"\1-value", a) for a in args]
            parser.parse_args(expanded)  # raises on an unknown option or a bad choice
            checked += 1
    assert checked or not any(nox_calls(s.get("run", "")) for _, s in steps(load(path)))


# pre-commit


def precommit_hooks() -> list[dict]:
    config = load(REPO_ROOT / ".pre-commit-config.yaml")
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_precommit_hooks_call_commands_that_exist():
    hooks = precommit_hooks()
    assert {"fmt", "validate"} <= {shlex.split(h["entry"])[1] for h in hooks}
    for hook in hooks:
        program, command, *_ = shlex.split(hook["entry"])
        assert program == "country-profiles" and command in cli.COMMANDS
        assert hook["language"] in ("system", "python")


@pytest.mark.parametrize(
    ("path", "formatted", "validated"),
    [
        ("data/demographics.csv", True, True),
        ("curated/corrections.csv", True, True),
        ("corrections/memberships.json", False, True),
        ("schemas/countries.schema.json", False, True),
        ("src/country_profiles/cli.py", False, False),
        ("tests/fixtures/contrib/package/data/sources.csv", False, False),
    ],
)
def test_precommit_hooks_run_on_the_files_they_check(path, formatted, validated):
    hooks = {shlex.split(h["entry"])[1]: h for h in precommit_hooks()}
    assert bool(re.search(hooks["fmt"]["files"], path)) is formatted
    assert bool(re.search(hooks["validate"]["files"], path)) is validated


# Contributor documents


@pytest.mark.parametrize(
    ("document", "phrases"),
    [
        ("CONTRIBUTING.md", ["data/sources.csv", "curated/corrections.csv", "corrections/memberships.json",
                             "docs/rules.md", "docs/data-dictionary.md", "nox -s fmt", "nox -s validate",
                             "country-profiles diff"]),
        (".github/PULL_REQUEST_TEMPLATE.md", ["source", "nox -s validate", "nox -s fmt"]),
    ],
)
def test_contributor_documents_name_the_files_and_commands(document, phrases):
    text = (REPO_ROOT / document).read_text(encoding="utf-8")
    for phrase in phrases:
        assert phrase in text, f"{document} does not mention {phrase}"


def test_data_correction_issue_template_requires_a_source():
    form = load(REPO_ROOT / ".github/ISSUE_TEMPLATE/data-correction.yml")
    required = {item["id"] for item in form["body"] if item.get("validations", {}).get("required")}
    assert {"table", "row", "current", "proposed", "source"} <= required
