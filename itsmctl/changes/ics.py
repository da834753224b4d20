"""iCalendar (RFC 5545) writing, for the change calendar and the `ical` build target.

Events are plain data; `write_calendar` turns them into a VCALENDAR with a VTIMEZONE for
every IANA timezone the events use (its UTC-offset changes over the span the events
cover), CRLF lines folded at 75 octets and escaped text. The same events give the same
bytes: nothing depends on the clock or the machine (the caller passes `stamp`).

Two shapes of event fit:

- a single period: `Event(uid, summary, start, end)` with aware datetimes (written as
  `DTSTART;TZID=Europe/Berlin:20261206T020000` when the timezone is a `ZoneInfo`, in UTC
  otherwise) or dates (whole days, `VALUE=DATE`);
- a recurring one: `Event(uid, summary, start, duration=..., rrule="FREQ=WEEKLY;...")`,
  the rule written as is, not expanded (`Recurrence.series` in itsmctl.timecalc restates a
  maintenance window's rule from a given first occurrence); pass `zones_until` so that the
  VTIMEZONE covers the years the rule runs.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from itsmctl import __version__
from itsmctl.timecalc import transitions

PRODID = f"-//itsmctl//itsmctl {__version__}//EN"
STATUSES = ("TENTATIVE", "CONFIRMED", "CANCELLED")
_MARGIN = 86400.0


@dataclass(frozen=True)
class Event:
    """One VEVENT."""

    uid: str  # stable, so calendar clients update an event rather than add it again
    summary: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date | None = None
    duration: dt.timedelta | None = None  # instead of `end` (written in exact hours/minutes)
    description: str | None = None
    categories: tuple[str, ...] = ()
    status: str | None = None  # one of STATUSES
    transparent: bool = False  # does not make its attendees busy
    rrule: str | None = None  # an RFC 5545 RRULE value: the event recurs
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.end is None) == (self.duration is None):
            raise ValueError(f"event {self.uid}: give an end or a duration")
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"event {self.uid}: status {self.status} is not one of {STATUSES}")
        for value in (self.start, self.end):
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                raise ValueError(f"event {self.uid}: {value} has no timezone")


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """One content line folded at 75 octets (never inside a UTF-8 character), CRLF ended."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def _zone(value: dt.datetime) -> zoneinfo.ZoneInfo | None:
    """The IANA zone a datetime is written in (TZID), or None to write it in UTC."""
    zone = value.tzinfo
    if not isinstance(zone, zoneinfo.ZoneInfo) or zone.key in ("UTC", "Etc/UTC"):
        return None
    if value.fold:  # the second of two equal wall-clock times: TZID would mean the first
        again = value.replace(fold=0)
        if again.utcoffset() != value.utcoffset():
            return None
    return zone


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def date_time(name: str, value: dt.datetime | dt.date) -> str:
    """`DTSTART;TZID=Europe/Berlin:20261206T020000`, `...:20261206T010000Z` or
    `DTSTART;VALUE=DATE:20261206`."""
    if not isinstance(value, dt.datetime):
        return f"{name};VALUE=DATE:{value:%Y%m%d}"
    zone = _zone(value)
    if zone is None:
        return f"{name}:{_utc(value)}"
    return f"{name};TZID={zone.key}:{value:%Y%m%dT%H%M%S}"


def exact_duration(value: dt.timedelta) -> str:
    """An exact RFC 5545 duration: hours, minutes, seconds (days and weeks would be
    nominal, and change length across a daylight-saving change)."""
    total = int(value.total_seconds())
    sign, total = ("-", -total) if total < 0 else ("", total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return f"{sign}PT{text or '0S'}"


def _offset(value: dt.timedelta) -> str:
    total = int(value.total_seconds())
    sign, total = ("-", -total) if total < 0 else ("+", total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def vtimezone(zone: zoneinfo.ZoneInfo, start: float, end: float) -> list[str]:
    """A VTIMEZONE for `zone` between two instants: the offset in force at `start`, then
    each change of offset until `end` (explicit, no recurrence rules)."""
    begin = dt.datetime.fromtimestamp(start, zone)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]

    def part(dst: bool, local: dt.datetime, before: dt.timedelta, after: dt.timedelta,
             name: str) -> None:
        kind = "DAYLIGHT" if dst else "STANDARD"
        lines.extend([f"BEGIN:{kind}", f"DTSTART:{local:%Y%m%dT%H%M%S}",
                      f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(after)}",
                      f"TZNAME:{escape(name)}", f"END:{kind}"])

    offset = begin.utcoffset() or dt.timedelta()
    part(bool(begin.dst()), begin.replace(tzinfo=None), offset, offset,
         begin.tzname() or zone.key)
    for change in transitions(zone.key, start, end):
        local = dt.datetime.fromtimestamp(change.instant, dt.timezone(change.offset_before))
        part(change.dst_after, local.replace(tzinfo=None), change.offset_before,
             change.offset_after, change.name_after)
    lines.append("END:VTIMEZONE")
    return lines


def _instant(value: dt.datetime | dt.date) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return dt.datetime.combine(value, dt.time(), dt.timezone.utc).timestamp()


def _event(event: Event, stamp: dt.datetime) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{escape(event.uid)}", f"DTSTAMP:{_utc(stamp)}",
             date_time("DTSTART", event.start)]
    if event.end is not None:
        lines.append(date_time("DTEND", event.end))
    elif event.duration is not None:
        lines.append(f"DURATION:{exact_duration(event.duration)}")
    if event.rrule:
        lines.append(f"RRULE:{event.rrule}")
    lines.append(f"SUMMARY:{escape(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape(c) for c in event.categories))
    if event.status:
        lines.append(f"STATUS:{event.status}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines += [f"TRANSP:{'TRANSPARENT' if event.transparent else 'OPAQUE'}", "END:VEVENT"]
    return lines


def write_calendar(events: Iterable[Event], *, name: str, stamp: dt.datetime,
                   description: str | None = None, refresh: dt.timedelta | None = None,
                   zones_until: dt.datetime | None = None) -> str:
    """A VCALENDAR of `events` (in the order given), stamped `stamp` (DTSTAMP). Each IANA
    timezone used gets a VTIMEZONE covering the events, and up to `zones_until` (for
    recurring events). `refresh` asks subscribing clients to reload that often."""
    listed: Sequence[Event] = list(events)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"NAME:{escape(name)}", f"X-WR-CALNAME:{escape(name)}"]
    if description:
        lines += [f"DESCRIPTION:{escape(description)}", f"X-WR-CALDESC:{escape(description)}"]
    if refresh is not None:
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{exact_duration(refresh)}",
                  f"X-PUBLISHED-TTL:{exact_duration(refresh)}"]
    spans: dict[str, list[float]] = {}
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    for event in listed:
        for value in (event.start, event.end):
            if isinstance(value, dt.datetime):
                zone = _zone(value)
                if zone is not None:
                    zones[zone.key] = zone
                    spans.setdefault(zone.key, []).append(_instant(value))
        if event.duration is not None and isinstance(event.start, dt.datetime):
            zone = _zone(event.start)
            if zone is not None:
                spans[zone.key].append(_instant(event.start) + event.duration.total_seconds())
    for key in sorted(zones):
        first, last = min(spans[key]), max(spans[key])
        if zones_until is not None:
            last = max(last, zones_until.timestamp())
        lines += vtimezone(zones[key], first - _MARGIN, last + _MARGIN)
    for event in listed:
        lines += _event(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
