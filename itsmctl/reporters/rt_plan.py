"""`itsmctl plan|apply --target rt`: the plan as Terraform users read one (create `+`,
update `~` with each field's before -> after, disable `-`, adopt `!`), or JSON
(docs/rt.md#plan)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from itsmctl.targets.rt.apply import Applied
from itsmctl.targets.rt.plan import ACTIONS, ADOPT, CREATE, DISABLE, Change, Plan
from itsmctl.targets.rt.remote import Planned

SIGN = {CREATE: "+", "update": "~", DISABLE: "-", ADOPT: "!"}
WIDTH = 72


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= WIDTH else text[:WIDTH - 1] + "…"


def change_lines(change: Change) -> list[str]:
    head = f"  {SIGN[change.action]} {change.kind} \"{change.label}\""
    if change.action == ADOPT:
        head += "  (not managed by itsmctl: adopted with --adopt)"
    lines = [head]
    for diff in change.diffs:
        if isinstance(diff.before, bool) and isinstance(diff.after, bool):
            lines.append(f"      {'+' if diff.after else '-'} {diff.field}")
        elif change.action == CREATE and diff.before is None:
            lines.append(f"      {diff.field}: {_value(diff.after)}")
        elif diff.before is None and diff.after is None:
            lines.append(f"      {diff.field}")
        else:
            lines.append(f"      {diff.field}: {_value(diff.before)} -> {_value(diff.after)}")
    return lines


def summary(plan: Plan) -> str:
    counts = {action: plan.count(action) for action in ACTIONS}
    return (f"Plan: {counts[CREATE]} to create, {counts['update']} to update, "
            f"{counts[DISABLE]} to disable, {counts[ADOPT]} to adopt.")


def render_text(planned: Planned) -> str:
    plan = planned.plan
    lines = [f"Request Tracker {plan.version} at {plan.url}", ""]
    if plan.empty:
        lines.append("No changes: RT holds what the catalog says.")
    else:
        for change in plan.changes:
            lines += change_lines(change)
        lines += ["", summary(plan)]
    if plan.notes:
        lines += ["", "Notes:", *(f"  - {note}" for note in plan.notes)]
    if planned.saved is not None:
        lines += ["", f"Saved the plan to {planned.saved}: apply it with "
                      f"itsmctl apply --target rt --plan {planned.saved}"]
    return "\n".join(lines) + "\n"


def plan_data(plan: Plan) -> dict[str, Any]:
    return {
        "url": plan.url, "version": plan.version, "digest": plan.digest,
        "summary": {action: plan.count(action) for action in ACTIONS},
        "changes": [{"action": c.action, "kind": c.kind, "key": c.key, "name": c.label,
                     "diffs": [{"field": d.field, "before": d.before, "after": d.after}
                               for d in c.diffs]} for c in plan.changes],
        "notes": plan.notes,
    }


def render_json(planned: Planned) -> str:
    return json.dumps({**plan_data(planned.plan), "requests": planned.requests},
                      indent=2, ensure_ascii=False) + "\n"


def render_progress(change: Change) -> str:
    verb = {CREATE: "created", "update": "updated", DISABLE: "disabled", ADOPT: "adopted"}
    return f"  {SIGN[change.action]} {change.kind} \"{change.label}\": {verb[change.action]}\n"


def render_applied_json(applied: Applied) -> str:
    return json.dumps({**plan_data(applied.plan), "confirmed": applied.confirmed,
                       "applied": len(applied.done), "refused": applied.refused},
                      indent=2, ensure_ascii=False) + "\n"


def render_applied(applied: Applied) -> str:
    plan = applied.plan
    if plan.empty:
        return "No changes: RT holds what the catalog says.\n"
    if not applied.confirmed:
        return "Apply cancelled: nothing was changed.\n"
    done = len(applied.done)
    if applied.refused:
        return (f"Apply stopped after {done} of {len(plan.changes)} change(s): "
                f"{applied.refused}\n")
    return f"Apply complete: {done} change(s) made in RT at {plan.url}.\n"


RENDERERS: dict[str, Callable[[Planned], str]] = {"text": render_text, "json": render_json}
APPLIED: dict[str, Callable[[Applied], str]] = {"text": render_applied,
                                                "json": render_applied_json}
