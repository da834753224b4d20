"""`itsmctl changes calendar`: change requests, maintenance-window occurrences and freezes
between two instants, in one timeline (docs/changes.md#the-calendar), and that timeline as
iCalendar events. The window-as-a-rule event (`window_series`) is for calendars that
expand recurrences themselves (the `ical` build target).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from itsmctl import kinds
from itsmctl.changes.ics import Event
from itsmctl.changes.outcome import evaluate
from itsmctl.changes.source import ChangeCatalog, read_catalog
from itsmctl.diagnostics import Diagnostic
from itsmctl.errors import FatalError
from itsmctl.model.typed import ChangeRequest, MaintenanceWindow, Service
from itsmctl.timecalc import (
    Recurrence,
    moment,
    overlaps,
    parse_instant,
    seconds,
    timezone,
    why_not_a_time,
)
from itsmctl.validate.change_requests import change_tz, planned, unreadable

MAX_DAYS = 3 * 366  # the longest timeline one command writes
DEFAULT_DAYS = 90
UID_DOMAIN = "itsmctl"
CATEGORY = {kinds.CHANGE_REQUEST: "Change request", kinds.MAINTENANCE_WINDOW: "Maintenance window",
            kinds.CHANGE_FREEZE: "Change freeze"}
# How a change request's status shows in a calendar client.
ICS_STATUS = {"requested": "TENTATIVE", "scheduled": "CONFIRMED", "implemented": "CONFIRMED",
              "failed": "CONFIRMED", "cancelled": "CANCELLED"}


@dataclass(frozen=True)
class Entry:
    """One item of the timeline."""

    kind: str  # ChangeRequest | MaintenanceWindow | ChangeFreeze
    name: str
    title: str
    start: float
    end: float
    timezone: str  # its IANA timezone (iCalendar's TZID)
    shown: dt.tzinfo  # how its times are written in text and JSON
    services: tuple[str, ...]
    detail: str  # a change's summary, a freeze's reason, a window's rule
    uid: str
    path: str
    status: str | None = None  # change requests
    type: str | None = None  # change requests: standard | normal | emergency
    outcome: str | None = None  # in-flight change requests

    @property
    def ref(self) -> str:
        return kinds.ref(self.kind, self.name)


@dataclass(frozen=True)
class Unplaced:
    """A change request whose period cannot be read: it cannot be placed in the timeline,
    and is listed beside it instead of vanishing (`check` reports the same problems)."""

    name: str
    title: str
    services: tuple[str, ...]
    type: str
    status: str
    outcome: str | None  # in-flight change requests (blocked: their period is an error)
    path: str
    problems: tuple[Diagnostic, ...]  # why its period cannot be read, where `check` says


@dataclass(frozen=True)
class Timeline:
    start: float
    end: float
    tz: dt.tzinfo  # of the range
    now: dt.datetime
    entries: tuple[Entry, ...]
    unplaced: tuple[Unplaced, ...] = ()  # by name


def uid(kind: str, name: str, occurrence: dt.datetime | None = None) -> str:
    """A stable iCalendar UID: the document, and an occurrence's local start, so that a
    calendar client updates an event on re-import instead of adding it again."""
    text = f"{kind.lower()}-{name}"
    if occurrence is not None:
        text += f"-{occurrence:%Y%m%dT%H%M%S}"
    return f"{text}@{UID_DOMAIN}"


def _window_services(read: ChangeCatalog) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for service in read.catalog.typed(Service).values():
        for name in service.maintenance_windows:
            found.setdefault(name, []).append(service.name)
    return {name: tuple(sorted(names)) for name, names in found.items()}


def _window_detail(window: MaintenanceWindow) -> str:
    return f"{window.rrule} ({window.timezone}), {window.duration} each"


def _unplaced(read: ChangeCatalog, change: ChangeRequest, now: dt.datetime) -> Unplaced:
    evaluation = evaluate(read.catalog, change, now, read.config)
    problems = tuple(sorted({p.diagnostic(change)
                             for p in unreadable(change, read.schedule.default_tz)}))
    return Unplaced(change.name, change.title, change.services, change.type, change.status,
                    evaluation.outcome.value if evaluation.outcome else None,
                    change.entity.document.path, problems)


def unplaced(read: ChangeCatalog, now: dt.datetime) -> list[Unplaced]:
    """The change requests of the catalog whose period cannot be read, by name."""
    default_tz = read.schedule.default_tz
    return [_unplaced(read, change, now)
            for change in sorted(read.catalog.typed(ChangeRequest).values(),
                                 key=lambda c: c.name)
            if unreadable(change, default_tz)]


def _changes(read: ChangeCatalog, start: float, end: float, now: dt.datetime
             ) -> list[Entry]:
    out = []
    default_tz = read.schedule.default_tz
    for change in read.catalog.typed(ChangeRequest).values():
        try:
            plan = planned(change, default_tz)
        except ValueError:
            continue  # nothing to place in time: `unplaced` lists it
        if not overlaps(plan.period, (start, end)):
            continue
        evaluation = evaluate(read.catalog, change, now, read.config)
        out.append(Entry(kinds.CHANGE_REQUEST, change.name, change.title, *plan.period,
                         change_tz(change, default_tz), plan.tz, change.services,
                         change.summary, uid(kinds.CHANGE_REQUEST, change.name),
                         change.entity.document.path, change.status, change.type,
                         evaluation.outcome.value if evaluation.outcome else None))
    return out


def _windows(read: ChangeCatalog, start: float, end: float) -> list[Entry]:
    out = []
    users = _window_services(read)
    for window in read.schedule.windows.values():
        recurrence = window.recurrence
        for begin, finish in recurrence.occurrences(start, end):
            local = dt.datetime.fromtimestamp(begin, recurrence.tz)
            out.append(Entry(kinds.MAINTENANCE_WINDOW, window.name, window.window.title,
                             begin, finish, recurrence.tzname, recurrence.tz,
                             users.get(window.name, ()), _window_detail(window.window),
                             uid(kinds.MAINTENANCE_WINDOW, window.name, local.replace(
                                 tzinfo=None)),
                             window.window.entity.document.path))
    return out


def _freezes(read: ChangeCatalog, start: float, end: float) -> list[Entry]:
    out = []
    schedule = read.schedule
    for frozen in schedule.freezes:
        if not overlaps(frozen.period, (start, end)):
            continue
        freeze = frozen.freeze
        scope = ([f"tier {t}" for t in freeze.tiers] + list(freeze.services)) or ["every service"]
        services = tuple(sorted(s for s in schedule.services if schedule.covers(freeze, s)))
        detail = (freeze.reason or "").strip()
        detail = f"{detail} Scope: {', '.join(scope)}." if detail else \
            f"Scope: {', '.join(scope)}."
        if not freeze.allow_emergency:
            detail += " No emergency changes."
        out.append(Entry(kinds.CHANGE_FREEZE, freeze.name, freeze.title, *frozen.period,
                         freeze.timezone or schedule.default_tz, frozen.tz, services, detail,
                         uid(kinds.CHANGE_FREEZE, freeze.name), freeze.entity.document.path))
    return out


def timeline(read: ChangeCatalog, start: float, end: float, now: dt.datetime,
             tz: dt.tzinfo | None = None) -> Timeline:
    """Everything of the catalog that overlaps [start, end), by start, then kind and name;
    and the change requests that cannot be placed in time (whatever the range: it cannot
    be told whether they fall in it)."""
    entries = [*_changes(read, start, end, now), *_windows(read, start, end),
               *_freezes(read, start, end)]
    entries.sort(key=lambda e: (e.start, e.end, e.kind, e.name))
    return Timeline(start, end, tz or timezone(read.schedule.default_tz), now, tuple(entries),
                    tuple(unplaced(read, now)))


def _bound(text: str, option: str, tz: str, end_of_day: bool) -> float:
    try:
        return parse_instant(text.strip(), tz, end_of_day=end_of_day).timestamp()
    except ValueError as error:
        try:  # a date-time without an offset: in the repository's timezone
            naive = moment(text.strip(), timezone(tz))
        except ValueError:
            raise FatalError(f"{option}: '{text}' is {why_not_a_time(error)}") from None
        return naive.timestamp()


def change_calendar(root: Path, ref: str | None, start: str | None, end: str | None,
                    now: dt.datetime) -> Timeline:
    """`itsmctl changes calendar`: from `start` (default: now) to `end` (default: 90 days
    later); a date alone is a whole day in the repository's timezone (`end` included)."""
    read = read_catalog(root, ref, now.date())
    tz = read.schedule.default_tz
    begin = now.timestamp() if start is None else _bound(start, "--from", tz, False)
    finish = begin + DEFAULT_DAYS * 86400.0 if end is None else _bound(end, "--to", tz, True)
    if finish <= begin:
        raise FatalError(f"--to ({end}) is not after --from ({start or 'now'})")
    if finish - begin > MAX_DAYS * 86400.0:
        raise FatalError(f"the calendar spans more than {MAX_DAYS} days: give a shorter "
                         "--from/--to range")
    return timeline(read, begin, finish, now)


# --- as iCalendar ---------------------------------------------------------------------------

def _describe(entry: Entry) -> str:
    lines = []
    if entry.kind == kinds.CHANGE_REQUEST:
        lines.append(entry.detail)
        state = f"{entry.type} change, {entry.status}"
        if entry.outcome:
            state += f", {entry.outcome}"
        lines.append(state.capitalize())
    else:
        lines.append(entry.detail)
    if entry.services:
        lines.append(f"Services: {', '.join(entry.services)}")
    lines.append(f"Defined in {entry.path} ({entry.ref})")
    return "\n".join(lines)


def _summary(entry: Entry) -> str:
    if entry.kind == kinds.CHANGE_REQUEST:
        return f"{entry.name}: {entry.title}"
    return f"{CATEGORY[entry.kind]}: {entry.title}"


def event(entry: Entry) -> Event:
    """A timeline entry as an iCalendar event, in its own timezone."""
    zone = timezone(entry.timezone)
    return Event(entry.uid, _summary(entry), dt.datetime.fromtimestamp(entry.start, zone),
                 dt.datetime.fromtimestamp(entry.end, zone), description=_describe(entry),
                 categories=(CATEGORY[entry.kind],),
                 status=ICS_STATUS.get(entry.status or "", "CONFIRMED"),
                 transparent=entry.kind != kinds.CHANGE_REQUEST)


def window_series(window: MaintenanceWindow, after: float,
                  services: tuple[str, ...] = ()) -> Event | None:
    """A maintenance window as one recurring event (its RRULE, not expanded), from its
    first occurrence at or after `after`; None when it never occurs again (or cannot be
    read: `check` reports that)."""
    try:
        recurrence = Recurrence(window.rrule, window.timezone, seconds(window.duration))
    except ValueError:
        return None
    series = recurrence.series(after)
    if series is None:
        return None
    first, rule = series
    lines = [_window_detail(window)]
    if services:
        lines.append(f"Services: {', '.join(services)}")
    lines.append(f"Defined in {window.entity.document.path} "
                 f"({kinds.ref(kinds.MAINTENANCE_WINDOW, window.name)})")
    return Event(uid(kinds.MAINTENANCE_WINDOW, window.name),
                 f"{CATEGORY[kinds.MAINTENANCE_WINDOW]}: {window.title}", first,
                 duration=dt.timedelta(seconds=recurrence.duration), rrule=rule,
                 description="\n".join(lines), categories=(CATEGORY[kinds.MAINTENANCE_WINDOW],),
                 status="CONFIRMED", transparent=True)
