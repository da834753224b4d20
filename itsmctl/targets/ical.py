"""`build --target ical`: maintenance windows, change freezes and the change requests in
flight as iCalendar files (RFC 5545) to subscribe to (docs/site.md#icalendar).

- `windows/<name>.ics`: one per maintenance window, one recurring event (its rule as an
  RRULE from its next occurrence on, not expanded);
- `freezes.ics`: every change freeze that has not ended;
- `changes.ics`: the change requests in flight (requested: TENTATIVE, scheduled:
  CONFIRMED), with their outcome;
- `calendar.ics`: all of them together, the change calendar.

Events come from the change calendar (itsmctl.changes.calendar) and are written by its
iCalendar writer (itsmctl.changes.ics): stable UIDs (a calendar client updates an event on
re-import), a VTIMEZONE for every timezone used, the same bytes for the same catalog and
day.
"""

from __future__ import annotations

import datetime as dt

from itsmctl import kinds
from itsmctl.changes.calendar import event, timeline, window_series
from itsmctl.changes.ics import Event, write_calendar
from itsmctl.changes.source import ChangeCatalog
from itsmctl.model.typed import MaintenanceWindow, Service
from itsmctl.targets.base import BuildInput, Output
from itsmctl.validate.change_requests import IN_FLIGHT, Schedule

NAME = "ical"
DESCRIPTION = "maintenance windows, freezes and changes in flight as iCalendar (.ics) files"
AHEAD_DAYS = 3 * 366  # freezes and changes this far ahead; recurring zones as far
REFRESH = dt.timedelta(hours=12)


def _day(now: dt.datetime) -> dt.datetime:
    """The build's day at midnight UTC: DTSTAMP and "from now on" of every file, so that
    rebuilds on the same day are byte-identical."""
    return dt.datetime.combine(now.astimezone(dt.timezone.utc).date(), dt.time(),
                               tzinfo=dt.timezone.utc)


def build(job: BuildInput) -> Output:
    catalog = job.catalog
    day = _day(job.now)
    start, until = day.timestamp(), (day + dt.timedelta(days=AHEAD_DAYS))
    read = ChangeCatalog(catalog, job.config, Schedule.of(catalog, job.config))
    entries = timeline(read, start, until.timestamp(), job.now).entries
    users: dict[str, list[str]] = {}
    for service in sorted(catalog.typed(Service).values(), key=lambda s: s.name):
        for name in service.maintenance_windows:
            users.setdefault(name, []).append(service.name)
    windows: list[Event] = []
    files: dict[str, bytes] = {}

    def write(path: str, name: str, events: list[Event], description: str) -> None:
        text = write_calendar(events, name=name, stamp=day, description=description,
                              refresh=REFRESH, zones_until=until)
        files[path] = text.encode()

    for window in sorted(catalog.typed(MaintenanceWindow).values(), key=lambda w: w.name):
        series = window_series(window, start, tuple(users.get(window.name, ())))
        if series is None:
            continue
        windows.append(series)
        write(f"windows/{window.name}.ics", f"Maintenance window: {window.title}", [series],
              f"When changes may be made to {len(users.get(window.name, []))} services.")
    freezes = [event(e) for e in entries if e.kind == kinds.CHANGE_FREEZE]
    changes = [event(e) for e in entries
               if e.kind == kinds.CHANGE_REQUEST and e.status in IN_FLIGHT]
    write("freezes.ics", "Change freezes", freezes, "Change freezes that have not ended.")
    write("changes.ics", "Change requests", changes, "Change requests in flight.")
    write("calendar.ics", "Change calendar", [*changes, *freezes, *windows],
          "Change requests in flight, change freezes and maintenance windows.")
    return Output(files)
