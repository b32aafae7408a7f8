"""docs/data-dictionary.md is generated from the package and fails the tests when it drifts."""

import csv
import runpy
from pathlib import Path

import pytest

from country_profiles import api, dictionary, generated
from country_profiles.cli import main

support = runpy.run_path(str(Path(__file__).parent / "fixtures" / "downstream" / "support.py"))
REPO = Path(__file__).resolve().parents[1]
SCHEMAS = support["schemas"](REPO)
RENDERED = dictionary.render(REPO)


def section(text: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of any level."""
    start = text.index(heading + "\n")
    following = text.find("\n#", start + len(heading))
    return text[start: following if following != -1 else len(text)]


def test_committed_dictionary_is_up_to_date():
    committed = (REPO / dictionary.TARGET).read_text(encoding="utf-8")
    diff = "".join(generated.stale_diff(committed, RENDERED, str(dictionary.TARGET)))
    assert committed == RENDERED, f"run `country-profiles dictionary --write`:\n{diff}"


@pytest.mark.parametrize(("table", "field"), [
    pytest.param(table, field, id=f"{table}.{field['name']}") for table, (_, s) in SCHEMAS.items() for field in s["fields"]
])
def test_every_field_is_described_with_its_type_dtype_unit_and_description(table, field):
    codes = api.code_fields({name: schema for name, (_, schema) in SCHEMAS.items()})[table]
    rows = [line for line in section(RENDERED, f"### {table}").splitlines() if line.startswith(f"| `{field['name']}` |")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split(" | ")]
    assert cells[1] == field.get("type", "string")
    assert cells[2] == f"`{api.field_dtype(field, field['name'] in codes)}`"
    assert cells[4] == field.get("unit", "")
    assert cells[6] == dictionary.cell(field.get("description", ""))
    if field.get("constraints", {}).get("required"):
        assert "required" in cells[5]


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_every_table_states_its_keys(table):
    text = section(RENDERED, f"### {table}")
    key = ", ".join(f"`{k}`" for k in api.primary_key(SCHEMAS[table][1]))
    assert f"- Primary key (the index of `load('{table}')`): {key}" in text
    for fields, referenced, referenced_fields in api.foreign_keys(SCHEMAS[table][1], table):
        assert f"`{referenced}.{', '.join(referenced_fields)}`" in text


def _indicators():
    with (REPO / "data/indicators.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", _indicators(), ids=lambda r: r["id"])
def test_every_indicator_is_listed_under_its_table(row):
    text = section(RENDERED, f"### {row['table']} indicators")
    expected = (f"| `{row['id']}` | `{row['unit']}` | {row['integer']} | {row['minimum']} | {row['maximum']} | "
                f"{dictionary.cell(row['description'])} |")
    assert expected in text


def test_dictionary_documents_the_versioning_policy():
    assert "**major**: a breaking change to a table's columns" in section(RENDERED, "## Versions")


def test_cells_escape_pipes_and_newlines():
    assert dictionary.cell("a|b\nc") == "a\\|b c"


@pytest.fixture
def package(tmp_path):
    root = support["make_package"](tmp_path / "package")
    return root


def test_check_fails_with_a_diff_when_stale_and_passes_after_write(package, capsys):
    (package / "docs").mkdir()
    target = package / dictionary.TARGET
    target.write_text("# Data dictionary\n\nold text\n", encoding="utf-8")
    assert main(["dictionary", "--check", "--package", str(package)]) == 1
    captured = capsys.readouterr()
    assert "-old text" in captured.out and "+## Versions" in captured.out
    assert "is stale: run `country-profiles dictionary --write`" in captured.err
    assert main(["dictionary", "--write", "--package", str(package)]) == 0
    assert main(["dictionary", "--check", "--package", str(package)]) == 0
    assert "`tanks`" in target.read_text(encoding="utf-8")  # the fixture's own indicators


def test_check_notices_a_schema_change(package, capsys):
    assert main(["dictionary", "--write", "--package", str(package)]) == 0
    schema = package / "schemas/borders.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("Length of the land boundary", "Length of the border"),
                      encoding="utf-8")
    assert main(["dictionary", "--check", "--package", str(package)]) == 1
    assert "+| `length_km` | number | `float64` | NUMERIC | km | ≥ 0 | Length of the border" in capsys.readouterr().out


def test_without_options_it_prints_the_dictionary(capsys):
    assert main(["dictionary", "--package", str(REPO)]) == 0
    assert capsys.readouterr().out == RENDERED


def test_write_and_check_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        main(["dictionary", "--write", "--check"])


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_every_table_lists_its_rules_as_the_named_checks_of_its_pandera_schema(table):
    import country_profiles as cp

    checks = cp.schema(table).checks
    line = next((l for l in section(RENDERED, f"### {table}").splitlines() if l.startswith("- Rules, named checks")), "")
    assert [part.split("`")[1] for part in line.split(": ", 1)[1].split(", ")] == [c.name for c in checks] if checks else not line
