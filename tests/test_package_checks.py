"""Package checks: locating the descriptor, JSON and meta-schema errors with file, JSON path and
line, resource paths that must stay inside the package, Table Schema semantics."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path

import pytest

from conftest import REPO, edit_json, findings_of, set_cell
from country_profiles.validation import validate
from country_profiles.validation.package import PACKAGE_RULES, PackageNotFound, locate_descriptor, path_problem

DESCRIPTOR = "datapackage.json"


def resource(document: dict, name: str) -> dict:
    return next(item for item in document["resources"] if item["name"] == name)


def set_resource(name: str, key: str, value) -> object:
    return lambda document: resource(document, name).__setitem__(key, value)


def line_of(path: Path, text: str) -> int:
    """The line where `text` first appears in a file."""
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


# --- Finding the descriptor: exit status 2 material ---


def test_a_folder_or_the_descriptor_itself(mini):
    assert locate_descriptor(mini) == mini / DESCRIPTOR
    assert locate_descriptor(str(mini / DESCRIPTOR)) == mini / DESCRIPTOR


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "nowhere", "no such file or folder"),
        (lambda root: root / "data", "no datapackage.json in this folder"),
        (lambda root: root / "data/lands.csv", "expected a folder holding datapackage.json"),
    ],
)
def test_nothing_to_check_is_not_a_finding(mini, make, message):
    with pytest.raises(PackageNotFound, match=message):
        validate(make(mini), rules=False)


# --- Every package rule: broken and kept ---


def break_json(root: Path) -> None:
    (root / DESCRIPTOR).write_text('{\n  "name": "mini",\n  "resources": [\n}\n', encoding="utf-8")


def break_rules(monkeypatch):
    import country_profiles.validation.rules as rules

    def crash(package, **options):
        raise KeyError("countries")

    monkeypatch.setattr(rules, "run_rules", crash)


RULE_CASES = {
    # rule id: (corruption, expected (path, line) of the finding, words in its message)
    "descriptor_is_json": (break_json, (DESCRIPTOR, 4), ["line 4, column 1"]),
    "descriptor_is_valid": (
        lambda root: edit_json(root / DESCRIPTOR, lambda d: d.__setitem__("name", "Mini Package")),
        (DESCRIPTOR, 2), ["$.name", "does not match"],
    ),
    "package_has_resources": (lambda root: edit_json(root / DESCRIPTOR, lambda d: d.__setitem__("resources", [])),
                              (DESCRIPTOR, 1), ["no resources"]),
    "resource_path_inside_package": (
        lambda root: edit_json(root / DESCRIPTOR, set_resource("lands", "path", "../lands.csv")),
        (DESCRIPTOR, None), ["'..'"],
    ),
    "resource_file_exists": (
        lambda root: edit_json(root / DESCRIPTOR, set_resource("lands", "path", "data/nations.csv")),
        ("data/nations.csv", None), ["does not exist"],
    ),
    "table_schema_is_valid": (
        lambda root: edit_json(root / "schemas/lands.schema.json", lambda s: s["fields"][4].__setitem__("type", "yearly")),
        ("schemas/lands.schema.json", None), ["$.fields[4].type", "'yearly'"],
    ),
    "rules_completed": (None, (None, None), ["KeyError", "countries"]),
}


@pytest.mark.parametrize("rule", PACKAGE_RULES, ids=lambda rule: rule.id)
def test_each_package_rule_is_broken_by_bad_data_and_kept_by_good_data(mini, monkeypatch, rule):
    assert rule.id in RULE_CASES, f"add a case that breaks {rule.id} to RULE_CASES"
    with_rules = rule.id == "rules_completed"  # the rules take most of the time; only this case needs them
    clean = validate(mini, rules=with_rules)
    assert clean.valid and clean.rows_checked > 0 and findings_of(clean, rule.id) == []

    corrupt, (path, line), words = RULE_CASES[rule.id]
    if corrupt is None:
        break_rules(monkeypatch)
    else:
        corrupt(mini)
    report = validate(mini, rules=with_rules)
    found = findings_of(report, rule.id)
    assert found, report.findings
    assert found[0].path == path and (line is None or found[0].line == line)
    assert all(word in found[0].message for word in words), found[0].message
    assert found[0].severity == rule.severity


def test_package_rules_are_described_for_the_catalogue():
    for rule in PACKAGE_RULES:
        assert rule.id == rule.id.lower() and rule.description and rule.hint


def test_a_crashing_rule_keeps_the_structure_findings(mini, monkeypatch):
    break_rules(monkeypatch)
    (mini / "data/refs.csv").write_text("id,title,url,published\nBAD,Title,,\n", encoding="utf-8")
    report = validate(mini)
    assert {finding.rule for finding in report.findings} >= {"rules_completed", "value_matches_pattern"}
    monkeypatch.setenv("COUNTRY_PROFILES_DEBUG", "1")
    with pytest.raises(KeyError):
        validate(mini)


# --- The descriptor ---


def test_invalid_json_in_a_schema_file_names_that_file(mini):
    text = '{"fields": [\n  {"name": "country",}\n]}'
    (mini / "schemas/cities.schema.json").write_text(text, encoding="utf-8")
    report = validate(mini, rules=False)
    (finding,) = findings_of(report, "descriptor_is_json")
    assert (finding.path, finding.line, finding.resource) == ("schemas/cities.schema.json", 2, "cities")
    # the decoder's column: the closing brace up to Python 3.12, the trailing comma from 3.13
    with pytest.raises(json.JSONDecodeError) as decoding:
        json.loads(text)
    assert decoding.value.colno in (21, 22) and f"column {decoding.value.colno}" in finding.message
    # the table is not checked without a schema, and city_facts' key into it is not checked either
    assert "cities" not in {table.name for table in report.tables}


@pytest.mark.parametrize(
    ("data", "words"),
    [(b'{"name": "mini", "resources": [], "x": NaN}', "NaN"), (b'{"name": "m\xe9"}', "not UTF-8"), (b"[]", "object")],
)
def test_descriptors_that_are_not_a_json_object(mini, data, words):
    (mini / DESCRIPTOR).write_bytes(data)
    report = validate(mini, rules=False)
    assert not report.valid and words in report.findings[0].message
    assert report.findings[0].path == DESCRIPTOR


def test_meta_schema_errors_name_the_json_path_and_line(mini):
    def change(document):
        resource(document, "cities")["bytes"] = "big"
        resource(document, "lands")["compression"] = "gz"
        document["licenses"] = [{"title": "no name or path"}]

    edit_json(mini / DESCRIPTOR, change)
    report = validate(mini, rules=False)
    messages = {finding.message.split(":")[0]: finding for finding in findings_of(report, "descriptor_is_valid")}
    assert set(messages) == {"$.resources[2].bytes", "$.resources[1]", "$.licenses[0]"}
    assert messages["$.resources[2].bytes"].line == line_of(mini / DESCRIPTOR, '"big"')
    assert "compression" in messages["$.resources[1]"].message
    assert report.rows_checked > 0  # the tables are still checked


def test_a_missing_resources_list_is_said_once(mini):
    edit_json(mini / DESCRIPTOR, lambda document: document.pop("resources"))
    report = validate(mini, rules=False)
    assert [finding.rule for finding in report.findings] == ["package_has_resources"]


def test_resource_names_are_unique(mini):
    edit_json(mini / DESCRIPTOR, set_resource("cities", "name", "lands"))
    report = validate(mini, rules=False)
    assert any("already used" in finding.message for finding in findings_of(report, "descriptor_is_valid"))


# --- Resource paths ---


@pytest.mark.parametrize(
    ("declared", "words"),
    [
        ("/etc/passwd", "absolute"),
        ("../outside.csv", "'..'"),
        ("data/../../outside.csv", "'..'"),
        ("https://example.org/lands.csv", "URL"),
        ("file:///etc/passwd", "URL"),
        ("s3://bucket/lands.csv", "URL"),
        ("C:\\data\\lands.csv", "absolute"),
        ("data\\..\\..\\lands.csv", "'..'"),
    ],
)
def test_paths_that_leave_the_package_are_not_opened(mini, monkeypatch, declared, words):
    def no_network(*args, **kwargs):
        raise AssertionError("validation opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    edit_json(mini / DESCRIPTOR, set_resource("lands", "path", declared))
    assert path_problem(declared) is not None
    report = validate(mini, rules=False)
    (finding,) = findings_of(report, "resource_path_inside_package")
    assert words in finding.message and finding.resource == "lands" and finding.value == declared
    assert finding.line == line_of(mini / DESCRIPTOR, json.dumps(declared))
    assert not [f for f in report.findings if f.resource == "lands" and f.rule != "resource_path_inside_package"]


def test_a_symlink_leading_outside_is_not_followed(mini, tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text("not,a,lands,table\n\x00\x01", encoding="utf-8")
    (mini / "data/lands.csv").unlink()
    (mini / "data/lands.csv").symlink_to(outside)
    report = validate(mini, rules=False)
    (finding,) = findings_of(report, "resource_path_inside_package")
    assert "symlink" in finding.message and finding.resource == "lands"
    assert not [f for f in report.findings if f.path == "data/lands.csv"]


def test_a_symlinked_folder_leading_outside_is_not_followed(mini, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (mini / "schemas").rename(tmp_path / "elsewhere/schemas")
    (mini / "schemas").symlink_to(tmp_path / "elsewhere/schemas")
    report = validate(mini, rules=False)
    assert len(findings_of(report, "resource_path_inside_package")) == 4


def test_a_symlink_inside_the_package_is_fine(mini):
    (mini / "data/lands.csv").rename(mini / "data/lands-2026.csv")
    (mini / "data/lands.csv").symlink_to("lands-2026.csv")
    assert validate(mini, rules=False).valid


def test_a_folder_is_not_a_resource_file(mini):
    edit_json(mini / DESCRIPTOR, set_resource("lands", "path", "data"))
    (finding,) = findings_of(validate(mini, rules=False), "resource_file_exists")
    assert finding.path == "data" and "folder" in finding.message


def test_schema_paths_obey_the_same_rules(mini):
    def change(document):
        resource(document, "lands")["schema"] = "https://example.org/lands.schema.json"
        resource(document, "cities")["schema"] = "schemas/towns.schema.json"

    edit_json(mini / DESCRIPTOR, change)
    report = validate(mini, rules=False)
    assert [f.resource for f in findings_of(report, "resource_path_inside_package")] == ["lands"]
    assert [f.path for f in findings_of(report, "resource_file_exists")] == ["schemas/towns.schema.json"]


# --- Table Schemas ---


def change_field(number: int, **changes):
    def change(schema):
        schema["fields"][number].update(changes)

    return change


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (change_field(4, constraints={"pattern": "[0-9]+"}), "$.fields[4].constraints"),
        (change_field(1, trueValues=["yes"]), "'trueValues' is not allowed"),
        (change_field(4, constraints={"enum": ["1", 2]}), "$.fields[4].constraints.enum[0]"),
        (change_field(0, constraints={"pattern": "[A-Z"}), "not a valid regular expression"),
        (change_field(1, format="ipv4"), "$.fields[1].format"),
        (lambda schema: schema.__setitem__("primaryKey", ["iso3", "code"]), "primary key names fields that do not exist"),
        (lambda schema: schema["foreignKeys"][0].__setitem__("fields", "source"), "foreign key names fields that do not exist"),
        (lambda schema: schema["foreignKeys"][0]["reference"].__setitem__("resource", "sources"), "does not declare"),
        (lambda schema: schema["foreignKeys"][0]["reference"].__setitem__("fields", "title2"), "does not have"),
        (lambda schema: schema["foreignKeys"][0].__setitem__("fields", "independent"), "no value can match"),
        (change_field(2, name="name"), "declared 2 times"),
        (lambda schema: schema.__setitem__("uniqueKeys", [["name"]]), "uniqueKeys"),
        (lambda schema: schema.__setitem__("fieldsMatch", "some"), "'some' is not one of"),
        (change_field(3, trueValues=["true", "false"]), "both trueValues and falseValues"),
    ],
)
def test_table_schema_problems_name_the_schema_file_and_path(mini, change, words):
    edit_json(mini / "schemas/lands.schema.json", change)
    report = validate(mini, rules=False)
    found = findings_of(report, "table_schema_is_valid")
    assert found and all(f.path == "schemas/lands.schema.json" and f.resource == "lands" for f in found)
    assert any(words in finding.message for finding in found), [finding.message for finding in found]
    assert all(finding.line for finding in found)


def test_a_date_bound_must_be_a_date(mini):
    edit_json(mini / "schemas/refs.schema.json", lambda schema: schema["fields"][3].__setitem__(
        "constraints", {"minimum": "1990-13-01"}))
    (finding,) = findings_of(validate(mini, rules=False), "table_schema_is_valid")
    assert "$.fields[3].constraints.minimum" in finding.message


def test_inline_schemas_are_checked_in_the_descriptor(mini):
    def inline(document):
        schema = json.loads((mini / "schemas/lands.schema.json").read_text(encoding="utf-8"))
        schema["fields"][2]["type"] = "text"
        resource(document, "lands")["schema"] = schema

    edit_json(mini / DESCRIPTOR, inline)
    (finding,) = findings_of(validate(mini, rules=False), "table_schema_is_valid")
    assert finding.path == DESCRIPTOR and finding.message.startswith("$.resources[1].schema.fields[2].type")
    assert finding.line == line_of(mini / DESCRIPTOR, '"text"')


def test_a_valid_inline_schema_works_like_a_file(mini):
    def inline(document):
        resource(document, "lands")["schema"] = json.loads((mini / "schemas/lands.schema.json").read_text(encoding="utf-8"))

    edit_json(mini / DESCRIPTOR, inline)
    report = validate(mini, rules=False)
    assert report.valid and "data/lands.csv" in {table.path for table in report.tables}


# --- The real package ---


def test_the_real_descriptor_and_schemas_pass_our_meta_schemas():
    report = validate(REPO, rules=False)
    package_rules = {rule.id for rule in PACKAGE_RULES}
    assert [finding for finding in report.findings if finding.rule in package_rules] == []


def test_frictionless_accepts_the_real_descriptor():
    import frictionless
    report = frictionless.Package.validate_descriptor(str(REPO / DESCRIPTOR))
    assert report.valid, report.flatten(["type", "note"])


def test_frictionless_accepts_the_mini_descriptor():
    from conftest import MINI

    import frictionless
    assert frictionless.Package.validate_descriptor(str(MINI / DESCRIPTOR)).valid


# --- Nothing is written ---


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_validation_writes_nothing_even_into_a_read_only_package(mini):
    (mini / "data/lands.csv").write_text("iso3\nbad\n", encoding="utf-8")  # findings too
    before = snapshot(mini)
    modes = {path: path.stat().st_mode for path in [mini, *mini.rglob("*")]}
    for path in modes:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        report = validate(mini)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert not report.valid
    assert snapshot(mini) == before
    assert sorted(os.listdir(mini)) == ["data", "datapackage.json", "schemas"]


def test_a_schema_file_shared_by_two_resources_is_reported_once(mini):
    def share(document):
        resource(document, "cities")["schema"] = "schemas/lands.schema.json"

    edit_json(mini / DESCRIPTOR, share)
    edit_json(mini / "schemas/lands.schema.json", lambda schema: schema["fields"][4].__setitem__("units", "km2"))
    report = validate(mini, rules=False)
    in_lands_schema = [f for f in findings_of(report, "table_schema_is_valid") if f.path == "schemas/lands.schema.json"]
    assert len(in_lands_schema) == 1 and "units" in in_lands_schema[0].message
    # cities is now checked against the lands schema: its header does not match, and city_facts'
    # key into cities names fields the lands schema does not have
    assert any(finding.path == "data/cities.csv" for finding in findings_of(report, "header_matches_schema"))


def test_an_unknown_field_type_does_not_stop_the_other_checks(mini):
    edit_json(mini / "schemas/cities.schema.json", lambda schema: schema["fields"][2].__setitem__("type", "yearly"))
    edit_json(mini / "schemas/cities.schema.json",
              lambda schema: schema["foreignKeys"][0]["reference"].__setitem__("resource", "countries"))
    set_cell(mini / "data/cities.csv", 2, "city", "")
    report = validate(mini, rules=False)
    messages = [finding.message for finding in findings_of(report, "table_schema_is_valid")]
    assert any("'yearly' is not one of" in message for message in messages)
    assert any("'countries', which the package does not declare" in message for message in messages)
    assert [(f.path, f.line) for f in findings_of(report, "required_cell_present")] == [("data/cities.csv", 2)]


def test_the_meta_schema_is_no_stricter_than_data_package_v2(mini):
    """v2 requires no package name, no field type, and accepts bounds written as strings."""
    edit_json(mini / DESCRIPTOR, lambda document: document.pop("name"))
    edit_json(mini / "schemas/lands.schema.json", lambda schema: (
        schema["fields"][1].pop("type", None), schema["fields"][4].setdefault("constraints", {}).update(minimum="0")))
    report = validate(mini, rules=False)
    assert report.valid, [finding.message for finding in report.findings]
