"""The README's worked example: the password-spray detector in examples/ run against the
Graph API of a server with the scenario placed, graded by the answer key; and the keys
match the scenarioKey schema openapi.yaml documents."""

import importlib.util
import subprocess
import sys

import jsonschema
import pytest
import yaml

from conftest import ROOT, SPEC, Server

EXAMPLE = ROOT / "examples" / "detect_password_spray.py"
SCENARIOS = "password-spray,impossible-travel,mfa-fatigue,leaked-client-secret"


@pytest.fixture(scope="module")
def placed():
    srv = Server("--throttle", "off", "--scenario", SCENARIOS, https=False)
    yield srv
    srv.stop()


def load_example():
    spec = importlib.util.spec_from_file_location("detect_password_spray", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_spray_detector_finds_exactly_the_sign_ins_the_key_lists(placed):
    example = load_example()
    key = next(k for k in placed.get("/_entrasim/scenarios").json()["value"] if k["scenario"] == "password-spray")
    expected = set(key["records"]["signIns"])
    flagged = example.detect(example.failed_password_sign_ins(placed.http, "2026-05-25T00:00:00Z"))
    assert example.grade(flagged, expected) == (1.0, 1.0)
    # Without the scenario's failures the same rule flags nothing: the noise alone is no spray.
    noise = [r for r in example.failed_password_sign_ins(placed.http, "2026-05-25T00:00:00Z") if r["id"] not in expected]
    assert example.detect(noise) == set()


def test_the_example_prints_its_precision_and_recall(placed):
    out = subprocess.run([sys.executable, str(EXAMPLE), placed.http], capture_output=True, text=True, check=True).stdout
    assert "precision 1.000  recall 1.000" in out, out


def test_every_key_matches_the_documented_schema(placed):
    spec = yaml.safe_load(SPEC.read_text())
    schema = {"$ref": "#/components/schemas/scenarioKeyCollection", "components": spec["components"]}
    listing = placed.get("/_entrasim/scenarios").json()
    assert len(listing["value"]) == 4
    jsonschema.validate(listing, schema, cls=jsonschema.Draft202012Validator)
