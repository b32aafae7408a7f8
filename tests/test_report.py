"""Report formats: text for a terminal, json against schemas/report.schema.json, GitHub workflow
annotations, markdown for a pull request summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO, break_mini, edit_rows, set_cell
from country_profiles.validation import validate
from country_profiles.validation.findings import Finding
from country_profiles.validation.report import (
    GITHUB_ANNOTATION_LIMIT,
    Report,
    escape_data,
    escape_property,
    finding_order,
    format_github,
    format_json,
    format_markdown,
    format_text,
)

REPORT_SCHEMA = json.loads((REPO / "schemas/report.schema.json").read_text(encoding="utf-8"))
TEXT_FINDING = re.compile(r"^(?P<path>[^:\s]+)(:(?P<line>\d+))?: (?P<severity>error|warning) \[(?P<rule>[a-z0-9_]+)\] (column (?P<field>\S+): )?\S")
SUMMARY = re.compile(r"^\d+ errors?, \d+ warnings? in \d+ files? \(checked \d+ rows? in \d+ tables?\)$")


@pytest.fixture
def broken(mini) -> Report:
    break_mini(mini)
    return validate(mini, rules=False)


# --- json ---


def test_json_reports_follow_their_schema(mini, broken):
    validator = jsonschema.Draft202012Validator(REPORT_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    for report in (validate(mini), broken):
        document = json.loads(format_json(report))
        validator.validate(document)
        assert document["valid"] is report.valid
        assert document["counts"] == {"error": report.counts["error"], "warning": report.counts["warning"]}
        assert document["checked"]["rows"] > 0
        assert len(document["findings"]) == len(report.findings)
    assert not json.loads(format_json(broken))["valid"]


def test_json_findings_carry_exactly_the_documented_keys(broken):
    keys = {"rule", "severity", "resource", "path", "line", "lines", "field", "value", "message"}
    findings = json.loads(format_json(broken))["findings"]
    assert findings and all(set(finding) == keys for finding in findings)
    by_rule = {finding["rule"]: finding for finding in findings}
    assert by_rule["cell_has_field_type"] == {
        "rule": "cell_has_field_type", "severity": "error", "resource": "lands", "path": "data/lands.csv",
        "line": 3, "lines": [3], "field": "area_km2", "value": "abc", "message": "'abc' is not a number"}
    assert by_rule["descriptor_is_valid"]["line"] and by_rule["descriptor_is_valid"]["path"] == "datapackage.json"


def test_a_descriptor_that_is_not_json_still_gives_a_valid_report(mini):
    (mini / "datapackage.json").write_text("{", encoding="utf-8")
    document = json.loads(format_json(validate(mini)))
    jsonschema.validate(document, REPORT_SCHEMA)
    assert document["findings"][0]["rule"] == "descriptor_is_json"


@pytest.mark.slow
def test_the_real_package_report_follows_its_schema():
    document = json.loads(format_json(validate(REPO)))
    jsonschema.validate(document, REPORT_SCHEMA)
    assert document["checked"]["tables"] == 11 and document["checked"]["rows"] > 1000


# --- order ---


def test_findings_are_sorted_by_file_line_and_rule(broken):
    assert broken.findings == sorted(broken.findings, key=finding_order)
    paths = [finding.path for finding in broken.findings]
    assert paths.index("datapackage.json") < paths.index("data/lands.csv")
    lands = [(finding.line, finding.rule) for finding in broken.findings if finding.path == "data/lands.csv"]
    assert lands == sorted(lands, key=lambda item: (item[0] is not None, item[0] or 0, item[1]))


# --- text ---


def test_text_starts_with_the_summary_then_errors_then_warnings_each_with_its_hint(broken):
    text = format_text(broken)
    lines = text.splitlines()
    assert lines[0] == broken.summary() and SUMMARY.match(lines[-1]) and lines[-1] == broken.summary()
    findings = [TEXT_FINDING.match(line) for line in lines]
    assert sum(1 for match in findings if match) == len(broken.findings)
    assert "data/lands.csv:3: error [cell_has_field_type] column area_km2: 'abc' is not a number" in lines
    severities = [match.group("severity") for match in findings if match]
    assert severities == sorted(severities), "errors before warnings"
    assert lines.index("Errors:") < lines.index("Warnings:")
    for number, line in enumerate(lines):
        if TEXT_FINDING.match(line):
            rule = line.split("[")[1].split("]")[0]
            following = lines[number + 1:number + 3]
            assert f"    hint: {broken.hint(rule)}" in following, f"no hint beside {line}"


def test_text_lists_every_line_of_a_finding_and_errors_only_hides_warnings(broken):
    from dataclasses import replace

    broken.findings[0] = replace(broken.findings[0], lines=(7, 3, 9))
    lines = format_text(broken).splitlines()
    assert "    lines: 7, 3, 9" in lines
    errors_only = format_text(broken, errors_only=True)
    assert "warning [" not in errors_only and "error [" in errors_only
    assert "1 warning not shown: --errors-only" in errors_only and errors_only.startswith(broken.summary())


def test_text_summary_counts(mini):
    report = validate(mini)
    assert format_text(report).splitlines()[-1].startswith("0 errors, 0 warnings in 0 files (checked 18 rows in 4 tables")
    set_cell(mini / "data/lands.csv", 2, "area_km2", "-1")
    (mini / "data/refs.csv").write_bytes(b"\xef\xbb\xbf" + (mini / "data/refs.csv").read_bytes())
    assert validate(mini).summary() == "1 error, 1 warning in 2 files (checked 18 rows in 4 tables)"


# --- github ---


def test_github_escapes_messages_and_properties():
    assert escape_data("100% sure\r\nnext") == "100%25 sure%0D%0Anext"
    assert escape_property("data/a,b.csv: x%") == "data/a%2Cb.csv%3A x%25"


def test_github_annotations_point_at_file_line_and_column(mini):
    edit_rows(mini / "data/refs.csv", lambda rows: [row.__setitem__(slice(2, 4), row[2:4][::-1]) for row in rows])
    set_cell(mini / "data/lands.csv", 3, "area_km2", "1,5")
    (mini / "data/cities.csv").write_bytes(b"\xef\xbb\xbf" + (mini / "data/cities.csv").read_bytes())
    report = validate(mini, rules=False)
    lines = format_github(report).splitlines()
    assert lines[-1] == report.summary()
    annotations = lines[:-1]
    assert len(annotations) == len(report.findings)
    assert "::warning file=data/cities.csv,line=1,title=csv_has_no_bom::" in "\n".join(annotations)
    (number,) = [line for line in annotations if "title=cell_has_field_type" in line and "lands" in line]
    assert number.startswith("::error file=data/lands.csv,line=3,col=5,title=cell_has_field_type::column area_km2: '1,5'")
    assert "%0A" in number  # the hint follows on its own line
    # refs.csv has url and published swapped; cells are checked by position, so the URL in
    # column 4 fails as a date (field published) and the annotation points at column 4
    (date,) = [line for line in annotations if "column published" in line and "line=2," in line and "cell_has" in line]
    assert ",col=4," in date
    (header,) = [line for line in annotations if "line=1,col=3," in line]
    assert "title=header_matches_schema" in header and "column url" in header


def test_github_says_how_many_annotations_it_cannot_show(mini):
    edit_rows(mini / "data/city_facts.csv", lambda rows: rows.extend([["KGZ", "Bishkek", str(year), "census", "-1"]
                                                                      for year in range(1900, 1960)]))
    report = validate(mini, rules=False)
    assert report.counts["error"] > GITHUB_ANNOTATION_LIMIT
    summary = format_github(report).splitlines()[-1]
    assert summary.startswith(report.summary()) and f"first {GITHUB_ANNOTATION_LIMIT}" in summary
    hidden = report.counts["error"] - GITHUB_ANNOTATION_LIMIT
    assert f"{hidden} errors appear only in this log" in summary


def test_github_prefixes_paths_of_a_package_in_a_subfolder(broken):
    assert format_github(broken, prefix="packages/mini/").startswith("::error file=packages/mini/datapackage.json")


# --- markdown ---


def test_markdown_has_counts_and_a_table_per_file(broken):
    text = format_markdown(broken)
    assert text.startswith("## country-profiles validate: failed\n\n" + broken.summary())
    for path in broken.files:
        assert f"### `{path}`" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Line")]
    assert len(rows) == len(broken.findings)
    assert all(line.count(" | ") == 4 for line in rows)  # pipes inside messages are escaped
    assert "### How to fix" in text


def test_markdown_of_a_valid_package(mini):
    text = format_markdown(validate(mini))
    assert text.startswith("## country-profiles validate: passed") and "|" not in text


def test_markdown_is_cut_politely_under_the_limit(mini):
    edit_rows(mini / "data/city_facts.csv", lambda rows: rows.extend([["KGZ", "Bishkek", str(year), "census", "-1"]
                                                                      for year in range(1000, 1100)]))
    report = validate(mini, rules=False)
    full = format_markdown(report)
    assert len(full) < 65_000 and "left out" not in full
    cut = format_markdown(report, limit=5_000)
    assert len(cut) <= 5_000
    shown = sum(1 for line in cut.splitlines() if line.startswith("| ") and not line.startswith("| Line"))
    left_out = len(report.findings) - shown
    assert 0 < shown and f"*{left_out} more findings left out" in cut


def test_markdown_escapes_pipes_and_newlines():
    finding = Finding("value_in_enum", "error", "'a|b' is not one of: x\ny", "t", "data/t.csv", 2, (2,), "c", "a|b")
    text = format_markdown(Report(Path("datapackage.json"), [finding]))
    (row,) = [line for line in text.splitlines() if line.startswith("| 2 ")]
    assert "'a\\|b' is not one of: x\\\\ny" in row  # the newline shown as an escape (escape.markdown)


def test_rule_findings_without_a_path_get_their_table_file(mini, monkeypatch):
    import country_profiles.validation.rules as rules

    def one_finding(package, **options):
        return [Finding("made_up_rule", "warning", "looks odd", resource="lands", line=3, lines=(3,))]

    monkeypatch.setattr(rules, "run_rules", one_finding)
    report = validate(mini)
    (finding,) = report.findings
    assert finding.path == "data/lands.csv" and report.valid
