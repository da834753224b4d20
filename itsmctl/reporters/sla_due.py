"""`itsmctl sla due`: text for people (local time and UTC), JSON for tools
(docs/sla-clock.md#sla-due)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from itsmctl.sla.due import ClosedDay, Counted, DueTimes, Explanation
from itsmctl.timecalc import Clock, iso


def span(value: float) -> str:
    """Seconds as '3h30m' (for people)."""
    minutes = round(value / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def _day(value: dt.date) -> str:
    return value.strftime("%a %Y-%m-%d")


def _row(label: str, instant: float, tz: dt.tzinfo, note: str = "") -> str:
    local = dt.datetime.fromtimestamp(instant, tz)
    utc = dt.datetime.fromtimestamp(instant, dt.timezone.utc)
    offset = local.strftime("%z")
    text = (f"{label:<16} {local:%a %Y-%m-%d %H:%M} {local:%Z} ({offset[:3]}:{offset[3:]})"
            f"   {utc:%Y-%m-%d %H:%M} UTC")
    return f"{text}   {note}" if note else text


def _closed(step: ClosedDay) -> str:
    reason = (f"holiday: {step.holiday}" if step.holiday else
              "paused" if step.paused else "no opening hours")
    return f"{_day(step.day)} closed ({reason})"


def _interval(b: dt.datetime, e: dt.datetime) -> str:
    """'Fri 2026-11-20 08:00-17:00 EST' within a day; with both dates when it ends on
    another ('Fri 2026-11-20 10:00 – Wed 2026-11-25 10:00 UTC'), each time with its zone
    when they differ (a daylight-saving change in between)."""
    if e.date() == b.date():
        return f"{_day(b.date())} {b:%H:%M}-{e:%H:%M} {b:%Z}"
    first = f"{_day(b.date())} {b:%H:%M}" + (f" {b:%Z}" if b.tzname() != e.tzname() else "")
    return f"{first} – {_day(e.date())} {e:%H:%M} {e:%Z}"


def _explanation(due: DueTimes, explanation: Explanation) -> list[str]:
    clock: Clock = due.terms.clock
    lines = [f"{explanation.target} ({explanation.text}): open time counted in "
             f"{due.terms.calendar} ({clock.tzname})"]
    for step in explanation.steps:
        if isinstance(step, Counted):
            lines.append(f"    {_interval(clock.local(step.start), clock.local(step.end))}  "
                         f"+{span(step.end - step.start):>7}  = {span(step.total)}")
        else:
            lines.append(f"    {_closed(step)}")
    return lines


def render_text(due: DueTimes) -> str:
    terms, tz = due.terms, due.terms.clock.tz
    target = terms.targets[due.priority]
    lines = [f"SLA {terms.name}, priority {due.priority}, calendar {terms.calendar} "
             f"({terms.clock.tzname})",
             _row("opened", due.opened, tz), _row("clock starts", due.clock_starts, tz)]
    if due.response_due is not None and target.response_text:
        lines.append(_row("response due", due.response_due, tz,
                          f"{target.response_text} of open time"))
    lines.append(_row("resolution due", due.resolution_due, tz,
                      f"{target.resolution_text} of open time"))
    for at, team, when in due.escalations:
        lines.append(_row(f"escalate {at}", when, tz, f"notify {team}"))
    if due.pauses:
        paused_total = sum(e - b for b, e in due.pauses)
        lines.append(f"paused           {span(paused_total)} in {len(due.pauses)} interval(s)")
    for explanation in due.explanations:
        lines += ["", *_explanation(due, explanation)]
    return "\n".join(lines) + "\n"


def render_json(due: DueTimes) -> str:
    tz = due.terms.clock.tz
    data: dict[str, Any] = {
        "sla": due.terms.name, "priority": due.priority, "calendar": due.terms.calendar,
        "opened": iso(due.opened, tz), "clockStarts": iso(due.clock_starts, tz),
        "responseDue": iso(due.response_due, tz) if due.response_due is not None else None,
        "resolutionDue": iso(due.resolution_due, tz)}
    if due.escalations:
        data["escalations"] = [{"at": at, "notify": team, "time": iso(when, tz)}
                               for at, team, when in due.escalations]
    return json.dumps(data, indent=2) + "\n"


RENDERERS: dict[str, Callable[[DueTimes], str]] = {"text": render_text, "json": render_json}
