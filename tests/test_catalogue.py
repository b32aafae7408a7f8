"""The rule catalogue: complete, in step with docs/rules.md, and keeping its hand-written part."""

import argparse

import pytest

from country_profiles import generated
from country_profiles.cli import main
from country_profiles.validation import catalogue
from country_profiles.validation.rules import CHECKS, threshold_entries


def all_rules():
    return [rule for _, rules in catalogue.sections() for rule, _ in rules]


def test_docs_rules_md_is_up_to_date():
    path = catalogue.DEFAULT_PATH
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    wanted = catalogue.expected(path)
    assert current == wanted, (
        "docs/rules.md is stale; run `country-profiles rules --write`:\n"
        + "".join(generated.stale_diff(current, wanted, "docs/rules.md"))
    )


def test_catalogue_lists_every_rule_once():
    ids = [rule.id for rule in all_rules()]
    assert len(ids) == len(set(ids)), "two rule sets share an id"
    text = catalogue.render()
    for rule in all_rules():
        assert f"### `{rule.id}` ({rule.severity})" in text


def test_catalogue_covers_the_structure_layer_when_it_exists():
    for title, rules in catalogue.other_rule_sets():
        assert any(t == title and [r for r, _ in listed] == list(rules) for t, listed in catalogue.sections())


def test_catalogue_shows_each_rules_thresholds_with_values():
    text = catalogue.render()
    entries = threshold_entries()
    check = next(c for c in CHECKS if c.id == "equipment_per_soldier_is_plausible")
    section = text.split(f"### `{check.id}`")[1].split("###")[0]
    for key in check.thresholds:
        assert f"`{key}` = {catalogue._value(entries[key]['value'])}" in section


def test_hand_written_part_survives_regeneration(tmp_path):
    path = tmp_path / "rules.md"
    path.write_text(catalogue.render("Hungary's list is a census with multiple answers."), encoding="utf-8")
    assert catalogue.run(argparse.Namespace(path=path, write=True, check=False)) == 0
    assert "Hungary's list is a census with multiple answers." in path.read_text(encoding="utf-8")


def test_check_reports_a_stale_file_with_a_diff(tmp_path, capsys):
    path = tmp_path / "rules.md"
    path.write_text(catalogue.render().replace("(error)", "(fatal)", 1), encoding="utf-8")
    assert catalogue.run(argparse.Namespace(path=path, write=False, check=True)) == 1
    out = capsys.readouterr()
    assert "-### `" in out.out and "(fatal)" in out.out
    assert "is stale" in out.err
    path.write_text(catalogue.render(), encoding="utf-8")
    assert catalogue.run(argparse.Namespace(path=path, write=False, check=True)) == 0


def test_check_reports_a_missing_file(tmp_path):
    assert catalogue.run(argparse.Namespace(path=tmp_path / "none.md", write=False, check=True)) == 1


def test_command_prints_the_catalogue(capsys):
    assert main(["rules"]) == 0
    assert capsys.readouterr().out.startswith("# Rule catalogue")


def test_write_and_check_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["rules", "--write", "--check"])
    assert exit_.value.code == 2


def test_data_rules_are_rendered_from_the_named_checks_of_the_pandera_schemas():
    import country_profiles as cp

    text = catalogue.render()
    for check in CHECKS:
        tables = [t for t in check.rule.tables if check.id in {c.name for c in cp.schema(t).checks}]
        assert tables == list(check.rule.tables)  # every table the rule reads holds it as a check
        named = next(c for c in cp.schema(tables[0]).checks if c.name == check.id)
        entry = text.split(f"### `{check.id}` ({check.rule.severity})", 1)[1].split("\n### ", 1)[0]
        assert named.description in entry
        line = next(l for l in entry.splitlines() if l.startswith("- Pandera: a named check of "))
        assert sorted(line.split("of ", 1)[1].split(", ")) == sorted(f"`cp.schema({t!r})`" for t in tables)
