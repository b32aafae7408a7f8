"""Random input never crashes or hangs the validator: random bytes as a CSV table, random JSON
(deeply nested, huge numbers, wrong types) as the descriptor or a Table Schema. Every run ends
in a report whose findings are well formed and that every format can render; exit 0 or 1.

Bounded so that the file runs in a few seconds; a run that takes longer than HANG_SECONDS is
interrupted and fails, so a hang cannot stall the suite.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINI, REPO, copy_package
from country_profiles.validation import validate
from country_profiles.validation.findings import SEVERITIES
from country_profiles.validation.report import FORMATS, MAX_TEXT, Report

HANG_SECONDS = 10
LINE_BREAK = re.compile(rb"\r\n|\r|\n")
REPORT_SCHEMA = json.loads((REPO / "schemas/report.schema.json").read_text(encoding="utf-8"))
LANDS = "data/lands.csv"
LANDS_SCHEMA = "schemas/lands.schema.json"
# Each example is a validation run, slower than hypothesis expects; nested JSON can be large. The
# deadline flags a slow input; no_hang() stops one that never ends.
FUZZ = settings(deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextlib.contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    def interrupt(signum, frame):
        raise TimeoutError(f"validation ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """One copy of the mini package for the module; each example rewrites one file and restores it."""
    return copy_package(MINI, tmp_path_factory.mktemp("fuzz") / "mini")


@contextlib.contextmanager
def replaced(path: Path, data: bytes) -> Iterator[None]:
    original = path.read_bytes()
    path.write_bytes(data)
    try:
        yield
    finally:
        path.write_bytes(original)


def check_report(report: Report, root: Path) -> None:
    """Well formed: known rule and severity, a file of the package, a line inside it, a bounded
    message; no rule crashed; every format renders; the JSON report follows its schema."""
    files = {str(path.relative_to(root)): path for path in root.rglob("*") if path.is_file()}
    for finding in report.findings:
        assert finding.rule in report.rules, finding.rule
        assert finding.rule != "rules_completed", finding.message
        assert finding.severity in SEVERITIES
        assert isinstance(finding.message, str) and 0 < len(finding.message) <= MAX_TEXT + 40
        assert finding.path is None or finding.path in files or finding.rule == "resource_file_exists", finding
        if finding.line is not None and finding.path in files:
            lines = len(LINE_BREAK.split(files[finding.path].read_bytes()))  # CR, LF and CRLF end a line
            assert 1 <= finding.line <= lines, finding
    for render in FORMATS.values():
        assert isinstance(render(report), str)
    jsonschema.validate(json.loads(FORMATS["json"](report)), REPORT_SCHEMA)


# --- Random bytes as a table ---

HEADER = (MINI / LANDS).read_bytes().split(b"\n", 1)[0] + b"\n"
csvish = st.text(alphabet='KGZ1.,"\n\r \t;=-+eE\u041a\u00e9\ufeff\u2028\x00', max_size=200)


@st.composite
def spliced(draw) -> bytes:
    """The real file with a random slice replaced by random bytes."""
    original = (MINI / LANDS).read_bytes()
    start = draw(st.integers(0, len(original)))
    end = draw(st.integers(start, len(original)))
    return original[:start] + draw(st.binary(max_size=40)) + original[end:]


csv_bytes = st.one_of(
    st.binary(max_size=400),
    csvish.map(lambda text: text.encode("utf-8")),
    csvish.map(lambda text: HEADER + text.encode("utf-8")),
    spliced(),
)


@settings(FUZZ, max_examples=8)
@given(data=csv_bytes)
def test_random_bytes_in_a_table_never_crash_or_hang(package, data):
    with replaced(package / LANDS, data), no_hang():
        report = validate(package)
        check_report(report, package)


@settings(FUZZ, max_examples=40)
@given(data=csv_bytes)
def test_random_bytes_in_a_table_never_crash_the_structure_checks(package, data):
    """The same without the rules (five times as fast), so more inputs reach the CSV reader."""
    with replaced(package / LANDS, data), no_hang():
        check_report(validate(package, rules=False), package)


# --- Random JSON as the descriptor or a Table Schema ---

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.sampled_from([10**4000, -(10**4000), 2**63, 1e308]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["data/lands.csv", "../x.csv", "/etc/passwd", "http://127.0.0.1:9/x.csv", "schemas/lands.schema.json",
                     "string", "integer", "number", "date", "boolean", "uri", "", "lands", "refs", "[A-Z", "(a+)+$",
                     "1800-01-01", "NaN"]),
)
json_values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)), max_leaves=30)


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for level in range(levels):
        value = [value] if level % 2 else {"x": value}
    return value


constraints = st.fixed_dictionaries({}, optional={name: scalars for name in (
    "required", "unique", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "pattern")} | {"enum": st.lists(scalars, max_size=3)})
fields = st.fixed_dictionaries({"name": json_values | st.sampled_from(["iso3", "name", "region"]),
                                "type": json_values | st.sampled_from(["string", "number", "integer", "date", "decimal"])},
                               optional={"constraints": constraints | json_values, "format": json_values,
                                         "trueValues": json_values, "missingValues": json_values})
table_schemas = st.fixed_dictionaries(
    {"fields": st.lists(fields, max_size=7) | json_values},
    optional={"primaryKey": json_values, "foreignKeys": json_values, "missingValues": json_values},
)
resources = st.fixed_dictionaries(
    {"name": json_values | st.sampled_from(["lands", "refs"]), "path": json_values},
    optional={"schema": json_values | table_schemas, "format": json_values, "encoding": json_values},
)
descriptors = st.one_of(
    json_values,
    st.fixed_dictionaries({"resources": st.lists(resources, max_size=3) | json_values},
                          optional={"name": json_values, "licenses": json_values}),
    st.integers(65, 3000).map(deep),
)


def as_json(value: Any, draw) -> bytes:
    try:
        text = json.dumps(value, allow_nan=True, indent=draw(st.sampled_from([None, 1])))
    except (ValueError, RecursionError):
        text = "null"
    return text.encode("utf-8")


@settings(FUZZ, max_examples=20)
@given(data=st.data())
def test_random_descriptors_never_crash(package, data):
    text = as_json(data.draw(descriptors), data.draw)
    with replaced(package / "datapackage.json", text), no_hang():
        report = validate(package)
        check_report(report, package)
        descriptor_findings = [f for f in report.findings if f.path == "datapackage.json"]
        if not descriptor_findings:  # only a valid descriptor has none
            assert isinstance(json.loads(text), dict) and json.loads(text).get("resources")


@pytest.mark.parametrize("resources", [b"null", b"5", b'["lands"]', b'[{"name": "countries"}, 7]'])
def test_the_rules_survive_resources_that_are_not_a_list_of_objects(package, resources):
    with replaced(package / "datapackage.json", b'{"resources": ' + resources + b"}"):
        report = validate(package)
    assert "rules_completed" not in {finding.rule for finding in report.findings}


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_random_table_schemas_never_crash(package, data):
    schema = data.draw(st.one_of(table_schemas, json_values))
    with replaced(package / LANDS_SCHEMA, as_json(schema, data.draw)), no_hang():
        check_report(validate(package, rules=False), package)


@settings(FUZZ, max_examples=30)
@given(data=st.binary(max_size=300))
def test_random_bytes_as_the_descriptor_never_crash(package, data):
    with replaced(package / "datapackage.json", data), no_hang():
        report = validate(package, rules=False)  # no table is read: the rules would only repeat themselves
        assert not report.valid
        check_report(report, package)
