"""`itsmctl changes gate`: a verdict for the pipeline's log, JSON for its next step
(docs/changes.md#the-gate)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from itsmctl.changes.gate import Answer
from itsmctl.timecalc import iso, iso_minutes


def _what(answer: Answer) -> str:
    if answer.change is not None:
        what = f"change {answer.change}"
    elif answer.template is not None:
        what = f"standard change {answer.template}"
    else:
        what = "a standard change"
    return (f"{what} on {answer.service}, {iso_minutes(answer.at, answer.tz)} to "
            f"{iso_minutes(answer.until, answer.tz)}")


def render_text(answer: Answer) -> str:
    lines = [f"{'allowed' if answer.allowed else 'not allowed'}: {_what(answer)}"]
    if answer.window is not None:
        w = answer.window
        lines.append(f"window: {w.name} {iso_minutes(w.start, w.tz)} to "
                     f"{iso_minutes(w.end, w.tz)}")
    lines += [f"{r.severity.value}: {r.message} [{r.rule}]" for r in answer.reasons]
    if answer.next_opening is not None:
        lines.append(f"next opening: {iso_minutes(answer.next_opening, answer.tz)}")
    return "\n".join(lines) + "\n"


def render_json(answer: Answer) -> str:
    window = answer.window
    data: dict[str, Any] = {
        "service": answer.service, "template": answer.template, "change": answer.change,
        "at": iso(answer.at, answer.tz), "until": iso(answer.until, answer.tz),
        "allowed": answer.allowed,
        "reasons": [{"rule": r.rule, "message": r.message, "severity": r.severity.value}
                    for r in answer.reasons],
        "window": None if window is None else {
            "name": window.name, "start": iso(window.start, window.tz),
            "end": iso(window.end, window.tz)},
        "nextOpening": None if answer.next_opening is None else iso(answer.next_opening,
                                                                     answer.tz),
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Answer], str]] = {"text": render_text, "json": render_json}
