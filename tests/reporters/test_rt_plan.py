"""The plan of `plan|apply --target rt`, as text and JSON, exactly."""

from __future__ import annotations

import json
from pathlib import Path

from itsmctl.reporters.rt_plan import render_applied, render_json, render_text
from itsmctl.targets.rt.apply import Applied
from itsmctl.targets.rt.plan import Change, Diff, Plan
from itsmctl.targets.rt.remote import Planned

PLAN = Plan("http://127.0.0.1:8080", "5.0.3", "sha256:0", [
    Change("create", "queue", "ops", "Operations",
           [Diff("Name", None, "Operations"), Diff("Lifecycle", None, "inc")]),
    Change("update", "queue", "web", "Net Ops", [Diff("Name", "Net Ops", "Network")]),
    Change("update", "rights", "group:ops on queue:ops", "group Ops on queue Ops",
           [Diff("OwnTicket", False, True), Diff("Watch", True, False)]),
    Change("adopt", "lifecycle", "inc", "inc", [Diff("transitions.new", ["a"], ["a", "b"])]),
    Change("disable", "queue", "old", "Old", [Diff("Disabled", 0, 1)]),
], ["user 'x' is managed by itsmctl but in no team of the catalog: kept"])

TEXT = """\
Request Tracker 5.0.3 at http://127.0.0.1:8080

  + queue "Operations"
      Name: "Operations"
      Lifecycle: "inc"
  ~ queue "Net Ops"
      Name: "Net Ops" -> "Network"
  ~ rights "group Ops on queue Ops"
      + OwnTicket
      - Watch
  ! lifecycle "inc"  (not managed by itsmctl: adopted with --adopt)
      transitions.new: ["a"] -> ["a", "b"]
  - queue "Old"
      Disabled: 0 -> 1

Plan: 1 to create, 2 to update, 1 to disable, 1 to adopt.

Notes:
  - user 'x' is managed by itsmctl but in no team of the catalog: kept

Saved the plan to plan.json: apply it with itsmctl apply --target rt --plan plan.json
"""


def test_text() -> None:
    assert render_text(Planned(PLAN, 40, 1.0, Path("plan.json"))) == TEXT
    empty = Plan("http://rt", "5.0.3", "sha256:0")
    assert render_text(Planned(empty, 40, 1.0)) == (
        "Request Tracker 5.0.3 at http://rt\n\nNo changes: RT holds what the catalog says.\n")


def test_json() -> None:
    data = json.loads(render_json(Planned(PLAN, 40, 1.0)))
    assert data["summary"] == {"create": 1, "update": 2, "disable": 1, "adopt": 1}
    assert data["changes"][1] == {"action": "update", "kind": "queue", "key": "web",
                                  "name": "Net Ops", "diffs": [
                                      {"field": "Name", "before": "Net Ops",
                                       "after": "Network"}]}
    assert data["requests"] == 40


def test_outcome() -> None:
    assert render_applied(Applied(PLAN, PLAN.changes[:2], "queue 'Old': it was changed in RT "
                                  "since the plan was made; plan again")) == (
        "Apply stopped after 2 of 5 change(s): queue 'Old': it was changed in RT since the "
        "plan was made; plan again\n")
    assert render_applied(Applied(PLAN, PLAN.changes)) == \
        "Apply complete: 5 change(s) made in RT at http://127.0.0.1:8080.\n"
    assert render_applied(Applied(PLAN, confirmed=False)) == \
        "Apply cancelled: nothing was changed.\n"
