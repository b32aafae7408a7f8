"""Conformance with frictionless on its own fixture files: every error frictionless reports,
ours reports too (same file and line), without a crash and without a flood. The fixtures use
what the fast path reads (a comma CSV) and what it hands to frictionless (another delimiter,
inline data), each with the schema frictionless infers for it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from country_profiles.validation import validate

frictionless = pytest.importorskip("frictionless")
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


def test_inline_data_is_checked(tmp_path):
    root, resource = package_of(tmp_path, "capital-invalid.csv", inline=True)
    theirs = frictionless.Resource(dict(resource)).validate(limit_errors=10**6)
    report = validate(root, rules=False)
    assert len(theirs.flatten(["type"])) > 0
    kinds = {kind for (kind,) in theirs.flatten(["type"])}
    assert all(any(f"frictionless: {kind}" in f.message for f in report.findings) for kind in kinds)
