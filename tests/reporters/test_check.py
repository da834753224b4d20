"""One golden file per output format; SARIF validated against the official schema.

Regenerate the goldens after an intended change: UPDATE_GOLDEN=1 pytest tests/reporters
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from itsmctl.reporters.check import REPORTERS
from tests.helpers import DATA, FIXTURES, GOLDEN, NOW

SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"
BROKEN = {
    "catalog/broken.yaml": (
        "apiVersion: itsmctl/v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n"
        "  owner: opps\n  tier: 9\n  lifecycle: production\n  sla: std\n"
        "  workflows: {incident: inc}\n  colour: blue\n"),
    "catalog/calendar.yaml": (
        "apiVersion: itsmctl/v1\nkind: Calendar\nmetadata:\n  name: norway\nspec:\n"
        "  timezone: Europe/Oslo\n  always: true\n  publicHolidays: {country: NO}\n"),
    "catalog/dup.yaml": "a: 1\na: 2\n",
}


def render(run, make_repo, fmt: str, name: str = "") -> str:
    repo = make_repo(BROKEN, name=f"repo-{fmt}{name}")
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW, "--format", fmt)
    assert code == 1
    return out


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_golden(fmt: str, run, make_repo) -> None:
    out = render(run, make_repo, fmt)
    golden = GOLDEN / f"check.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(out)
    assert out == golden.read_text()


def test_sarif_is_valid_sarif_2_1_0(run, make_repo) -> None:
    log = json.loads(render(run, make_repo, "sarif"))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"unknown-field", "schema", "duplicate-key"}


def test_junit_has_one_case_per_file(run, make_repo) -> None:
    suites = ET.fromstring(render(run, make_repo, "junit"))
    cases = {c.get("name"): c for c in suites.iter("testcase")}
    assert set(cases) >= {"catalog/base.yaml", "catalog/broken.yaml", "catalog/dup.yaml"}
    assert cases["catalog/base.yaml"].find("failure") is None
    assert cases["catalog/broken.yaml"].find("failure") is not None


def test_yaml11_hint_for_unquoted_country(run, make_repo) -> None:
    out = render(run, make_repo, "text")
    assert 'YAML reads unquoted NO as a boolean; quote it ("NO") for text' in out


def test_text_colour_only_when_asked(run, make_repo, monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[" in render(run, make_repo, "text")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in render(run, make_repo, "text", "-again")


def test_fixture_base_is_shared(run) -> None:
    assert (FIXTURES / "valid" / "catalog" / "base.yaml").is_file()
