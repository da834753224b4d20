"""Time arithmetic: durations, instants, timezones. The one owner of time math."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import cache

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> dt.timedelta:
    """'1h30m' -> 90 minutes; d = 24 h, w = 7 d (SPEC §3)."""
    match = _DURATION.match(text)
    if not match or not text:
        raise ValueError(f"not a duration: {text!r}")
    weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


@cache
def timezone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA timezone; raises ValueError for a name that does not exist."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown timezone '{name}'") from error


def timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def parse_instant(text: str, tz: str, end_of_day: bool = False) -> dt.datetime:
    """A date-time with offset, or a date meaning the whole day in `tz` (SPEC §3).

    With `end_of_day`, a plain date means the end of that day (the next midnight).
    """
    if "T" not in text.upper() and " " not in text:
        day = dt.date.fromisoformat(text)
        if end_of_day:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(), tzinfo=timezone(tz))
    value = dt.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"'{text}' has no UTC offset")
    return value
