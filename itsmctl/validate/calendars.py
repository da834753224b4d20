"""Calendars that the SLA clock can run on: a real timezone, sane ranges, some open time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Entity
from itsmctl.timecalc import clock_minutes, timezone, timezone_names
from itsmctl.validate.context import Context
from itsmctl.validate.schema import did_you_mean

RULES = ("calendar-invalid",)


def timezone_problem(name: str) -> str | None:
    try:
        timezone(name)
    except ValueError:
        return f"unknown timezone '{name}'{did_you_mean(name, timezone_names())}"
    return None


def _check_hours(calendar: Entity, hours: dict[str, list[str]]) -> Iterator[Diagnostic]:
    for day, ranges in hours.items():
        previous_end = -1
        for i, text in enumerate(ranges):
            start_text, end_text = text.split("-")
            start, end = clock_minutes(start_text), clock_minutes(end_text)
            where = ("spec", "hours", day, i)
            if start >= end:
                yield calendar.diagnostic("calendar-invalid",
                                          f"{day}: range {text} ends before it starts", where)
            elif start < previous_end:
                yield calendar.diagnostic(
                    "calendar-invalid",
                    f"{day}: range {text} overlaps or comes before the range before it", where)
            previous_end = max(previous_end, end)


def _check_public_holidays(calendar: Entity, spec: dict[str, Any]) -> Iterator[Diagnostic]:
    import holidays

    supported = holidays.list_supported_countries()
    country = spec["country"]
    if country not in supported:
        yield calendar.diagnostic(
            "calendar-invalid", f"no public holidays are known for country '{country}'"
            f"{did_you_mean(country, list(supported))}", ("spec", "publicHolidays", "country"))
        return
    subdivision = spec.get("subdivision")
    if subdivision is not None and subdivision not in supported[country]:
        yield calendar.diagnostic(
            "calendar-invalid", f"unknown subdivision '{subdivision}' of {country}"
            f"{did_you_mean(subdivision, supported[country])}",
            ("spec", "publicHolidays", "subdivision"))


def check(ctx: Context) -> Iterator[Diagnostic]:
    for calendar in ctx.catalog.of_kind("Calendar"):
        spec = calendar.spec
        problem = timezone_problem(spec["timezone"])
        if problem:
            yield calendar.diagnostic("calendar-invalid", problem, ("spec", "timezone"))
        always, hours = spec.get("always", False), spec.get("hours")
        if always and hours is not None:
            yield calendar.diagnostic("calendar-invalid",
                                      "give either always: true or hours, not both",
                                      ("spec", "hours"), key=True)
        elif not always and not any((hours or {}).values()):
            yield calendar.diagnostic(
                "calendar-invalid", "the calendar is never open: give hours or always: true",
                ("spec", "hours") if hours is not None else ("spec",), key=True)
        found = []
        if hours:
            found += list(_check_hours(calendar, hours))
        if "publicHolidays" in spec:
            found += list(_check_public_holidays(calendar, spec["publicHolidays"]))
        yield from found
        can_open = always or any((hours or {}).values())
        if not found and not problem and can_open and ctx.open_time_ahead(calendar.name) == 0:
            yield calendar.diagnostic(
                "calendar-invalid", "the calendar has no open time in the year from "
                f"{ctx.today.isoformat()} (every open day is a holiday)", ("spec",), key=True)
