"""Every rule id has a negative fixture with the exact path:line:col it must report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from itsmctl.rules import RULES
from tests.helpers import FIXTURES, NOW

CASES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())
# Rules that `check` never reports, and the tests that show them instead.
NOT_FROM_CHECK = {"policy-test": "tests/policy/test_testing.py",
                  "change-gate": "tests/changes/test_gate.py"}


def test_every_rule_has_a_negative_fixture() -> None:
    covered = {case.name for case in CASES}
    assert set(RULES) - set(NOT_FROM_CHECK) <= covered
    assert covered <= set(RULES)


def test_valid_fixture_is_clean(run, make_repo) -> None:
    code, out, _ = run("--repo", str(make_repo()), "check", "--now", NOW)
    assert code == 0, out
    assert out.startswith("No problems")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_negative_fixture(case: Path, run, make_repo) -> None:
    repo = make_repo(overlay=case)
    (repo / "expected.txt").unlink()
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW, "--format", "json")
    diagnostics = json.loads(out)
    found = [f"{d['path']}:{d['line']}:{d['column']}: {d['rule']}" for d in diagnostics]
    expected = (case / "expected.txt").read_text().split("\n")
    assert found == [line for line in expected if line]
    assert case.name in {line.rsplit(" ", 1)[1] for line in found}
    errors = [d for d in diagnostics if d["severity"] == "error" and not d.get("suppressed")]
    assert code == (1 if errors else 0)
