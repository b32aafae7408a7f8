"""thresholds.json: valid against its JSON Schema, every entry used by a rule and explained."""

import copy
import json

import jsonschema
import pytest
from rules_helpers import REPO

from country_profiles.validation.rules import CHECKS, THRESHOLDS_PATH, load_thresholds

SCHEMA = json.loads((REPO / "schemas" / "thresholds.schema.json").read_text(encoding="utf-8"))
DOCUMENT = json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))


def test_file_is_valid_against_its_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(DOCUMENT, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_schema_reference_resolves():
    assert (THRESHOLDS_PATH.parent / DOCUMENT["$schema"]).resolve() == (REPO / "schemas" / "thresholds.schema.json")


@pytest.mark.parametrize(
    ("label", "change"),
    [
        pytest.param("no why", lambda t: t["area_tolerance_km2"].pop("why"), id="missing-why"),
        pytest.param("negative", lambda t: t["area_tolerance_km2"].update(value=-1), id="negative-value"),
        pytest.param("text value", lambda t: t["area_tolerance_km2"].update(value="1"), id="text-value"),
        pytest.param("bad key", lambda t: t.update({"Bad-Key": {"value": 1, "why": "x" * 30}}), id="bad-key"),
        pytest.param("extra", lambda t: t["area_tolerance_km2"].update(note="x"), id="extra-property"),
    ],
)
def test_schema_rejects_a_broken_entry(label, change):
    broken = copy.deepcopy(DOCUMENT)
    change(broken["thresholds"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_every_threshold_is_used_by_a_rule():
    declared = {key for check in CHECKS for key in check.thresholds}
    assert set(load_thresholds()) - declared == set(), "thresholds no rule uses"


def test_every_declared_threshold_exists():
    declared = {key for check in CHECKS for key in check.thresholds}
    assert declared - set(load_thresholds()) == set(), "rules declare thresholds the file lacks"
