"""`itsmctl sla due`: the due times of one ticket, and (on request) why, as data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from itsmctl.errors import FatalError
from itsmctl.pipeline import read_catalog
from itsmctl.sla.terms import Terms, choose, escalation_times, terms_of
from itsmctl.sources import open_source
from itsmctl.timecalc import (
    Clock,
    ClockError,
    Interval,
    IntervalError,
    merge,
    parse_interval,
    to_instant,
    why_not_a_time,
)


@dataclass(frozen=True)
class Counted:
    """An interval of open time that counts towards a target, and the total so far."""

    start: float
    end: float
    total: float


@dataclass(frozen=True)
class ClosedDay:
    """A whole local day between two counted intervals, and why it did not count."""

    day: dt.date
    holiday: str | None  # its name, when it is a holiday
    paused: bool  # open by the calendar, but the ticket was paused


@dataclass(frozen=True)
class Explanation:
    target: str  # response | resolution
    text: str  # the target as written, e.g. 4h
    steps: list[Counted | ClosedDay]


@dataclass(frozen=True)
class DueTimes:
    terms: Terms
    priority: str
    opened: float
    clock_starts: float
    response_due: float | None
    resolution_due: float
    escalations: list[tuple[str, str, float]]  # (threshold as written, team, instant)
    pauses: list[Interval]
    explanations: list[Explanation] = field(default_factory=list)


def option_instant(text: str, option: str, tz: dt.tzinfo) -> float:
    """A command-line time; without an offset it is read in `tz`."""
    try:
        return to_instant(text, tz)
    except ValueError as error:
        raise FatalError(f"{option}: '{text}' is {why_not_a_time(error)}") from error


def option_pauses(texts: tuple[str, ...], tz: dt.tzinfo) -> list[Interval]:
    pauses = []
    for text in texts:
        try:
            pauses.append(parse_interval(text, tz))
        except IntervalError as error:
            message = {"shape": f"'{text}' is not START/END",
                       "time": f"'{error.part}' is not an ISO 8601 date-time",
                       "order": f"'{text}' ends before it starts"}[error.problem]
            raise FatalError(f"--paused: {message}") from error
    return merge(pauses)


def _closed_days(clock: Clock, start: float, end: float) -> list[ClosedDay]:
    """The whole local days strictly between two counted intervals."""
    out = []
    day = clock.local(start).date() + dt.timedelta(days=1)
    last = clock.local(end).date()
    while day < last:
        holiday = clock.holiday(day)
        out.append(ClosedDay(day, holiday,
                             holiday is None and bool(clock.day_intervals(day.toordinal()))))
        day += dt.timedelta(days=1)
    return out


def explain(clock: Clock, opened: float, target: float, pauses: list[Interval]
            ) -> list[Counted | ClosedDay]:
    """The open intervals counted towards one target, with the closed days between."""
    steps: list[Counted | ClosedDay] = []
    total = 0.0
    previous: float | None = None
    for begin, end in clock.counted_until_due(opened, target, pauses):
        if previous is not None:
            steps += _closed_days(clock, previous, begin)
        total += end - begin
        steps.append(Counted(begin, end, total))
        previous = end
    return steps


def due_times(root: Path, ref: str | None, sla: str, priority: str, opened: str,
              paused: tuple[str, ...] = (), with_explanation: bool = False) -> DueTimes:
    terms = choose(*terms_of(read_catalog(open_source(root, ref)).catalog), sla, priority)
    tz = terms.clock.tz
    start = option_instant(opened, "--opened", tz)
    pauses = option_pauses(paused, tz)
    target = terms.targets[priority]
    clock = terms.clock
    try:
        result = DueTimes(
            terms, priority, start, clock.clock_start(start, pauses),
            clock.due(start, target.response, pauses) if target.response is not None else None,
            clock.due(start, target.resolution, pauses),
            escalation_times(terms, priority, start, pauses), pauses)
        if with_explanation:
            if result.response_due is not None and target.response is not None:
                result.explanations.append(Explanation(
                    "response", str(target.response_text),
                    explain(clock, start, target.response, pauses)))
            result.explanations.append(Explanation(
                "resolution", target.resolution_text,
                explain(clock, start, target.resolution, pauses)))
    except ClockError as error:
        raise FatalError(str(error)) from error
    except ValueError as error:  # its calendar is not valid (public holidays unknown)
        raise FatalError(f"SLA '{sla}' cannot be used: {error}",
                         "run itsmctl check for the details") from error
    return result
