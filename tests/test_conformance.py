"""Conformance with frictionless on its own fixture files: every error frictionless reports,
ours reports too (same file and line), without a crash and without a flood. The fixtures use
what the fast path reads (a comma CSV) and what it hands to frictionless (another delimiter,
inline data), each with the schema frictionless infers for it. Small hand-written packages
cover the rest of Data Package v2: declared bytes and hash, a resource without a schema, the
descriptor's `created` and email formats."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import frictionless
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from country_profiles.validation import validate

FIXTURES = Path(__file__).parent / "fixtures" / "frictionless"
FILES = ["invalid.csv", "delimiter.csv", "capital-invalid.csv", "blank-rows.csv"]


def package_of(tmp_path: Path, name: str, inline: bool = False) -> tuple[Path, dict]:
    root = tmp_path / "package"
    (root / "data").mkdir(parents=True)
    shutil.copy(FIXTURES / name, root / "data" / name)
    inferred = frictionless.Resource(str(root / "data" / name))
    inferred.infer()
    resource = {"name": "table", "path": f"data/{name}", "schema": inferred.schema.to_descriptor()}
    delimiter = inferred.dialect.get_control("csv").delimiter  # frictionless sniffs it; the standard declares it
    if delimiter != ",":
        resource["dialect"] = {"delimiter": delimiter}
    if inline:
        with frictionless.Resource(str(root / "data" / name), dialect=inferred.dialect) as table:
            resource = {"name": "table", "data": [table.header.labels, *[row.cells for row in table.row_stream]],
                        "schema": inferred.schema.to_descriptor()}
    (root / "datapackage.json").write_text(json.dumps({"resources": [resource]}), encoding="utf-8")
    return root, resource


@pytest.mark.parametrize("name", FILES)
def test_every_error_frictionless_reports_ours_reports_at_the_same_line(tmp_path, name):
    root, resource = package_of(tmp_path, name)
    theirs = frictionless.Resource(dict(resource), basepath=str(root)).validate(limit_errors=10**6)
    expected = {(1 if kind.endswith("label") else row) for kind, row in theirs.flatten(["type", "rowNumber"])}
    ours = validate(root, rules=False)
    found = {finding.line for finding in ours.findings if finding.path == resource["path"]}
    assert expected <= found, (sorted(expected - found, key=str), [f.message for f in ours.findings])
    assert len(ours.findings) <= 3 * len(theirs.flatten(["type"])) + 3  # no flood


def test_a_semicolon_file_is_read_by_frictionless_not_refused_then_flooded(tmp_path):
    root, resource = package_of(tmp_path, "delimiter.csv")
    assert resource["dialect"]["delimiter"] == ";"
    assert validate(root).valid
    (root / "data/delimiter.csv").write_text("id;name\n1;english\nx;中国人\n", encoding="utf-8")
    report = validate(root, rules=False)
    assert [(f.rule, f.line, f.field) for f in report.findings] == [("cell_has_field_type", 3, "id")]


def test_a_resource_frictionless_reads_counts_in_the_summary(tmp_path):
    root, _ = package_of(tmp_path, "delimiter.csv")
    report = validate(root)
    assert [(table.name, table.rows) for table in report.tables] == [("table", 2)]
    assert report.tables[0].columns == ("id", "name")
    assert "(checked 2 rows in 1 table)" in report.summary()


def test_inline_data_is_checked(tmp_path):
    root, resource = package_of(tmp_path, "capital-invalid.csv", inline=True)
    theirs = frictionless.Resource(dict(resource)).validate(limit_errors=10**6)
    report = validate(root, rules=False)
    assert len(theirs.flatten(["type"])) > 0
    kinds = {kind for (kind,) in theirs.flatten(["type"])}
    assert all(any(f"frictionless: {kind}" in f.message for f in report.findings) for kind in kinds)


# --- Every Data Package v2 feature: bytes, hash, no schema, created, email (issue 12) ---

TABLE = b"id,name\n1,english\n2,french\n"
TABLE_SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]}


def package(tmp_path: Path, resource: dict, csv: bytes = TABLE, **descriptor) -> Path:
    """A one-table package: data/table.csv holding CSV, RESOURCE merged into its declaration."""
    root = tmp_path / "package"
    (root / "data").mkdir(parents=True)
    (root / "data/table.csv").write_bytes(csv)
    declared = {"name": "table", "path": "data/table.csv", "schema": TABLE_SCHEMA, **resource}
    declared = {key: value for key, value in declared.items() if value is not None}
    (root / "datapackage.json").write_text(json.dumps({**descriptor, "resources": [declared]}), encoding="utf-8")
    return root


def theirs_and_ours(root: Path) -> tuple[list[tuple[str, str, int | None, str]], list]:
    """frictionless' errors on the package, (type, file, row, note), and our findings, after
    checking that ours include each of theirs: a descriptor error at the JSON path frictionless
    names, a row error at its line, a file error on the file with frictionless' own type."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    paths = {resource["name"]: resource["path"] for resource in descriptor["resources"]}
    report = frictionless.validate(str(root / "datapackage.json"), limit_errors=10**6)
    theirs = [(error.type, "datapackage.json", None, error.note) for error in report.errors]
    theirs += [(error.type, paths[task.name], getattr(error, "row_number", None), error.note)
               for task in report.tasks for error in task.errors]
    ours = validate(root, rules=False).findings
    for kind, path, row, note in theirs:
        if path == "datapackage.json":  # note: property "contributors[].email" is not valid "email"
            named = re.search(r'property "([^"]+)"', note)
            prop = re.escape(named.group(1)).replace(r"\[\]", r"\[\d+\]") if named else ".*"
            found = [f for f in ours if f.path == path and f.rule == "descriptor_is_valid"
                     and re.match(rf"\$(\.resources\[\d+\])?\.{prop}: ", f.message)]
        elif row is not None:
            found = [f for f in ours if f.path == path and f.line == row]
        else:
            found = [f for f in ours if f.path == path and f"(frictionless: {kind})" in f.message]
        assert found, (kind, path, row, note, [f.message for f in ours])
    return theirs, ours


def digest(algorithm: str, data: bytes = TABLE) -> str:
    return hashlib.new(algorithm, data).hexdigest()


@pytest.mark.parametrize("declared", [
    {"bytes": len(TABLE) + 1},
    {"hash": "0" * 32},  # md5, the default algorithm
    {"hash": "md5:" + digest("md5", b"other")},
    {"hash": "sha256:" + digest("sha256", b"other")},
    {"bytes": 3, "hash": "sha256:" + "f" * 64},
])
def test_a_wrong_bytes_or_hash_is_reported_as_frictionless_reports_it(tmp_path, declared):
    root = package(tmp_path, declared)
    theirs, ours = theirs_and_ours(root)
    kinds = {"bytes": "byte-count", "hash": "hash-count"}
    assert sorted(kind for kind, *_ in theirs) == sorted(kinds[key] for key in declared)
    assert all(f.path == "data/table.csv" and f.line is None and f.rule == "frictionless_reports" for f in ours)
    assert len(ours) == len(theirs)


def test_a_wrong_hash_fails_the_command(tmp_path, capsys):
    from country_profiles.cli import main

    root = package(tmp_path, {"hash": "sha256:" + "0" * 64})
    assert main(["validate", str(root)]) == 1
    assert "data/table.csv: error [frictionless_reports] The data source does not match the expected hash count" \
        in capsys.readouterr().out


@pytest.mark.parametrize("declared", [
    {"bytes": len(TABLE), "hash": digest("md5")},
    {"bytes": len(TABLE), "hash": "md5:" + digest("md5")},
    {"hash": "sha256:" + digest("sha256")},
])
def test_right_bytes_and_hash_pass_both(tmp_path, declared):
    theirs, ours = theirs_and_ours(package(tmp_path, declared))
    assert theirs == [] and ours == []


def test_a_table_declaring_a_hash_is_still_read_by_the_fast_path(tmp_path):
    """frictionless compares the counts only; the rows are ours to check (and the rules')."""
    csv = b"id,name\n1,english\nx,french\n"
    root = package(tmp_path, {"bytes": 1, "hash": "sha256:" + digest("sha256", csv)}, csv)
    theirs, ours = theirs_and_ours(root)
    assert sorted((kind, row) for kind, _, row, _ in theirs) == [("byte-count", None), ("type-error", 3)]
    assert sorted((f.rule, f.line) for f in ours) == [("cell_has_field_type", 3), ("frictionless_reports", None)]
    assert validate(root, rules=False).package.tables["table"] is not None


@pytest.mark.parametrize("csv, expected", [
    (b"id,name\n" + b"".join(b"%d,n%d\n" % (i, i) for i in range(20)) + b"x,y\n", [("type-error", 22)]),
    (b"id,name\n1,english\n2,french,extra\n", [("extra-cell", 3)]),
    (TABLE, []),
])
def test_a_resource_without_schema_is_checked_with_the_schema_frictionless_infers(tmp_path, csv, expected):
    root = package(tmp_path, {"schema": None}, csv)
    theirs, ours = theirs_and_ours(root)
    assert [(kind, row) for kind, _, row, _ in theirs] == expected
    assert [f.line for f in ours] == [row for _, row in expected]


@pytest.mark.parametrize("descriptor, where", [
    ({"created": "2024-05-01"}, "$.created"),  # a date without a time
    ({"created": "2024-02-30T12:00:00Z"}, "$.created"),
    ({"created": "yesterday"}, "$.created"),
    ({"contributors": [{"title": "Ann", "email": "ann.example.com"}]}, "$.contributors[0].email"),
    ({"contributors": [{"title": "Ann"}, {"title": "Bob", "email": "bob@localhost"}]}, "$.contributors[1].email"),
    ({"sources": [{"title": "Factbook", "email": "Factbook <cia@example.gov>"}]}, "$.sources[0].email"),
])
def test_a_bad_created_or_email_is_a_descriptor_error_at_its_json_path(tmp_path, descriptor, where):
    theirs, ours = theirs_and_ours(package(tmp_path, {}, **descriptor))
    assert [kind for kind, *_ in theirs] == ["package-error"]
    assert [(f.rule, f.message.split(":")[0]) for f in ours] == [("descriptor_is_valid", where)]


def test_a_bad_email_of_a_resource_source_is_reported(tmp_path):
    theirs, ours = theirs_and_ours(package(tmp_path, {"sources": [{"title": "Factbook", "email": "a@b"}]}))
    assert len(theirs) == 1
    assert [f.message.split(":")[0] for f in ours] == ["$.resources[0].sources[0].email"]


@pytest.mark.parametrize("descriptor", [
    {"created": "1985-04-12T23:20:50.52Z", "contributors": [{"title": "Ann", "email": "ann+data@example.co.uk"}]},
    {"created": "2024-05-01T12:00:00+02:00", "sources": [{"title": "Factbook", "email": "données@exemple.fr"}]},
])
def test_a_good_created_and_email_pass_both(tmp_path, descriptor):
    theirs, ours = theirs_and_ours(package(tmp_path, {}, **descriptor))
    assert theirs == [] and ours == []


def test_created_needs_the_offset_rfc_3339_requires(tmp_path):
    """Stricter than frictionless, which accepts a local time: the v2 profile's date-time is RFC 3339."""
    root = package(tmp_path, {}, created="2024-05-01T12:00:00")
    assert frictionless.validate(str(root / "datapackage.json")).valid
    assert [f.message.split(":")[0] for f in validate(root, rules=False).findings] == ["$.created"]


def test_a_resource_without_schema_has_its_hash_checked_too(tmp_path):
    root = package(tmp_path, {"schema": None, "hash": "md5:" + digest("md5", b"other")})
    theirs, ours = theirs_and_ours(root)
    assert [kind for kind, *_ in theirs] == ["hash-count"] and len(ours) == 1


@pytest.mark.parametrize("declared", [{"bytes": -1}, {"bytes": "12"}, {"hash": 5}])
def test_a_count_of_the_wrong_type_is_one_descriptor_error(tmp_path, declared):
    findings = validate(package(tmp_path, declared), rules=False).findings
    assert [f.rule for f in findings] == ["descriptor_is_valid"]


@pytest.mark.parametrize("rows, expected", [(b"AA;1\nZZ;2\n", [("foreign-key", 3)]), (b"AA;1\nBB;2\n", [])])
def test_a_foreign_key_of_a_resource_frictionless_reads_resolves_in_the_package(tmp_path, rows, expected):
    root = tmp_path / "package"
    (root / "data").mkdir(parents=True)
    (root / "data/codes.csv").write_bytes(b"code\nAA\nBB\n")
    (root / "data/values.csv").write_bytes(b"code;value\n" + rows)
    key = {"fields": ["code"], "reference": {"resource": "codes", "fields": ["code"]}}
    resources = [
        {"name": "codes", "path": "data/codes.csv",
         "schema": {"fields": [{"name": "code", "type": "string"}], "primaryKey": ["code"]}},
        {"name": "values", "path": "data/values.csv", "dialect": {"delimiter": ";"},
         "schema": {"fields": [{"name": "code", "type": "string"}, {"name": "value", "type": "integer"}],
                    "foreignKeys": [key]}},
    ]
    (root / "datapackage.json").write_text(json.dumps({"resources": resources}), encoding="utf-8")
    theirs, ours = theirs_and_ours(root)
    assert [(kind, row) for kind, _, row, _ in theirs] == expected
    assert [(f.rule, f.line) for f in ours] == [("foreign_key_resolves", row) for _, row in expected]


@pytest.mark.parametrize("dialect, csv, expected", [
    ({"commentChar": "#"}, b"id,name\n# a note\n1,english\n", []),
    ({"commentChar": "#"}, b"id,name\n# a note\nx,english\n", [("type-error", 3)]),
    ({"commentRows": [2]}, b"id,name\nnot a row\n1,english\n", []),
    ({"headerCase": False}, b"ID,Name\n1,english\n", []),
    ({"skipBlankRows": True}, b"id,name\n\n1,english\n", []),
    ({"escapeChar": "\\"}, b"id,name\n1,english\\, french\n", []),
])
def test_a_csv_dialect_v2_option_is_read_as_frictionless_reads_it(tmp_path, dialect, csv, expected):
    theirs, ours = theirs_and_ours(package(tmp_path, {"dialect": dialect}, csv))
    assert [(kind, row) for kind, _, row, _ in theirs] == expected
    assert [f.line for f in ours] == [row for _, row in expected]


@pytest.mark.parametrize("fields_match", ["equal", "subset", "superset", "partial"])
@pytest.mark.parametrize("csv", [TABLE, b"name,id\nenglish,1\n", b"id\n1\n", b"id,name,extra\n1,english,x\n", b"zz\n1\n"])
def test_fields_match_is_read_as_frictionless_reads_it(tmp_path, fields_match, csv):
    theirs, ours = theirs_and_ours(package(tmp_path, {"schema": {**TABLE_SCHEMA, "fieldsMatch": fields_match}}, csv))
    assert len(ours) == len(theirs)


def test_fields_match_in_a_schema_file_hands_the_resource_to_frictionless(tmp_path):
    root = package(tmp_path, {"schema": "schema.json"}, b"name,id\nenglish,1\n")
    (root / "schema.json").write_text(json.dumps({**TABLE_SCHEMA, "fieldsMatch": "equal"}), encoding="utf-8")
    theirs, ours = theirs_and_ours(root)
    assert theirs == [] and ours == []
    (root / "schema.json").write_text(json.dumps({**TABLE_SCHEMA, "fieldsMatch": "exact"}), encoding="utf-8")
    assert [f.rule for f in validate(root, rules=False).findings][:1] == ["header_matches_schema"]


@pytest.mark.parametrize("descriptor, resource, where", [
    ({"profile": "tabular-data-package"}, {}, "$.resources[0]: 'profile' is a required property"),
    ({"missingValues": ["NA"]}, {}, "$.missingValues: 'missingValues' is not allowed here"),
    ({"fields": []}, {}, "$.fields: 'fields' is not allowed here"),
    ({"profile": "tabular-data-package"}, {"profile": "tabular-data-resource"}, None),
])
def test_what_frictionless_says_of_a_package_profile_and_misplaced_schema_keys(tmp_path, descriptor, resource, where):
    theirs, ours = theirs_and_ours(package(tmp_path, resource, **descriptor))
    assert len(theirs) == (1 if where else 0)
    assert [f.message for f in ours] == ([where] if where else [])


def test_a_row_frictionless_reports_is_shown_at_its_line_after_a_cell_spanning_lines(tmp_path):
    root = package(tmp_path, {"dialect": {"delimiter": ";"}}, b'id;name\n1;"two\nlines"\nx;french\n')
    report = frictionless.validate(str(root / "datapackage.json"))
    assert report.flatten(["type", "rowNumber"]) == [["type-error", 3]]  # the third record
    assert [(f.rule, f.line) for f in validate(root, rules=False).findings] == [("cell_has_field_type", 4)]


# --- The two descriptor formats refuse at least what frictionless refuses ---

EMAIL_PARTS = st.sampled_from(["a", "Z", "0", ".", "-", "_", "+", "@", " ", "é", "ü", '"', "<", ">", "xn--", "com", "..", "@@"])
DATE_TIME_PARTS = st.sampled_from(["2024", "-", "01", "12", "29", "T", "t", " ", ":", "00", "59", "60", "24", ".", "5",
                                   "Z", "z", "+", "+01:00", "-05:30", ",", "99"])


def edited(seed: str, parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """SEED with pieces inserted, removed or replaced at random places."""
    @st.composite
    def build(draw: st.DrawFn) -> str:
        text = seed
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(text)))
            cut = draw(st.integers(0, 2))
            text = text[:at] + draw(st.one_of(st.just(""), parts)) + text[at + cut:]
        return text
    return build()


@settings(max_examples=400, deadline=None)
@given(st.one_of(edited("joe.bloggs@example.com", EMAIL_PARTS), edited("é@bücher.de", EMAIL_PARTS)))
def test_an_email_frictionless_refuses_ours_refuses(value):
    from country_profiles.validation.package import _is_email

    frictionless_refuses = frictionless.fields.StringField(name="email", format="email").read_cell(value)[1] is not None
    assert not (frictionless_refuses and _is_email(value)), value


@settings(max_examples=400, deadline=None)
@given(st.one_of(edited("2024-02-29T23:59:59Z", DATE_TIME_PARTS), edited("1985-04-12T23:20:50.52+01:00", DATE_TIME_PARTS)))
def test_a_created_frictionless_refuses_ours_refuses(value):
    from country_profiles.validation.package import _is_date_time

    frictionless_refuses = frictionless.fields.DatetimeField(name="created").read_cell(value)[1] is not None
    assert not (frictionless_refuses and _is_date_time(value)), value


@pytest.mark.parametrize("path", ["../outside.csv", "data/link.csv"])
def test_a_declared_hash_opens_no_path_the_package_refuses(tmp_path, path):
    root = package(tmp_path, {"path": path, "hash": "0" * 32})
    (tmp_path / "outside.csv").write_bytes(TABLE)
    (root / "data/link.csv").symlink_to(tmp_path / "outside.csv")
    findings = validate(root, rules=False).findings
    assert [f.rule for f in findings] == ["resource_path_inside_package"]
