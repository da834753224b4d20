"""`itsmctl changes calendar`: a Markdown timeline, iCalendar to subscribe to, JSON
(docs/changes.md#the-calendar)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from itsmctl import kinds
from itsmctl.changes.calendar import Entry, Timeline, event
from itsmctl.changes.ics import write_calendar
from itsmctl.text import plural
from itsmctl.timecalc import format_duration, iso, iso_minutes

NAME = "Change calendar"
REFRESH = dt.timedelta(hours=1)
_LABEL = {kinds.CHANGE_REQUEST: "change", kinds.MAINTENANCE_WINDOW: "window",
          kinds.CHANGE_FREEZE: "freeze"}
_MAX_SERVICES = 4


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _services(entry: Entry) -> str:
    if len(entry.services) <= _MAX_SERVICES:
        return ", ".join(entry.services)
    return (f"{', '.join(entry.services[:_MAX_SERVICES])} and "
            f"{len(entry.services) - _MAX_SERVICES} more")


def _notes(entry: Entry) -> str:
    if entry.kind == kinds.CHANGE_REQUEST:
        state = f"{entry.type}, {entry.status}"
        return f"{state}, **{entry.outcome}**" if entry.outcome else state
    if entry.kind == kinds.MAINTENANCE_WINDOW:
        return f"{format_duration(entry.end - entry.start)} in {entry.timezone}"
    return entry.detail


def _range(timeline: Timeline) -> str:
    return f"{iso_minutes(timeline.start, timeline.tz)} to {iso_minutes(timeline.end, timeline.tz)}"


def _counts(timeline: Timeline) -> str:
    found = [e.kind for e in timeline.entries]
    return ", ".join([plural(found.count(kinds.CHANGE_REQUEST), "change request"),
                      plural(found.count(kinds.MAINTENANCE_WINDOW), "window occurrence"),
                      plural(found.count(kinds.CHANGE_FREEZE), "freeze")])


def render_markdown(timeline: Timeline) -> str:
    lines = [f"# {NAME}", "", f"{_range(timeline)}: {_counts(timeline)}.", ""]
    if timeline.entries:
        lines += ["| start | end | | what | services | notes |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {iso_minutes(e.start, e.shown)} | {iso_minutes(e.end, e.shown)} | "
                  f"{_LABEL[e.kind]} | {_cell(f'{e.name}: {e.title}')} | "
                  f"{_cell(_services(e))} | {_cell(_notes(e))} |" for e in timeline.entries]
    return "\n".join(lines) + "\n"


def _entry(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": entry.kind, "name": entry.name, "title": entry.title,
        "start": iso(entry.start, entry.shown), "end": iso(entry.end, entry.shown),
        "timezone": entry.timezone, "services": list(entry.services), "detail": entry.detail,
        "uid": entry.uid, "path": entry.path}
    if entry.kind == kinds.CHANGE_REQUEST:
        data.update(type=entry.type, status=entry.status, outcome=entry.outcome)
    return data


def render_json(timeline: Timeline) -> str:
    data = {"from": iso(timeline.start, timeline.tz), "to": iso(timeline.end, timeline.tz),
            "entries": [_entry(e) for e in timeline.entries]}
    return json.dumps(data, indent=2) + "\n"


def render_ics(timeline: Timeline) -> str:
    return write_calendar([event(e) for e in timeline.entries], name=NAME,
                          stamp=timeline.now.replace(microsecond=0),
                          description="Change requests, maintenance windows and freezes, "
                                      f"{_range(timeline)}",
                          refresh=REFRESH)


RENDERERS: dict[str, Callable[[Timeline], str]] = {
    "markdown": render_markdown, "ics": render_ics, "json": render_json}
