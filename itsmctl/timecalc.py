"""Time arithmetic: durations, instants, timezones, and the SLA clock over business
calendars. The one owner of time math: nothing else in itsmctl adds up time."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any, NamedTuple, Protocol

from itsmctl.text import did_you_mean

FIRST_YEAR, LAST_YEAR = 1900, 9000  # the instants itsmctl computes with


class OutOfRange(ValueError):
    """A date-time outside FIRST_YEAR..LAST_YEAR."""

    def __init__(self) -> None:
        super().__init__(f"outside the supported years {FIRST_YEAR}-{LAST_YEAR}")


def why_not_a_time(error: ValueError) -> str:
    """Why a text is not a date or date-time, to follow "'TEXT' is": out of the supported
    years, a date or time that does not exist (February 30th), or not one at all."""
    if isinstance(error, OutOfRange):
        return str(error)
    message = str(error)
    if message.endswith("has no UTC offset"):
        return "a date-time without a UTC offset (add one: Z, +01:00)"
    if message and not message.startswith("Invalid isoformat") and "offset" not in message:
        return f"not a real date or time ({message})"
    return "not a date (YYYY-MM-DD) or an ISO 8601 date-time"


_DURATION = re.compile(r"(?:(\d{1,4})w)?(?:(\d{1,5})d)?(?:(\d{1,6})h)?(?:(\d{1,7})m)?")


def parse_duration(text: str) -> dt.timedelta:
    """'1h30m' -> 90 minutes; d = 24 h, w = 7 d (docs/format.md). Each unit has at most
    as many digits as the schema allows (up to 9999w), so every result is a date span."""
    match = _DURATION.fullmatch(text)
    if not match or not text:
        raise ValueError(f"not a duration: {text!r}")
    weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


# Files of the timezone database that are not zones of the world: the host's own
# (`localtime`, which would make results depend on the machine) and technical ones, and
# the folders of its variants (`zoneinfo.available_timezones` leaves those out too).
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
_NOT_ZONE_FOLDERS = ("posix/", "right/")


@cache
def _zone_names() -> frozenset[str]:
    """Every zone's name (a walk through the database's files: 20-30 ms, so only for
    listing them and for suggestions)."""
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


@cache
def timezone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA timezone; raises ValueError for a name that is not one. The one zone is
    looked up: the same zones as `_zone_names` (the database's other files are not
    timezone files, which `ZoneInfo` refuses)."""
    if name in _NOT_ZONES or name.startswith(_NOT_ZONE_FOLDERS):
        raise ValueError(f"unknown timezone '{name}'")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown timezone '{name}'") from error


def timezone_names() -> list[str]:
    return sorted(_zone_names())


def timezone_problem(name: str) -> str | None:
    """Why `name` is not an IANA timezone (with a suggestion), or None."""
    try:
        timezone(name)
    except ValueError:
        return f"unknown timezone '{name}'{did_you_mean(name, timezone_names())}"
    return None


def parse_instant(text: str, tz: str, end_of_day: bool = False) -> dt.datetime:
    """A date-time with offset, or a date meaning the whole day in `tz` (docs/format.md).

    With `end_of_day`, a plain date means the end of that day (the next midnight).
    """
    if "T" not in text.upper() and " " not in text:
        day = dt.date.fromisoformat(text)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise OutOfRange()
        if end_of_day:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(), tzinfo=timezone(tz))
    value = dt.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"'{text}' has no UTC offset")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise OutOfRange()
    return value


# --- the SLA clock (docs/sla-clock.md) ---------------------------------------------------
#
# A calendar becomes open intervals in real time: UTC epoch seconds, computed one local day
# at a time and cached, so finding a due time jumps from day to day and from interval to
# interval (never minute by minute). Wall-clock times are placed in real time as zoneinfo
# does: a time that a daylight-saving change skips or repeats takes the offset in force
# before the change (fold=0). A range is therefore exactly as long as the real time that
# passes between its ends.

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_CLOSED_DAYS = 3 * 366  # a search that finds no open time for this long gives up
HORIZON_YEARS = 100  # the clock counts this far from a ticket's opening, no further
Interval = tuple[float, float]
Pauses = tuple[Interval, ...] | list[Interval]


class ClockError(ValueError):
    """The clock cannot run: the calendar has no open time ahead."""


def _range_minutes(text: str) -> tuple[int, int]:
    start, end = text.split("-")
    return clock_minutes(start), clock_minutes(end)


def clock_minutes(text: str) -> int:
    """'08:30' -> 510 (minutes after midnight; '24:00' -> 1440)."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, non-overlapping, non-touching intervals."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


class HolidayLike(Protocol):
    @property
    def date(self) -> str: ...

    @property
    def name(self) -> str | None: ...


class CalendarLike(Protocol):
    """What a clock is made from: a typed Calendar (itsmctl.model.typed)."""

    @property
    def name(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    @property
    def always(self) -> bool: ...

    @property
    def hours(self) -> Mapping[str, tuple[str, ...]] | None: ...

    @property
    def holidays(self) -> tuple[HolidayLike, ...]: ...

    @property
    def public_holidays(self) -> tuple[str, str | None] | None: ...


class _OpenTable:
    """The clock's open intervals over a span of days, each with the open time before it,
    so that "open time between two instants" and "the instant by which N seconds of open
    time have passed" are binary searches instead of walks.

    Each computation begins with `start(opened)`, which builds the table around the
    opening when it does not already reach it (or reaches it only by growing past
    HORIZON_YEARS); after that the table only grows to the right, a year at a time, so
    positions taken during one computation stay comparable. Growing past the opening's
    horizon is a ClockError: a pause or a target that long would build a table of
    centuries, day by day."""

    CHUNK = 366
    HORIZON_DAYS = HORIZON_YEARS * 366

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.first = self.last = 0  # ordinals of the days covered: [first, last)
        self.low = self.high = 0.0  # the instants they span
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.before: list[float] = []  # open seconds before each interval
        self.through: list[float] = []  # open seconds up to each interval's end
        self.opened = 0.0  # the opening of the current computation
        self._limit: int | None = 0  # the day it may not grow past (None: not yet known)

    def _midnight(self, ordinal: int) -> float:
        return self.clock._instant(dt.date.fromordinal(ordinal), 0)

    def _build(self, first: int, last: int) -> None:
        self.first, self.last = first, first
        self.starts, self.ends, self.before, self.through = [], [], [], []
        self.low = self.high = self._midnight(first)
        self._grow(last - first)

    @property
    def limit(self) -> int:
        """The day (ordinal) HORIZON_YEARS after the computation's opening."""
        if self._limit is None:
            self._limit = self.clock.local(self.opened).toordinal() + self.HORIZON_DAYS
        return self._limit

    def _grow(self, days: int) -> None:
        if self.last + days > self.limit:
            raise self.beyond()
        total = self.through[-1] if self.through else 0.0
        for ordinal in range(self.last, self.last + days):
            for begin, end in self.clock.day_intervals(ordinal):
                self.starts.append(begin)
                self.ends.append(end)
                self.before.append(total)
                total += end - begin
                self.through.append(total)
        self.last += days
        self.high = self._midnight(self.last)

    def beyond(self) -> ClockError:
        return ClockError(
            f"the clock counts at most {HORIZON_YEARS} years from "
            f"{self.clock.local(self.opened).date().isoformat()}; a pause or a target "
            f"that reaches further is not supported")

    def start(self, opened: float) -> None:
        """Begin a computation from `opened`: the table spans it, and may grow
        HORIZON_YEARS beyond it."""
        self.opened = opened
        if self.low <= opened < self.high:  # the usual case: nothing to build
            self._limit = None
            return
        day = self.clock.local(opened).toordinal()
        self._limit = day + self.HORIZON_DAYS
        near = self.first - self.CHUNK < day < self.last + self.CHUNK
        if not self.starts or not near or self.last - self.first > self.HORIZON_DAYS:
            self._build(day - 1, min(day + self.CHUNK, self.limit))
        elif opened < self.low:  # extend to the left: rebuilt, as positions all shift
            self._build(min(day - 1, self.first - self.CHUNK), min(self.last, self.limit))
        self.cover(opened)

    def cover(self, instant: float) -> None:
        """Make sure the table spans `instant` (not before the computation's opening)."""
        if instant >= self.high and instant >= self._midnight(self.limit):
            raise self.beyond()
        while instant >= self.high:
            self._grow(min(self.CHUNK, max(self.limit - self.last, 1)))

    def position(self, instant: float) -> float:
        """Open seconds from the table's start to `instant` (covered)."""
        i = bisect.bisect_right(self.starts, instant) - 1
        if i < 0:
            return 0.0
        end = self.ends[i]  # (not min(): a replay's inner loop)
        return self.before[i] + (instant if instant < end else end) - self.starts[i]

    def _more(self, since: float, closed: int) -> int:
        """Grow by a chunk; the days without open time so far (too many: ClockError)."""
        count = len(self.starts)
        self._grow(min(self.CHUNK, max(self.limit - self.last, 1)))
        closed = closed + self.CHUNK if len(self.starts) == count else 0
        if closed > MAX_CLOSED_DAYS:
            raise ClockError(f"calendar {self.clock.name or self.clock.tzname} has no open "
                             f"time in the {MAX_CLOSED_DAYS} days after "
                             f"{self.clock.local(since).date().isoformat()}")
        return closed

    def instant(self, position: float, since: float) -> float:
        """The earliest instant by which `position` seconds of open time (from the table's
        start) have passed; `since` names the day searched from if there is none."""
        closed = 0
        while not self.through or self.through[-1] < position:
            closed = self._more(since, closed)
        j = bisect.bisect_left(self.through, position)
        return self.starts[j] + (position - self.before[j])

    def next_open(self, instant: float) -> float:
        """`instant` if the calendar is open then, else its next opening."""
        i = bisect.bisect_right(self.starts, instant) - 1
        if i >= 0 and instant < self.ends[i]:
            return instant
        closed = 0
        while i + 1 >= len(self.starts):
            closed = self._more(instant, closed)
        return self.starts[i + 1]


# -- public holidays (the `holidays` package) ------------------------------------------------

def _holiday_countries() -> Any:
    """The `holidays.countries` package, whose countries are imported one at a time when
    named. The package itself imports all ~250 at once (0.15-0.2 s, more than validating
    a small catalog); what itsmctl asks of it is one country's class at a time. Falls back
    to the package as it is when its layout is not the one expected."""
    import importlib
    import importlib.util
    import sys
    import types

    name = "holidays.countries"
    if name in sys.modules:
        return sys.modules[name]
    from holidays import registry

    spec = importlib.util.find_spec(name)
    known = getattr(registry, "COUNTRIES", None)
    if spec is None or not spec.submodule_search_locations or not isinstance(known, dict):
        return importlib.import_module(name)
    where = {alias: module for module, names in known.items() for alias in names}
    package = types.ModuleType(name)
    package.__spec__, package.__path__ = spec, list(spec.submodule_search_locations)
    package.__package__ = name

    def lookup(attribute: str) -> Any:
        if attribute not in where:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        return getattr(importlib.import_module(f"{name}.{where[attribute]}"), attribute)

    package.__getattr__ = lookup  # type: ignore[method-assign]
    sys.modules[name] = package
    return package


@cache
def _holiday_class(country: str) -> Any:
    from holidays import registry

    for names in registry.COUNTRIES.values():
        if country in names[1:]:
            return getattr(_holiday_countries(), names[0])
    return None


def holiday_countries() -> list[str]:
    """The country codes public holidays are known for (ISO 3166-1 alpha-2, aliases too)."""
    from holidays import registry

    return [code for names in registry.COUNTRIES.values() for code in names[1:]
            if 2 <= len(code) <= 3]


def holiday_subdivisions(country: str) -> list[str] | None:
    """The subdivisions of a country with public holidays (None: an unknown country)."""
    found = _holiday_class(country) if country in holiday_countries() else None
    return None if found is None else list(found.subdivisions)


def public_holidays(country: str, subdivision: str | None, year: int) -> dict[dt.date, str]:
    """A year's public holidays of a country (or one of its subdivisions), by name."""
    found = _holiday_class(country)
    if found is None:
        raise ValueError(f"no public holidays are known for country '{country}'")
    if subdivision is not None and subdivision not in found.subdivisions:
        raise ValueError(f"no public holidays are known for subdivision '{subdivision}' of "
                         f"{country}")
    return {day: str(name) for day, name in found(subdiv=subdivision, years=year).items()
            if name}


class Clock:
    """A business calendar as open intervals in real time (docs/sla-clock.md, rules 1-2)."""

    def __init__(self, tz: str, always: bool = False,
                 hours: dict[str, list[str]] | None = None,
                 holidays: dict[dt.date, str] | None = None,
                 public: tuple[str, str | None] | None = None, name: str = "") -> None:
        self.name = name
        self.tzname = tz
        self.tz = timezone(tz)
        self.always = always
        self.weekly = [tuple(_range_minutes(r) for r in (hours or {}).get(day, ()))
                       for day in WEEKDAYS]
        self.holidays = dict(holidays or {})
        self.public = public
        self._public_years: dict[int, dict[dt.date, str]] = {}
        self._days: dict[int, tuple[Interval, ...]] = {}
        self._table = _OpenTable(self)
        self._reachable = self.weekly_seconds() * _OpenTable.HORIZON_DAYS / 7

    @classmethod
    def of_calendar(cls, calendar: CalendarLike) -> Clock:
        return cls(calendar.timezone, calendar.always,
                   {day: list(ranges) for day, ranges in (calendar.hours or {}).items()},
                   {dt.date.fromisoformat(h.date): h.name if h.name is not None else "holiday"
                    for h in calendar.holidays},
                   calendar.public_holidays, calendar.name)

    # -- days ---------------------------------------------------------------------------

    def holiday(self, day: dt.date) -> str | None:
        """The holiday's name when the whole local day is closed for one."""
        if day in self.holidays:
            return self.holidays[day]
        if self.public is None:
            return None
        year = self._public_years.get(day.year)
        if year is None:
            country, subdivision = self.public
            year = self._public_years[day.year] = public_holidays(country, subdivision,
                                                                   day.year)
        return year.get(day)

    def _instant(self, day: dt.date, minutes: int) -> float:
        if minutes >= 1440:
            day, minutes = day + dt.timedelta(days=1), minutes - 1440
        local = dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60,
                            tzinfo=self.tz)
        return local.timestamp()

    def day_intervals(self, ordinal: int) -> tuple[Interval, ...]:
        """The open intervals of one local day (by date ordinal), in real time."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = dt.date.fromordinal(ordinal)
        if self.always:
            found: tuple[Interval, ...] = ((self._instant(day, 0), self._instant(day, 1440)),)
        elif self.holiday(day) is not None:
            found = ()
        else:
            found = tuple((self._instant(day, s), self._instant(day, e))
                          for s, e in self.weekly[day.weekday()])
        if len(self._days) > 200_000:
            self._days.clear()
        self._days[ordinal] = found
        return found

    def holidays_between(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
        """Every holiday (company or public) from `first` to `last`, both included."""
        out = []
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            day = dt.date.fromordinal(ordinal)
            name = self.holiday(day)
            if name is not None:
                out.append((day, name))
        return out

    def least_open_time(self, first: dt.date, last: dt.date, days: int) -> float:
        """The least open time (real seconds) in any `days` consecutive local days that
        start between `first` and `last`: how much business time a fixed stretch of
        calendar time is sure to hold."""
        start, stop = first.toordinal(), last.toordinal() + days
        daily = [sum(e - b for b, e in self.day_intervals(o)) for o in range(start, stop)]
        window = sum(daily[:days])
        least = window
        for i in range(days, len(daily)):
            window += daily[i] - daily[i - days]
            least = min(least, window)
        return least

    def wall_time(self, day: dt.date, minutes: int) -> float:
        """The instant of a local wall-clock time (minutes after midnight) on `day`."""
        return self._instant(day, minutes)

    def local(self, instant: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(instant, self.tz)

    def open_segments(self, start: float) -> Iterator[Interval]:
        """Open intervals from `start` on, clipped to it, in order; endless."""
        if self.always:
            yield start, math.inf
            return
        ordinal = self.local(start).toordinal()
        closed = 0
        while True:
            intervals = self.day_intervals(ordinal)
            for begin, end in intervals:
                if end > start:
                    yield max(begin, start), end
            closed = 0 if intervals else closed + 1
            if closed > MAX_CLOSED_DAYS:
                raise ClockError(f"calendar {self.name or self.tzname} has no open time in "
                                 f"the {MAX_CLOSED_DAYS} days after "
                                 f"{self.local(start).date().isoformat()}")
            ordinal += 1

    # -- the clock ----------------------------------------------------------------------

    def _counted(self, start: float, pauses: list[Interval]) -> Iterator[Interval]:
        """Open, unpaused intervals from `start` on (rules 3 and 5)."""
        index, count = 0, len(pauses)
        for begin, end in self.open_segments(start):
            cursor = begin
            while cursor < end:
                while index < count and pauses[index][1] <= cursor:
                    index += 1
                if index < count and pauses[index][0] <= cursor:
                    cursor = min(pauses[index][1], end)
                    continue
                stop = min(end, pauses[index][0]) if index < count else end
                yield cursor, stop
                cursor = stop

    def clock_start(self, opened: float, pauses: Pauses = ()) -> float:
        """The first instant the clock runs: opened, or the next opening (rule 3)."""
        table = self._table
        table.start(opened)
        at = table.next_open(opened)
        for start, end in pauses:  # sorted and merged
            if end <= at:
                continue
            if start > at:
                break
            table.cover(end)
            at = table.next_open(end)
        return at

    def due(self, opened: float, target: float, pauses: Pauses = ()) -> float:
        """The earliest instant at which `target` seconds of open, unpaused time have
        passed since `opened` (rule 4: exactly at a range's end when it runs out there)."""
        if target <= 0:
            return self.clock_start(opened, pauses)
        table = self._table
        table.start(opened)
        self._within_horizon(target)
        cursor, remaining = opened, target
        for start, end in pauses:  # sorted and merged
            if end <= cursor:
                continue
            if start > cursor:
                table.cover(start)
                available = table.position(start) - table.position(cursor)
                if available >= remaining:
                    break
                remaining -= available
            cursor = end
            table.cover(cursor)
        return table.instant(table.position(cursor) + remaining, opened)

    def _within_horizon(self, target: float) -> None:
        """Refuse at once a target that more than HORIZON_YEARS of open weeks cannot
        reach, instead of building the table a century out to find out."""
        if target > self._reachable:
            raise self._table.beyond()

    def dues(self, opened: float, response: float | None, resolution: float,
             pauses: Pauses = ()) -> tuple[float | None, float]:
        """`due` for a response target (None: not set) and a resolution target from one
        opening: where the clock starts is found once (a replay's inner loop)."""
        if pauses or resolution <= 0 or (response is not None and response <= 0):
            return (None if response is None else self.due(opened, response, pauses),
                    self.due(opened, resolution, pauses))
        table = self._table
        table.start(opened)
        if resolution > self._reachable or (response or 0.0) > self._reachable:
            raise table.beyond()
        start = table.position(opened)
        return (None if response is None else table.instant(start + response, opened),
                table.instant(start + resolution, opened))

    def elapsed(self, opened: float, until: float, pauses: Pauses = ()) -> float:
        """Open, unpaused seconds counted between `opened` and `until` (rule 7)."""
        if until <= opened:
            return 0.0
        table = self._table
        table.start(opened)
        table.cover(until)
        total = table.position(until) - table.position(opened)
        for start, end in pauses:
            if end > opened and start < until:
                total -= table.position(min(end, until)) - table.position(max(start, opened))
        return total

    def counted_until_due(self, opened: float, target: float,
                          pauses: Pauses = ()) -> list[Interval]:
        """The intervals that count towards a target (for `sla due --explain`)."""
        out: list[Interval] = []
        remaining = target
        for begin, end in self._counted(opened, list(pauses)):
            take = min(end - begin, remaining)
            out.append((begin, begin + take))
            remaining -= take
            if remaining <= 0:
                return out
        return out

    def weekly_seconds(self) -> float:
        """Open time in a week without holidays, by the wall clock (168 h when always)."""
        if self.always:
            return 7 * 86400.0
        return sum(e - b for ranges in self.weekly for b, e in ranges) * 60.0

    def open_seconds(self, start: dt.date, days: int) -> float:
        """Open time in `days` local days from `start`, by the wall clock (a daylight-
        saving day counts its nominal hours): for sanity checks of targets, not due times."""
        if self.always:
            return days * 86400.0
        weekly = [sum(e - b for b, e in ranges) * 60.0 for ranges in self.weekly]
        total = 0.0
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            if weekly[day.weekday()] and self.holiday(day) is None:
                total += weekly[day.weekday()]
        return total


def seconds(text: str) -> float:
    """A duration (docs/format.md) in seconds."""
    return parse_duration(text).total_seconds()


def moment(text: str, tz: dt.tzinfo = dt.timezone.utc) -> dt.datetime:
    """An ISO 8601 date-time (or a date: its midnight) as an aware datetime; naive ones
    are read in `tz`. Raises ValueError, also for a year outside FIRST_YEAR..LAST_YEAR
    (due times are computed years ahead, and datetime ends at 9999)."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        text = text.strip()
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise OutOfRange()
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def to_instant(text: str, tz: dt.tzinfo) -> float:
    """`moment` as epoch seconds."""
    return moment(text, tz).timestamp()


class IntervalError(ValueError):
    """Why a 'START/END' text is not an interval: `problem` is 'shape' (not START/END),
    'time' (`part` is not a date-time) or 'order' (it ends before it starts)."""

    def __init__(self, problem: str, text: str, part: str = "") -> None:
        super().__init__(f"{problem}: {text}")
        self.problem, self.text, self.part = problem, text, part


def parse_interval(text: str, tz: dt.tzinfo) -> Interval:
    """'START/END' (ISO 8601; naive times in `tz`) as an interval of instants."""
    begin, sep, end = text.strip().partition("/")
    if not sep or not begin.strip() or not end.strip():
        raise IntervalError("shape", text)
    instants = []
    for part in (begin, end):
        try:
            instants.append(to_instant(part, tz))
        except ValueError:
            raise IntervalError("time", text, part.strip()) from None
    if instants[1] < instants[0]:
        raise IntervalError("order", text)
    return instants[0], instants[1]


def iso(instant: float, tz: dt.tzinfo) -> str:
    """An instant as ISO 8601 with the offset it has in `tz`."""
    return dt.datetime.fromtimestamp(instant, tz).isoformat(timespec="seconds")


def iso_minutes(instant: float, tz: dt.tzinfo) -> str:
    """An instant as ISO 8601 to the minute, with its offset in `tz` (for messages)."""
    return dt.datetime.fromtimestamp(instant, tz).isoformat(timespec="minutes")


def format_duration(value: float) -> str:
    """Seconds as a duration (docs/format.md): 5400 -> '1h30m', 4 days -> '4d'; the
    inverse of `parse_duration` for whole minutes (weeks are written as days)."""
    minutes = round(value / 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n)
    return text or "0m"


# --- periods and recurrences: freezes, change requests, maintenance windows ----------------
#
# (docs/changes.md) A period is half-open, [start, end): back-to-back periods never overlap.
# A date alone is a whole local day. A maintenance window is an RFC 5545 rule read in its
# own timezone: each occurrence starts at a local wall-clock time, placed in real time as
# zoneinfo does (a time the daylight-saving change skips or repeats takes the offset in
# force before the change, fold=0, as for the SLA clock), and lasts its duration of real
# time.


def period(start: str, end: str, tz: str) -> Interval:
    """[start, end) of a freeze or change request: a date alone is the whole local day in
    `tz` (`start`: its first instant; `end`: the first instant of the next day)."""
    return (parse_instant(start, tz).timestamp(),
            parse_instant(end, tz, end_of_day=True).timestamp())


def overlaps(a: Interval, b: Interval) -> bool:
    """Whether two half-open intervals share an instant (touching ones do not)."""
    return a[0] < b[1] and b[0] < a[1]


def within(inner: Interval, outer: Interval) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


RRULE_ANCHOR = dt.datetime(2000, 1, 1)  # local midnight; rules without DTSTART count from it
_YEARLY, _MONTHLY, _WEEKLY, _DAILY, _HOURLY = range(5)
RECURRENCE_HORIZON_DAYS = 3 * 366  # how far ahead a next occurrence is looked for


def parse_rrule(text: str, tz: str = "UTC") -> Any:
    """An RFC 5545 recurrence rule (`FREQ=WEEKLY;BYDAY=SU;BYHOUR=2`, optionally after a
    `DTSTART:` line) as a dateutil `rrule` over naive local wall-clock times in `tz`.

    The one reader of recurrence rules. Without DTSTART the rule counts from RRULE_ANCHOR
    (what INTERVAL and COUNT count from, and where an unspecified weekday, day or time of
    day is taken from); an UNTIL in UTC (`...Z`, as RFC 5545 asks with a timezone) is read
    as the local time it is. Raises ValueError saying what is wrong: the rule does not
    parse, is not one rule (RDATE, EXDATE, several RRULEs), recurs more often than hourly,
    has INTERVAL below 1, or has both COUNT and UNTIL.
    """
    from dateutil.rrule import rrule, rrulestr

    zone = timezone(tz)
    text = text.strip()
    if not text:
        raise ValueError("the rule is empty")
    _check_rule_parts(text)
    if "UNTIL" in text.upper() and "COUNT" in text.upper():
        raise ValueError("a rule has COUNT or UNTIL, not both")
    try:
        try:
            rule = rrulestr(text, dtstart=RRULE_ANCHOR)
        except ValueError as error:
            if "UNTIL" not in str(error):
                raise
            rule = rrulestr(text, dtstart=RRULE_ANCHOR.replace(tzinfo=zone))
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as error:
        raise ValueError(f"a value is not what RFC 5545 allows there ({error})") from None
    if not isinstance(rule, rrule):
        raise ValueError("give one RRULE (RDATE, EXDATE and several rules are not supported)")
    parts: Any = rule
    if parts._freq > _HOURLY:
        raise ValueError(f"FREQ={('MINUTELY', 'SECONDLY')[parts._freq - 5]}: a window "
                         "recurs at most hourly")
    if parts._interval < 1:
        raise ValueError("INTERVAL must be 1 or more")
    start, until = parts._dtstart, parts._until
    if start.tzinfo is not None or (until is not None and until.tzinfo is not None):
        rule = rule.replace(dtstart=_naive_local(start, zone),
                            until=None if until is None else _naive_local(until, zone))
    return rule


RRULE_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYSECOND", "BYMINUTE", "BYHOUR",
               "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST")
_RRULE_EXAMPLE = "e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"


def _check_rule_parts(text: str) -> None:
    """The rule's shape, said in the rule's own terms (before dateutil reads the values):
    NAME=VALUE parts separated by ';', names RFC 5545 knows, one FREQ."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    rules = [line for line in lines if not line.upper().startswith(("DTSTART", "EXDATE",
                                                                     "RDATE"))]
    for line in rules:
        body = line[6:] if line.upper().startswith("RRULE:") else line
        names = []
        for part in body.split(";"):
            name, sep, value = part.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise ValueError(f"'{part}' is not a NAME=VALUE part (a rule is parts "
                                 f"separated by ';', {_RRULE_EXAMPLE})")
            name = name.strip().upper()
            if name not in RRULE_PARTS:
                raise ValueError(f"unknown part '{name}'{did_you_mean(name, RRULE_PARTS)}; "
                                 f"the parts are {', '.join(RRULE_PARTS)}")
            _check_rule_value(name, value.strip())
            names.append(name)
        if names.count("FREQ") != 1:
            raise ValueError(f"a rule has exactly one FREQ ({_RRULE_EXAMPLE})")


_RULE_LIMITS = {"COUNT": 100_000, "INTERVAL": 10_000}


def _check_rule_value(name: str, value: str) -> None:
    """What keeps a window's rule bounded: COUNT and INTERVAL within limits, and at most
    one minute and second per hour (a window recurs at most hourly)."""
    if name in _RULE_LIMITS:
        if not value.isdigit() or int(value) > _RULE_LIMITS[name]:
            raise ValueError(f"{name}={value[:20]}: {name} is a number up to "
                             f"{_RULE_LIMITS[name]:,}")
    elif name in ("BYMINUTE", "BYSECOND") and "," in value:
        raise ValueError(f"{name}={value[:40]}: a window recurs at most hourly, so the rule "
                         f"gives one {name[2:].lower()}")


def _naive_local(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def _months(value: dt.datetime) -> int:
    return value.year * 12 + value.month - 1


@contextmanager
def _expanding_until(until: dt.datetime) -> Iterator[None]:
    """While dateutil expands a rule up to `until`. It checks UNTIL only against the
    occurrences it finds, so a rule that finds none (the 30th of February) would search
    every period up to datetime.MAXYEAR — seconds to minutes of work, which a pull request
    could ask for. For the expansion, that last year is lowered to just after `until`."""
    saved = dt.MAXYEAR
    setattr(dt, "MAXYEAR", min(saved, until.year + 1))  # noqa: B010 - a module constant
    try:
        yield
    finally:
        setattr(dt, "MAXYEAR", saved)  # noqa: B010


class Recurrence:
    """The occurrences of a recurring period (a maintenance window): an RFC 5545 rule read
    in timezone `tz` (see `parse_rrule`), each occurrence lasting `duration` seconds of real
    time. Raises ValueError for a rule or timezone that cannot be read."""

    def __init__(self, rule: str, tz: str, duration: float) -> None:
        self.text = rule
        self.tzname = tz
        self.tz = timezone(tz)
        self.duration = duration
        self.rule: Any = parse_rrule(rule, tz)
        self._start: dt.datetime = self.rule._dtstart
        self._until: dt.datetime | None = self.rule._until
        self._count: int | None = self.rule._count

    def _anchor(self, lo: dt.datetime) -> dt.datetime:
        """A start for the rule at most `lo` and a whole number of INTERVALs after its own
        DTSTART: the same occurrences from there on, found without iterating from 2000."""
        base = self._start
        step: int = self.rule._interval
        freq: int = self.rule._freq
        if self._count is not None or lo <= base:
            return base
        if freq == _YEARLY:
            n = (lo.year - 1 - base.year) // step * step
            if n > 0 and not (base.month == 2 and base.day == 29):
                return base.replace(year=base.year + n)
        elif freq == _MONTHLY:
            n = (_months(lo) - 1 - _months(base)) // step * step
            if n > 0 and base.day <= 28:
                year, month = divmod(_months(base) + n, 12)
                return base.replace(year=year, month=month + 1)
        else:
            unit = {_WEEKLY: dt.timedelta(weeks=1), _DAILY: dt.timedelta(days=1),
                    _HOURLY: dt.timedelta(hours=1)}[freq] * step
            n = (lo - base) // unit - 1
            if n > 0:
                return base + n * unit
        return base

    def _local_starts(self, lo: dt.datetime, hi: dt.datetime) -> list[dt.datetime]:
        """Occurrence starts (naive local wall-clock times) from `lo` to `hi`, inclusive."""
        until = hi if self._until is None else min(hi, self._until)
        with _expanding_until(until):
            if self._count is not None:
                rule = self.rule.replace(count=None, until=until)
                starts = list(itertools.islice(rule, self._count))
            else:
                anchor = self._anchor(lo)
                if until < anchor:
                    return []
                starts = list(self.rule.replace(dtstart=anchor, until=until))
        return [s for s in starts if s >= lo]

    def _wall(self, instant: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(instant, self.tz).replace(tzinfo=None)

    def occurrences(self, start: float, end: float) -> Iterator[Interval]:
        """The occurrences that overlap [start, end), in order."""
        margin = dt.timedelta(days=1)
        lo = self._wall(start - self.duration) - margin
        hi = self._wall(end) + margin
        previous = None
        for local in self._local_starts(lo, hi):
            begin = local.replace(tzinfo=self.tz).timestamp()
            if begin == previous:  # two wall-clock times a daylight-saving change merges
                continue
            previous = begin
            if begin < end and begin + self.duration > start:
                yield begin, begin + self.duration

    def containing(self, start: float, end: float) -> Interval | None:
        """The first occurrence that holds all of [start, end), or None. Only those running
        at `start` are looked at, however long the period is."""
        for occurrence in self.occurrences(start, start + 1):
            if within((start, end), occurrence):
                return occurrence
        return None

    def upcoming(self, after: float, days: int = RECURRENCE_HORIZON_DAYS) -> Iterator[Interval]:
        """Occurrences that end after `after`, in order, for at most `days` days."""
        step = 64 * 86400.0
        cursor, stop = after, after + days * 86400.0
        while cursor < stop:
            chunk_end = min(cursor + step, stop)
            for occurrence in self.occurrences(cursor, chunk_end):
                if cursor == after or occurrence[0] >= cursor:  # not twice across chunks
                    yield occurrence
            cursor = chunk_end

    def first_local_start(self, after: float) -> dt.datetime | None:
        """The first occurrence starting at or after `after`, as an aware local time."""
        for begin, _end in self.upcoming(after):
            if begin >= after:
                return dt.datetime.fromtimestamp(begin, self.tz)
        return None

    def _nominal_first(self, after: float) -> dt.datetime | None:
        """The rule's own (naive, wall-clock) start of the first occurrence at or after
        `after`: 02:00 on the day a daylight-saving change skips 02:00-03:00."""
        step = dt.timedelta(days=64)
        lo = self._wall(after) - dt.timedelta(days=1)
        for _ in range(0, RECURRENCE_HORIZON_DAYS, 64):
            for local in self._local_starts(lo, lo + step):
                if local.replace(tzinfo=self.tz).timestamp() >= after:
                    return local
            lo += step
        return None

    def series(self, after: float) -> tuple[dt.datetime, str] | None:
        """The rule restated from its first occurrence at or after `after`, for calendars
        that expand rules themselves (iCalendar's DTSTART;TZID=... with RRULE): that start
        (aware, with the rule's wall-clock time) and the RRULE value (UNTIL in UTC, COUNT
        what remains). None when nothing occurs from `after` on."""
        first = self._nominal_first(after)
        if first is None:
            return None
        count = None
        if self._count is not None:
            before = self.rule.replace(count=None, until=first - dt.timedelta(microseconds=1))
            with _expanding_until(first):
                count = self._count - sum(1 for _ in itertools.islice(before, self._count))
        restated = str(self.rule.replace(dtstart=first, until=None, count=count))
        value = next(line for line in restated.splitlines() if line.startswith("RRULE:"))[6:]
        if self._until is not None:
            until = self._until.replace(tzinfo=self.tz).astimezone(dt.timezone.utc)
            value += f";UNTIL={until:%Y%m%dT%H%M%SZ}"
        return first.replace(tzinfo=self.tz), value


class Transition(NamedTuple):
    """A change of a timezone's UTC offset (for VTIMEZONE)."""

    instant: float
    offset_before: dt.timedelta
    offset_after: dt.timedelta
    dst_after: bool
    name_after: str


def _offset(zone: dt.tzinfo, instant: float) -> dt.timedelta:
    offset = dt.datetime.fromtimestamp(instant, zone).utcoffset()
    return offset if offset is not None else dt.timedelta()


def transitions(tz: str, start: float, end: float) -> list[Transition]:
    """The UTC-offset changes of `tz` between two instants, found to the second."""
    zone = timezone(tz)
    step = 6 * 3600.0
    found: list[Transition] = []
    cursor = start
    before = _offset(zone, cursor)
    while cursor < end:
        probe = min(cursor + step, end)
        after = _offset(zone, probe)
        if after != before:
            low, high = cursor, probe  # offset(low) == before, offset(high) != before
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, middle) == before:
                    low = middle
                else:
                    high = middle
            local = dt.datetime.fromtimestamp(high, zone)
            found.append(Transition(high, before, local.utcoffset() or dt.timedelta(),
                                    bool(local.dst()), local.tzname() or tz))
            before = local.utcoffset() or dt.timedelta()
            cursor = high
            continue
        cursor = probe
    return found
