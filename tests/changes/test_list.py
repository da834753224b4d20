"""`itsmctl changes list`: every change request of the example with its outcome; a blocked
one exits 1; golden outputs (UPDATE_GOLDEN=1 pytest tests/changes)."""

from __future__ import annotations

import json
import os

import pytest

from tests.changes.helpers import PLANS, change, example_repo
from tests.helpers import GOLDEN, NOW, ROOT


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_golden(run, fmt: str) -> None:
    code, out, err = run("--repo", str(ROOT), "changes", "list", "--now", NOW, "--format", fmt)
    assert (code, err) == (0, "")
    golden = GOLDEN / f"changes-list.{'txt' if fmt == 'text' else fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()


def test_the_example_shows_every_outcome_but_blocked(run) -> None:
    _, out, _ = run("--repo", str(ROOT), "changes", "list", "--now", NOW, "--format", "json")
    outcomes = {c["name"]: c["outcome"] for c in json.loads(out)["changeRequests"]}
    assert outcomes == {"chg-2026-0131": None, "chg-2026-0142": "pre-approved",
                        "chg-2026-0150": "needs-approval"}


def test_a_blocked_change_exits_1_with_its_reasons(run, make_repo) -> None:
    repo = example_repo(make_repo, {"changes/chg-x.yaml": change(
        "chg-x", "standard", "erp, payroll", "2026-12-24", "2026-12-28",
        template="firewall-rule-change", timezone="Europe/Berlin")})
    code, out, _ = run("--repo", str(repo), "changes", "list", "chg-x", "--now", NOW)
    assert code == 1
    lines = out.splitlines()
    assert lines[1].split()[:4] == ["chg-x", "standard", "requested", "blocked"]
    assert [line.split(": ")[0].strip() + " " + line.rsplit("[", 1)[1] for line in lines[2:-1]
            ] == ["changes/chg-x.yaml:7:14 change-template]",  # erp: not the template's
                  "changes/chg-x.yaml:7:19 change-template]",  # payroll: nor that
                  "changes/chg-x.yaml:8:10 change-freeze]",  # the start: year-end
                  "changes/chg-x.yaml:8:10 change-window]",  # erp: no window lasts 5 days
                  "changes/chg-x.yaml:8:10 change-window]",  # payroll: nor for it
                  "changes/chg-x.yaml:9:8 change-template]"]  # the end: over maxDuration 1h
    assert lines[-1] == "1 change request: 1 blocked"


def test_an_emergency_change_in_a_freeze_that_allows_none(run, make_repo) -> None:
    freeze = (ROOT / "catalog/freezes/year-end-2026.yaml").read_text()
    repo = example_repo(make_repo, {
        "catalog/freezes/year-end-2026.yaml": freeze.replace("allowEmergency: true",
                                                             "allowEmergency: false"),
        "changes/chg-e.yaml": change("chg-e", "emergency", "payroll",
                                     "2026-12-27T02:00:00+01:00", "2026-12-27T03:00:00+01:00",
                                     **PLANS)})
    code, out, _ = run("--repo", str(repo), "changes", "list", "chg-e", "--now", NOW,
                       "--format", "json")
    [entry] = json.loads(out)["changeRequests"]
    assert (code, entry["outcome"]) == (1, "blocked")
    assert [(p["rule"], p["line"], p["column"]) for p in entry["problems"]] == [
        ("change-freeze", 8, 10), ("change-window", 8, 10)]
    assert entry["problems"][0]["message"].endswith("the freeze does not allow emergency changes")


def test_unknown_names_exit_2(run) -> None:
    code, _, err = run("--repo", str(ROOT), "changes", "list", "chg-2026-014")
    assert code == 2 and "unknown change request 'chg-2026-014' (did you mean" in err


UNREADABLE_START = (ROOT / "changes/CHG-2026-0142.yaml").read_text().replace(
    'start: "2026-12-06T02:00:00+01:00"', 'start: "2026-13-45"')


def test_an_unreadable_period_is_reported_where_and_as_check_does(run, make_repo) -> None:
    """A start that is no date: `changes list` names the field and says what `check` says
    (not the end, without the field's name)."""
    assert 'start: "2026-13-45"' in UNREADABLE_START
    repo = example_repo(make_repo, {"changes/CHG-2026-0142.yaml": UNREADABLE_START})
    _, checked, _ = run("--repo", str(repo), "check", "--now", NOW)
    expected = "changes/CHG-2026-0142.yaml:11:10: error: start: month must be in 1..12 " \
               "[time-order]"
    assert expected in checked.splitlines()
    code, out, _ = run("--repo", str(repo), "changes", "list", "chg-2026-0142", "--now", NOW)
    assert code == 1
    assert out.splitlines()[1].split()[:6] == ["chg-2026-0142", "standard", "scheduled",
                                               "blocked", "?", "?"]
    assert out.splitlines()[2:-1] == [f"    {expected}"]


def test_both_ends_unreadable_are_both_reported(run, make_repo) -> None:
    text = UNREADABLE_START.replace('end: "2026-12-06T03:00:00+01:00"', 'end: "2026-12-32"')
    repo = example_repo(make_repo, {"changes/CHG-2026-0142.yaml": text})
    _, checked, _ = run("--repo", str(repo), "check", "--now", NOW, "--format", "json")
    code, out, _ = run("--repo", str(repo), "changes", "list", "chg-2026-0142", "--now", NOW,
                       "--format", "json")
    [entry] = json.loads(out)["changeRequests"]
    found = [(p["line"], p["column"], p["message"]) for p in entry["problems"]]
    assert code == 1 and [line for line, _, _ in found] == [11, 12]
    assert found[0][2] == "start: month must be in 1..12" and found[1][2].startswith("end: ")
    assert found == [(d["line"], d["column"], d["message"])
                     for d in json.loads(checked)
                     if d["path"] == "changes/CHG-2026-0142.yaml"]
