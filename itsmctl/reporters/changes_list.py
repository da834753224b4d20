"""`itsmctl changes list`: a table for people (each change request's problems under it),
JSON for tools (docs/changes.md#changes-list)."""

from __future__ import annotations

import json
from collections.abc import Callable

from itsmctl.changes.outcome import ChangeList, Evaluation
from itsmctl.text import plural


def _when(evaluation: Evaluation) -> tuple[str, str]:
    if evaluation.start is None or evaluation.end is None:
        return "?", "?"
    return (evaluation.start.isoformat(timespec="minutes"),
            evaluation.end.isoformat(timespec="minutes"))


def render_text(listing: ChangeList) -> str:
    if not listing.evaluations:
        return "No change requests.\n"
    header = ("NAME", "TYPE", "STATUS", "OUTCOME", "START", "END", "SERVICES")
    rows = [(e.name, e.change.type, e.change.status,
             e.outcome.value if e.outcome else "-", *_when(e), ", ".join(e.change.services))
            for e in listing.evaluations]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row, evaluation in zip([header, *rows], [None, *listing.evaluations], strict=True):
        lines.append("  ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:-1]))
                     + "  " + row[-1])
        if evaluation is not None:
            lines += [f"    {d.format()}" for d in evaluation.problems]
    counts = ", ".join(f"{n} {key}" for key, n in sorted(listing.counts().items()))
    lines.append(f"{plural(len(listing.evaluations), 'change request')}: {counts}")
    return "\n".join(lines) + "\n"


def render_json(listing: ChangeList) -> str:
    data = {"now": listing.now.isoformat(timespec="seconds"),
            "changeRequests": [e.to_json() for e in listing.evaluations]}
    return json.dumps(data, indent=2) + "\n"


RENDERERS: dict[str, Callable[[ChangeList], str]] = {"text": render_text, "json": render_json}
