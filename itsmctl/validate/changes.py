"""Change enablement data: templates under review, real windows, freezes that end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Entity
from itsmctl.timecalc import parse_instant
from itsmctl.validate.calendars import timezone_problem
from itsmctl.validate.context import Context

RULES = ("standard-change-expired", "time-order", "rrule-invalid", "unknown-timezone")


def _expired(ctx: Context) -> Iterator[Diagnostic]:
    for template in ctx.catalog.of_kind("StandardChange"):
        review_by = dt.date.fromisoformat(template.spec["reviewBy"])
        if review_by < ctx.today:
            yield template.diagnostic(
                "standard-change-expired",
                f"standard change '{template.name}' expired on {review_by} (review it and move "
                "reviewBy forward)", ("spec", "reviewBy"))


def _timezone(entity: Entity, ctx: Context) -> Iterator[Diagnostic]:
    if "timezone" in entity.spec:
        problem = timezone_problem(entity.spec["timezone"])
        if problem:
            yield entity.diagnostic("unknown-timezone", problem, ("spec", "timezone"))


def _period(entity: Entity, tz: str) -> Iterator[Diagnostic]:
    instants = []
    for field in ("start", "end"):
        try:
            instants.append(parse_instant(entity.spec[field], tz, end_of_day=field == "end"))
        except ValueError as error:
            yield entity.diagnostic("time-order", f"{field}: {error}", ("spec", field))
    if len(instants) == 2 and instants[0] >= instants[1]:
        yield entity.diagnostic(
            "time-order", f"end {entity.spec['end']} is not after start {entity.spec['start']}",
            ("spec", "end"))


def _windows(ctx: Context) -> Iterator[Diagnostic]:
    from dateutil.rrule import rrulestr

    for window in ctx.catalog.of_kind("MaintenanceWindow"):
        yield from _timezone(window, ctx)
        try:
            rrulestr(window.spec["rrule"], dtstart=dt.datetime(2026, 1, 1))
        except (ValueError, TypeError, AttributeError) as error:
            yield window.diagnostic("rrule-invalid", f"rrule does not parse: {error}",
                                    ("spec", "rrule"))


def check(ctx: Context) -> Iterator[Diagnostic]:
    yield from _expired(ctx)
    yield from _windows(ctx)
    for freeze in ctx.catalog.of_kind("ChangeFreeze"):
        yield from _timezone(freeze, ctx)
        tz = freeze.spec.get("timezone", ctx.config.default_timezone)
        if timezone_problem(tz) is None:
            yield from _period(freeze, tz)
    for change in ctx.catalog.of_kind("ChangeRequest"):
        yield from _period(change, "UTC")
