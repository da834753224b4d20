"""Change enablement data: templates under review, real windows, freezes that end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.typed import ChangeFreeze, ChangeRequest, MaintenanceWindow, StandardChange
from itsmctl.timecalc import Recurrence, parse_instant, seconds, timezone, timezone_problem
from itsmctl.validate.context import YEAR_DAYS, Context

E = Severity.ERROR
STANDARD_CHANGE_EXPIRED = Rule("standard-change-expired", E,
                               "A standard-change template is past its reviewBy date.")
RRULE_INVALID = Rule("rrule-invalid", E, "A maintenance window's RFC 5545 recurrence rule "
                     "does not parse, or has no occurrence in the coming year.")
TIME_ORDER = Rule("time-order", E, "A time range that ends before it starts, or a date-time "
                  "that is not a real instant.")
UNKNOWN_TIMEZONE = Rule("unknown-timezone", E, "A timezone that is not a real IANA timezone name.")
RULES = (STANDARD_CHANGE_EXPIRED, RRULE_INVALID, TIME_ORDER, UNKNOWN_TIMEZONE)


def _expired(ctx: Context) -> Iterator[Diagnostic]:
    for template in ctx.catalog.typed(StandardChange).values():
        review_by = dt.date.fromisoformat(template.review_by)
        if review_by < ctx.today:
            yield template.diagnostic(
                STANDARD_CHANGE_EXPIRED,
                f"standard change '{template.name}' expired on {review_by} (review it and move "
                "reviewBy forward)", ("spec", "reviewBy"))


def _timezone(entity: MaintenanceWindow | ChangeFreeze | ChangeRequest) -> Iterator[Diagnostic]:
    if entity.timezone is not None:
        problem = timezone_problem(entity.timezone)
        if problem:
            yield entity.diagnostic(UNKNOWN_TIMEZONE, problem, ("spec", "timezone"))


def period_problems(start: str, end: str, tz: str) -> list[tuple[str, str]]:
    """Why the period [start, end) of a freeze or change request in `tz` cannot be read,
    as (field, message): a start or end that is not an instant ('start: month must be in
    1..12'), an end not after its start. Empty when it can be read. The one wording of
    `time-order`, for `check` and for change enablement."""
    instants = []
    found = []
    for field, text in (("start", start), ("end", end)):
        try:
            instants.append(parse_instant(text, tz, end_of_day=field == "end"))
        except ValueError as error:
            found.append((field, f"{field}: {error}"))
    if len(instants) == 2 and instants[0] >= instants[1]:
        found.append(("end", f"end {end} is not after start {start}"))
    return found


def _period(entity: ChangeFreeze | ChangeRequest, tz: str) -> Iterator[Diagnostic]:
    for field, message in period_problems(entity.start, entity.end, tz):
        yield entity.diagnostic(TIME_ORDER, message, ("spec", field))


def _windows(ctx: Context) -> Iterator[Diagnostic]:
    for window in ctx.catalog.typed(MaintenanceWindow).values():
        yield from _timezone(window)
        tz = window.timezone if timezone_problem(window.timezone) is None else "UTC"
        try:
            recurrence = Recurrence(window.rrule, tz, seconds(window.duration))
        except ValueError as error:
            yield window.diagnostic(RRULE_INVALID, f"rrule does not parse: {error}",
                                    ("spec", "rrule"))
            continue
        start = dt.datetime.combine(ctx.today, dt.time(), timezone(tz)).timestamp()
        if next(recurrence.upcoming(start, YEAR_DAYS), None) is None:
            yield window.diagnostic(
                RRULE_INVALID, f"the rule {window.rrule!r} has no occurrence in the year from "
                f"{ctx.today.isoformat()} (a date that does not exist, COUNT=0, an UNTIL in "
                "the past?)", ("spec", "rrule"))


def check(ctx: Context) -> Iterator[Diagnostic]:
    yield from _expired(ctx)
    yield from _windows(ctx)
    periods: list[ChangeFreeze | ChangeRequest] = [*ctx.catalog.typed(ChangeFreeze).values(),
                                                   *ctx.catalog.typed(ChangeRequest).values()]
    for entity in periods:
        yield from _timezone(entity)
        tz = entity.timezone or ctx.config.default_timezone
        if timezone_problem(tz) is None:
            yield from _period(entity, tz)
