"""Calendars that the SLA clock can run on: a real timezone, sane ranges, some open time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.typed import Calendar
from itsmctl.text import did_you_mean
from itsmctl.timecalc import (
    clock_minutes,
    holiday_countries,
    holiday_subdivisions,
    timezone_problem,
)
from itsmctl.validate.context import Context

CALENDAR_INVALID = Rule("calendar-invalid", Severity.ERROR,
                        "A calendar with an unknown timezone, overlapping or unordered ranges, "
                        "unknown public holidays, or no open time.")
RULES = (CALENDAR_INVALID,)


def _check_hours(calendar: Calendar, hours: Mapping[str, tuple[str, ...]]
                 ) -> Iterator[Diagnostic]:
    for day, ranges in hours.items():
        previous_end = -1
        for i, text in enumerate(ranges):
            start_text, end_text = text.split("-")
            start, end = clock_minutes(start_text), clock_minutes(end_text)
            where = ("spec", "hours", day, i)
            if start >= end:
                problem = "is empty (it ends where it starts)" if start == end \
                    else "ends before it starts"
                yield calendar.diagnostic(CALENDAR_INVALID, f"{day}: range {text} {problem}",
                                          where)
            elif start < previous_end:
                yield calendar.diagnostic(
                    CALENDAR_INVALID,
                    f"{day}: range {text} overlaps or comes before the range before it", where)
            previous_end = max(previous_end, end)


def _check_public_holidays(calendar: Calendar, country: str, subdivision: str | None
                           ) -> Iterator[Diagnostic]:
    subdivisions = holiday_subdivisions(country)
    if subdivisions is None:
        yield calendar.diagnostic(
            CALENDAR_INVALID, f"no public holidays are known for country '{country}'"
            f"{did_you_mean(country, holiday_countries())}", ("spec", "publicHolidays", "country"))
        return
    if subdivision is not None and subdivision not in subdivisions:
        yield calendar.diagnostic(
            CALENDAR_INVALID, f"unknown subdivision '{subdivision}' of {country}"
            f"{did_you_mean(subdivision, subdivisions)}",
            ("spec", "publicHolidays", "subdivision"))


def _check_shape(calendar: Calendar) -> Iterator[Diagnostic]:
    if calendar.always and calendar.hours is not None:
        yield calendar.diagnostic(CALENDAR_INVALID, "give either always: true or hours, not both",
                                  ("spec", "hours"), key=True)
    elif not calendar.opens:
        yield calendar.diagnostic(
            CALENDAR_INVALID, "the calendar is never open: give hours or always: true",
            ("spec", "hours") if calendar.hours is not None else ("spec",), key=True)


def check(ctx: Context) -> Iterator[Diagnostic]:
    for calendar in ctx.catalog.typed(Calendar).values():
        problem = timezone_problem(calendar.timezone)
        if problem:
            yield calendar.diagnostic(CALENDAR_INVALID, problem, ("spec", "timezone"))
        yield from _check_shape(calendar)
        found = []
        if calendar.hours:
            found += list(_check_hours(calendar, calendar.hours))
        if calendar.public_holidays is not None:
            found += list(_check_public_holidays(calendar, *calendar.public_holidays))
        yield from found
        if (not found and not problem and calendar.opens
                and ctx.open_time_ahead(calendar.name) == 0):
            yield calendar.diagnostic(
                CALENDAR_INVALID, "the calendar has no open time in the year from "
                f"{ctx.today.isoformat()} (every open day is a holiday)", ("spec",), key=True)
