"""`itsmctl changes calendar`: a Markdown timeline, iCalendar to subscribe to, JSON
(docs/changes.md#the-calendar)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from itsmctl import kinds
from itsmctl.changes.calendar import Entry, Timeline, Unplaced, event
from itsmctl.changes.ics import write_calendar
from itsmctl.reporters.markdown import code, escape
from itsmctl.text import plural
from itsmctl.timecalc import format_duration, iso, iso_minutes

NAME = "Change calendar"
REFRESH = dt.timedelta(hours=1)
_LABEL = {kinds.CHANGE_REQUEST: "change", kinds.MAINTENANCE_WINDOW: "window",
          kinds.CHANGE_FREEZE: "freeze"}
_MAX_SERVICES = 4


def _cell(text: str) -> str:
    """Catalog text in a table cell: one line, no HTML, no mention, no formatting."""
    return escape(text)


def _services(entry: Entry) -> str:
    if len(entry.services) <= _MAX_SERVICES:
        return ", ".join(entry.services)
    return (f"{', '.join(entry.services[:_MAX_SERVICES])} and "
            f"{len(entry.services) - _MAX_SERVICES} more")


def _notes(entry: Entry) -> str:
    """The notes cell, Markdown: our emphasis around escaped catalog text."""
    if entry.kind == kinds.CHANGE_REQUEST:
        state = _cell(f"{entry.type}, {entry.status}")
        return f"{state}, **{_cell(entry.outcome)}**" if entry.outcome else state
    if entry.kind == kinds.MAINTENANCE_WINDOW:
        return _cell(f"{format_duration(entry.end - entry.start)} in {entry.timezone}")
    return _cell(entry.detail)


def _range(timeline: Timeline) -> str:
    return f"{iso_minutes(timeline.start, timeline.tz)} to {iso_minutes(timeline.end, timeline.tz)}"


def _counts(timeline: Timeline) -> str:
    found = [e.kind for e in timeline.entries]
    return ", ".join([plural(found.count(kinds.CHANGE_REQUEST), "change request"),
                      plural(found.count(kinds.MAINTENANCE_WINDOW), "window occurrence"),
                      plural(found.count(kinds.CHANGE_FREEZE), "freeze")])


def _state(unplaced: Unplaced) -> str:
    state = f"{unplaced.type}, {unplaced.status}"
    return f"{state}, **{unplaced.outcome}**" if unplaced.outcome else state


def _unplaced_markdown(timeline: Timeline) -> list[str]:
    if not timeline.unplaced:
        return []
    count = len(timeline.unplaced)
    lines = [f"Not placed in time: {plural(count, 'change request')} whose period cannot be "
             "read (`itsmctl check` says the same):", ""]
    for item in timeline.unplaced:
        where = "; ".join(code(d.format()) for d in item.problems)
        lines.append(f"- {escape(item.name)}: {escape(item.title)} "
                     f"({escape(', '.join(item.services))}; {_state(item)}): {where}")
    return [*lines, ""]


def warnings(timeline: Timeline) -> str:
    """One line on standard error per change request left out of the timeline (the
    iCalendar file, read by a calendar client, has no place to say it)."""
    return "".join(f"warning: change request {item.name} is not in the calendar: its period "
                   f"cannot be read ({d.format()})\n"
                   for item in timeline.unplaced for d in item.problems)


def render_markdown(timeline: Timeline) -> str:
    lines = [f"# {NAME}", "", f"{_range(timeline)}: {_counts(timeline)}.", "",
             *_unplaced_markdown(timeline)]
    if timeline.entries:
        lines += ["| start | end | | what | services | notes |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {iso_minutes(e.start, e.shown)} | {iso_minutes(e.end, e.shown)} | "
                  f"{_LABEL[e.kind]} | {_cell(f'{e.name}: {e.title}')} | "
                  f"{_cell(_services(e))} | {_notes(e)} |" for e in timeline.entries]
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


def _unplaced_json(item: Unplaced) -> dict[str, Any]:
    return {"kind": kinds.CHANGE_REQUEST, "name": item.name, "title": item.title,
            "services": list(item.services), "path": item.path, "type": item.type,
            "status": item.status, "outcome": item.outcome,
            "problems": [d.to_json() for d in item.problems]}


def render_json(timeline: Timeline) -> str:
    data = {"from": iso(timeline.start, timeline.tz), "to": iso(timeline.end, timeline.tz),
            "entries": [_entry(e) for e in timeline.entries],
            "unplaced": [_unplaced_json(u) for u in timeline.unplaced]}
    return json.dumps(data, indent=2) + "\n"


def render_ics(timeline: Timeline) -> str:
    return write_calendar([event(e) for e in timeline.entries], name=NAME,
                          stamp=timeline.now.replace(microsecond=0),
                          description="Change requests, maintenance windows and freezes, "
                                      f"{_range(timeline)}",
                          refresh=REFRESH)


RENDERERS: dict[str, Callable[[Timeline], str]] = {
    "markdown": render_markdown, "ics": render_ics, "json": render_json}
