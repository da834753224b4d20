"""The judgement of change requests (docs/changes.md#the-rules), case by case: freezes and
their scopes, emergency changes, half-open periods, windows across daylight-saving
changes, whole days, collisions. Positions are the rule fixtures' (tests/fixtures)."""

from __future__ import annotations

import pytest

from itsmctl.changes.outcome import Outcome, evaluate
from itsmctl.model.typed import ChangeRequest
from tests.changes.helpers import NOW, PLANS, change, read

FREEZES = """\
apiVersion: itsmctl/v1
kind: ChangeFreeze
metadata: {name: everything}
spec: {start: "2027-02-01", end: "2027-02-01", timezone: Europe/Berlin}
---
apiVersion: itsmctl/v1
kind: ChangeFreeze
metadata: {name: web-only}
spec: {start: "2027-03-01", end: "2027-03-02", timezone: Europe/Berlin, scope: {services: [web]}}
"""


def judged(make_repo, *documents: str, freezes: bool = False, name: str = "repo"
           ) -> dict[str, list[str]]:
    """Each change request's problems as 'severity rule: message'."""
    files = {f"changes/c{i}.yaml": text for i, text in enumerate(documents)}
    if freezes:
        files["catalog/freezes.yaml"] = FREEZES
    catalog = read(make_repo(files, name=name)).catalog
    return {name: [f"{d.severity.value} {d.rule}: {d.message}"
                   for d in evaluate(catalog, c, NOW).problems]
            for name, c in catalog.typed(ChangeRequest).items() if name != "chg-1"}


def rules(found: list[str]) -> list[str]:
    return [line.split(":")[0] for line in found]


def test_a_freeze_without_scope_covers_every_service_and_a_service_scope_only_those(
        make_repo) -> None:
    found = judged(make_repo,
                   change("a", "normal", "web", "2027-02-01T10:00:00+01:00",
                          "2027-02-01T11:00:00+01:00", **PLANS),
                   change("b", "normal", "mail", "2027-03-01T10:00:00+01:00",
                          "2027-03-01T11:00:00+01:00", **PLANS),
                   change("c", "normal", "web", "2027-03-02T23:00:00+01:00",
                          "2027-03-03T01:00:00+01:00", **PLANS), freezes=True)
    [freeze] = [line for line in found["a"] if line.startswith("error change-freeze")]
    assert freeze.endswith("overlaps freeze 'everything' (2027-02-01T00:00+01:00 to "
                           "2027-02-02T00:00+01:00), which covers web")
    assert "error change-freeze" not in rules(found["b"])  # mail is not in web-only's scope
    assert "error change-freeze" in rules(found["c"])  # the freeze's last day is whole


def test_emergency_changes_pass_freezes_that_allow_them(make_repo) -> None:
    found = judged(make_repo, change("a", "emergency", "mail", "2026-12-24T10:00:00+01:00",
                                     "2026-12-24T11:00:00+01:00", **PLANS))
    assert "error change-freeze" not in rules(found["a"])  # year-end allows emergencies
    found = judged(make_repo, change("a", "normal", "mail", "2026-12-24T10:00:00+01:00",
                                     "2026-12-24T11:00:00+01:00", **PLANS), name="again")
    assert "error change-freeze" in rules(found["a"])


@pytest.mark.parametrize(("start", "end", "frozen"), [
    ("2026-12-19T23:00:00Z", "2026-12-20T00:00:00Z", False),  # ends as the freeze starts
    ("2026-12-19T23:00:00Z", "2026-12-20T00:00:01Z", True),
    ("2027-01-03T00:00:00Z", "2027-01-03T01:00:00Z", False),  # starts as it ends
    ("2027-01-02T23:59:59Z", "2027-01-03T01:00:00Z", True),
    ("2026-12-19", "2026-12-19", False),  # a whole day, in UTC, the day before
    ("2027-01-02", "2027-01-02", True),  # the freeze's last day
])
def test_periods_are_half_open(make_repo, start: str, end: str, frozen: bool) -> None:
    found = judged(make_repo, change("a", "normal", "mail", start, end, **PLANS))
    assert ("error change-freeze" in rules(found["a"])) is frozen


def test_whole_days_are_in_the_change_s_timezone(make_repo) -> None:
    # 2026-12-19 in Tokyo ends at 15:00 UTC on the 19th; in Honolulu at 10:00 UTC on the
    # 20th, inside the year-end freeze (UTC).
    tokyo = change("a", "normal", "mail", "2026-12-19", "2026-12-19", timezone="Asia/Tokyo",
                   **PLANS)
    honolulu = change("b", "normal", "mail", "2026-12-19", "2026-12-19",
                      timezone="Pacific/Honolulu", **PLANS)
    found = judged(make_repo, tokyo, honolulu)
    assert "error change-freeze" not in rules(found["a"])
    assert "error change-freeze" in rules(found["b"])
    assert "(2026-12-19T00:00-10:00 to 2026-12-20T00:00-10:00)" in found["b"][-1]


@pytest.mark.parametrize(("start", "end", "inside"), [
    ("2027-03-28T03:00:00+02:00", "2027-03-28T07:00:00+02:00", True),  # 02:00+01:00 = 03:00
    ("2027-03-28T01:59:00+01:00", "2027-03-28T04:00:00+02:00", False),
    ("2027-03-28T06:00:00+02:00", "2027-03-28T07:00:00+02:00", True),  # 4 real hours
    ("2026-10-25T02:00:00+02:00", "2026-10-25T05:00:00+01:00", True),  # the first 02:00
    ("2026-10-25T02:00:00+01:00", "2026-10-25T05:00:01+01:00", False),
])
def test_windows_across_daylight_saving_changes(make_repo, start: str, end: str,
                                                inside: bool) -> None:
    found = judged(make_repo, change("a", "standard", "mail", start, end, template="restart"))
    assert ("warning change-window" not in rules(found["a"])) is inside


def test_collisions_name_the_other_change_and_back_to_back_is_none(make_repo) -> None:
    found = judged(make_repo,
                   change("a", "normal", "mail", "2027-01-31T02:30:00+01:00",
                          "2027-01-31T03:30:00+01:00", **PLANS),
                   change("b", "normal", "mail", "2027-01-31T03:30:00+01:00",
                          "2027-01-31T04:00:00+01:00", **PLANS))
    assert found["a"] == ["warning change-collision: the change overlaps chg-1 "
                          "(2027-01-31T02:00+01:00 to 2027-01-31T03:00+01:00) on service mail"]
    assert found["b"] == []


def test_outcomes(make_repo) -> None:
    catalog = read(make_repo({
        "changes/a.yaml": change("a", "normal", "mail", "2027-01-24T02:00:00+01:00",
                                 "2027-01-24T03:00:00+01:00", **PLANS),
        "changes/b.yaml": change("b", "emergency", "mail", "2027-01-24T02:00:00+01:00",
                                 "2027-01-24T03:00:00+01:00"),
        "changes/c.yaml": change("c", "standard", "mail", "2027-01-17T02:00:00+01:00",
                                 "2027-01-17T03:00:00+01:00", template="restart",
                                 status="implemented"),
        "changes/d.yaml": change("d", "standard", "mail", "2027-01-17T02:00:00+01:00",
                                 "2027-01-17T03:00:00+01:00", template="restrat"),
        "changes/e.yaml": change("e", "normal", "mail", "2027-01-17T04:00:00+01:00",
                                 "2027-01-17T03:00:00+01:00", **PLANS),
        "changes/f.yaml": change("f", "normal", "mail", "2027-01-17", "2027-01-17",
                                 timezone="Mars/Olympus", **PLANS),
    })).catalog
    changes = catalog.typed(ChangeRequest)
    outcome = {name: evaluate(catalog, c, NOW) for name, c in changes.items()}
    assert outcome["chg-1"].outcome is Outcome.PRE_APPROVED
    assert outcome["a"].outcome is Outcome.NEEDS_APPROVAL
    assert outcome["a"].problems[0].rule == "change-collision"  # with b; not an error
    assert outcome["a"].collisions == ("b",)
    assert outcome["b"].outcome is Outcome.BLOCKED  # no plans
    assert (outcome["c"].outcome, outcome["c"].problems) == (None, ())
    assert [(d.rule, d.message, d.line, d.column) for d in outcome["d"].problems] == [
        ("unknown-reference", "unknown StandardChange 'restrat' (did you mean 'restart'?)", 10,
         13)]
    assert outcome["d"].outcome is Outcome.BLOCKED
    assert [d.rule for d in outcome["e"].problems] == ["time-order"]
    assert outcome["e"].start is None and outcome["e"].outcome is Outcome.BLOCKED
    assert [d.rule for d in outcome["f"].problems] == ["unknown-timezone"]
    data = outcome["a"].to_json()
    assert {k: data[k] for k in ("name", "type", "outcome", "start")} == {
        "name": "a", "type": "normal", "outcome": "needs-approval",
        "start": "2027-01-24T02:00:00+01:00"}


def test_overdue_is_judged_on_the_day_given(make_repo) -> None:
    import datetime as dt

    catalog = read(make_repo()).catalog
    chg = catalog.typed(ChangeRequest)["chg-1"]
    assert evaluate(catalog, chg, dt.datetime(2027, 1, 31, 12, tzinfo=dt.timezone.utc)
                    ).problems == ()
    late = evaluate(catalog, chg, dt.datetime(2027, 2, 1, 8, tzinfo=dt.timezone.utc))
    assert [d.rule for d in late.problems] == ["change-overdue"]
    assert late.outcome is Outcome.PRE_APPROVED
