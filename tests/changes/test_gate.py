"""`itsmctl changes gate` acceptance tests on the example catalog, at fixed times: inside
and outside windows, a freeze and its edge, both daylight-saving changes, templates that
do not fit, `--change`, and every way the question cannot be asked (docs/changes.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.changes.helpers import example_repo
from tests.helpers import ROOT

KEYS = {"service", "template", "change", "at", "until", "allowed", "reasons", "window",
        "nextOpening"}


def gate(run, *args: str, repo: Path = ROOT) -> tuple[int, dict]:
    code, out, err = run("--repo", str(repo), "changes", "gate", *args, "--format", "json")
    assert err == ""
    return code, json.loads(out)


def rules(answer: dict) -> list[tuple[str, str]]:
    return [(r["severity"], r["rule"]) for r in answer["reasons"]]


def test_a_pre_approved_change_inside_its_window(run) -> None:
    code, answer = gate(run, "firewall", "--at", "2026-12-06T02:30:00+01:00")
    assert code == 0 and set(answer) == KEYS
    assert answer | {"reasons": []} == {
        "service": "firewall", "template": "firewall-rule-change", "change": None,
        "at": "2026-12-06T02:30:00+01:00", "until": "2026-12-06T03:30:00+01:00",
        "allowed": True, "reasons": [],
        "window": {"name": "sunday-early", "start": "2026-12-06T02:00:00+01:00",
                   "end": "2026-12-06T06:00:00+01:00"},
        "nextOpening": None}
    assert rules(answer) == [("warning", "change-collision")]  # chg-2026-0142 until 03:00
    assert "chg-2026-0142" in answer["reasons"][0]["message"]


def test_text_output_names_the_window_and_every_reason(run) -> None:
    code, out, _ = run("--repo", str(ROOT), "changes", "gate", "firewall", "--at",
                       "2026-12-24T10:00:00+01:00")
    assert code == 1
    assert out.splitlines() == [
        "not allowed: standard change firewall-rule-change on firewall, "
        "2026-12-24T10:00+01:00 to 2026-12-24T11:00+01:00",
        "error: the change (2026-12-24T10:00+01:00 to 2026-12-24T11:00+01:00) is not inside a "
        "maintenance window of service 'firewall' (sunday-early; next: sunday-early "
        "2026-12-27T02:00+01:00 to 2026-12-27T06:00+01:00) [change-window]",
        "error: the change (2026-12-24T10:00+01:00 to 2026-12-24T11:00+01:00) overlaps freeze "
        "'year-end-2026' (2026-12-18T00:00+01:00 to 2027-01-05T00:00+01:00), which covers "
        "firewall (tier 1) [change-freeze]",
        "next opening: 2027-01-10T02:00+01:00"]


def test_the_freeze_edge(run) -> None:
    # dns-record-change: 30m, no window required. Ending exactly when the freeze starts is
    # allowed; a minute later is not, and the next opening is when the freeze ends.
    code, answer = gate(run, "dns-dhcp", "--at", "2026-12-17T23:30:00+01:00")
    assert (code, answer["until"]) == (0, "2026-12-18T00:00:00+01:00")
    assert rules(answer) == [("warning", "change-window")]
    code, answer = gate(run, "dns-dhcp", "--at", "2026-12-17T23:31:00+01:00")
    assert code == 1
    assert rules(answer) == [("error", "change-freeze"), ("warning", "change-window")]
    assert answer["nextOpening"] == "2027-01-05T00:00:00+01:00"
    code, answer = gate(run, "dns-dhcp", "--at", "2027-01-05T00:00:00+01:00")
    assert code == 0


def test_spring_forward(run) -> None:
    # 2027-03-28: 02:00 does not exist in Berlin; the Sunday 02:00 window starts at
    # 02:00+01:00, i.e. 03:00+02:00, and lasts 4 real hours.
    code, answer = gate(run, "firewall", "--at", "2027-03-28T03:00:00+02:00")
    assert code == 0
    assert answer["window"] == {"name": "sunday-early", "start": "2027-03-28T03:00:00+02:00",
                                "end": "2027-03-28T07:00:00+02:00"}
    code, answer = gate(run, "firewall", "--at", "2027-03-28T01:30:00+01:00")
    assert (code, answer["nextOpening"]) == (1, "2027-03-28T03:00:00+02:00")
    code, answer = gate(run, "firewall", "--at", "2027-03-28T06:00:00+02:00")
    assert (code, answer["until"]) == (0, "2027-03-28T07:00:00+02:00")


def test_fall_back(run) -> None:
    # 2026-10-25: 02:00 happens twice; the window starts at the first and lasts 4 real
    # hours, to 05:00+01:00.
    code, answer = gate(run, "firewall", "--at", "2026-10-25T04:00:00+01:00")
    assert (code, answer["window"]["start"], answer["window"]["end"]) == (
        0, "2026-10-25T02:00:00+02:00", "2026-10-25T05:00:00+01:00")
    code, answer = gate(run, "firewall", "--at", "2026-10-25T04:30:00+01:00")
    assert (code, answer["window"], answer["nextOpening"]) == (
        1, None, "2026-11-01T02:00:00+01:00")


def test_templates_that_do_not_fit(run) -> None:
    code, answer = gate(run, "erp", "--template", "firewall-rule-change", "--at",
                        "2027-01-09T06:00:00+01:00")
    assert code == 1 and answer["nextOpening"] is None  # no time would make it fit
    assert ("error", "change-template") in rules(answer)
    assert "does not list service 'erp'" in answer["reasons"][0]["message"]
    code, answer = gate(run, "database-hosting", "--at", "2026-12-06T02:00:00+01:00",
                        "--duration", "3h")
    assert code == 1 and rules(answer) == [("error", "change-template")]
    code, answer = gate(run, "fax-gateway", "--at", "2026-12-06T02:00:00+01:00")
    assert (code, answer["template"], rules(answer)) == (1, None, [("error", "change-template")])


def test_a_change_request_instead_of_a_template(run, make_repo) -> None:
    code, answer = gate(run, "firewall", "--change", "chg-2026-0142", "--at",
                        "2026-12-06T02:15:00+01:00")
    assert (code, answer["change"], answer["until"]) == (
        0, "chg-2026-0142", "2026-12-06T03:00:00+01:00")
    code, answer = gate(run, "firewall", "--change", "chg-2026-0142", "--at",
                        "2026-12-06T01:00:00+01:00")
    assert (code, rules(answer), answer["nextOpening"]) == (
        1, [("error", "change-gate")], "2026-12-06T02:00:00+01:00")
    code, answer = gate(run, "dns-dhcp", "--change", "chg-2026-0142", "--at",
                        "2026-12-06T02:15:00+01:00")
    assert code == 1 and "does not list service 'dns-dhcp'" in answer["reasons"][0]["message"]
    # A normal change needs its approval (status scheduled) first.
    code, answer = gate(run, "erp", "--change", "chg-2026-0150", "--at",
                        "2027-01-09T06:00:00+01:00")
    assert code == 1 and "needs approval" in answer["reasons"][0]["message"]
    text = (ROOT / "changes/CHG-2026-0150.yaml").read_text()
    repo = example_repo(make_repo, {"changes/CHG-2026-0150.yaml": text.replace(
        "status: requested", "status: scheduled")})
    code, answer = gate(run, "erp", "--change", "chg-2026-0150", "--at",
                        "2027-01-09T06:00:00+01:00", repo=repo)
    assert code == 0 and answer["window"]["name"] == "monthly-patch"


@pytest.mark.parametrize(("args", "message"), [
    (["erpp"], "unknown service 'erpp' (did you mean 'erp'?)"),
    (["erp", "--template", "firewal-rule-change"],
     "unknown standard-change template 'firewal-rule-change' (did you mean "
     "'firewall-rule-change'?)"),
    (["erp", "--change", "chg-2026-0150", "--template", "certificate-renewal"],
     "--change and --template ask different questions: give one"),
    (["erp", "--change", "chg-2026-015"], "unknown change request 'chg-2026-015'"),
    (["kubernetes-platform", "--change", "chg-2026-0131"],
     "change request 'chg-2026-0131' is implemented: only requested or scheduled changes"),
    (["erp", "--at", "next tuesday"], "--at: 'next tuesday' is not an ISO 8601 date-time"),
    (["erp", "--duration", "1 hour"], "--duration: '1 hour' is not a duration"),
    (["erp", "--duration", "0m"], "--duration: must be longer than 0m"),
])
def test_questions_that_cannot_be_answered_exit_2(run, args: list[str], message: str) -> None:
    code, out, err = run("--repo", str(ROOT), "changes", "gate", *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"itsmctl: error: {message}")
    assert "Traceback" not in err


def test_a_broken_catalog_is_no_answer(run, make_repo) -> None:
    """A freeze that does not load must not let a deployment through: exit 2."""
    repo = make_repo({"catalog/freeze.yaml": "apiVersion: itsmctl/v1\nkind: ChangeFreeze\n"
                                             "metadata: {name: f}\nspec: {start: soon}\n"})
    code, out, err = run("--repo", str(repo), "changes", "gate", "mail")
    assert (code, out) == (2, "")
    assert "the catalog has 2 errors (first: catalog/freeze.yaml:" in err
    assert "hint: run `itsmctl check`" in err


def test_now_is_the_default(run) -> None:
    code, answer = gate(run, "firewall")
    assert code in (0, 1) and answer["template"] == "firewall-rule-change"


def test_the_repository_s_rule_settings_count_as_in_check(run, make_repo) -> None:
    """itsmctl.yaml's `rules:` apply to the gate as to `check`: a window made a warning lets
    the change through; a rule turned off is not a reason."""
    settings = "rules:\n  change-window: warning\n  change-collision: off\n"
    repo = example_repo(make_repo, {"itsmctl.yaml": settings})
    code, answer = gate(run, "firewall", "--at", "2026-12-01T20:00:00+01:00", repo=repo)
    assert (code, rules(answer)) == (0, [("warning", "change-window")])
    code, answer = gate(run, "firewall", "--at", "2026-12-06T02:30:00+01:00", repo=repo)
    assert (code, rules(answer)) == (0, [])


def test_errors_of_rules_made_warnings_do_not_stop_the_gate(run, make_repo) -> None:
    broken = {"catalog/x.yaml": "apiVersion: itsmctl/v1\nkind: CatalogItem\n"
                                "metadata: {name: x}\nspec: {service: nothing}\n"}
    code, _, err = run("--repo", str(make_repo(broken)), "changes", "gate", "mail")
    assert code == 2 and "[unknown-reference]" in err
    repo = make_repo({**broken, "itsmctl.yaml": "rules:\n  unknown-reference: warning\n"},
                     name="warned")
    code, _, err = run("--repo", str(repo), "changes", "gate", "mail", "--at",
                       "2027-01-31T02:00:00+01:00", "--duration", "30m")
    assert (code, err) == (0, "")


def test_an_in_flight_change_request_that_cannot_be_read_is_not_passed_over(
        run, make_repo) -> None:
    """chg-2026-0142 (firewall) with a start that is no date: the gate cannot tell whether
    it collides, and says so as the collision would be said (a warning: allowed); where
    collisions refuse (`rules:`), so does the unknown one."""
    text = (ROOT / "changes/CHG-2026-0142.yaml").read_text().replace(
        'start: "2026-12-06T02:00:00+01:00"', 'start: "2026-13-45"')
    broken = {"changes/CHG-2026-0142.yaml": text}
    repo = example_repo(make_repo, broken)
    code, answer = gate(run, "firewall", "--at", "2026-12-06T02:30:00+01:00", repo=repo)
    assert (code, answer["allowed"], rules(answer)) == (
        0, True, [("warning", "change-collision")])
    message = answer["reasons"][0]["message"]
    assert message.startswith("scheduled change request chg-2026-0142 also changes service "
                              "firewall, but its period cannot be read (start: month must "
                              "be in 1..12; changes/CHG-2026-0142.yaml)")
    assert message.endswith("so whether it overlaps the change cannot be judged")
    (repo / "itsmctl.yaml").write_text("rules:\n  change-collision: error\n")
    code, answer = gate(run, "firewall", "--at", "2026-12-06T02:30:00+01:00", repo=repo)
    assert (code, answer["allowed"], rules(answer)) == (
        1, False, [("error", "change-collision")])
    (repo / "itsmctl.yaml").write_text("rules:\n  change-collision: off\n")
    code, answer = gate(run, "firewall", "--at", "2026-12-06T02:30:00+01:00", repo=repo)
    assert (code, answer["allowed"], answer["reasons"]) == (0, True, [])
