"""Facts derived from the catalog that reports and the site both show: indexes of who
owns and uses what, calendars in words, and what a target means on a calendar."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import (
    SLA,
    Calendar,
    CatalogItem,
    Category,
    ChangeFreeze,
    ChangeRequest,
    MaintenanceWindow,
    Service,
    StandardChange,
    Team,
)
from itsmctl.timecalc import WEEKDAYS, Clock, ClockError, seconds

DAY_TITLES = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri",
              "sat": "Sat", "sun": "Sun"}


def hours_text(calendar: Calendar) -> str:
    """'Mon-Fri 08:00-17:00; Sat 09:00-12:00', '24x7', or 'never open'."""
    if calendar.always:
        return "24x7"
    hours = calendar.hours or {}
    groups: list[tuple[list[str], tuple[str, ...]]] = []
    for day in WEEKDAYS:
        ranges = tuple(hours.get(day, ()))
        if not ranges:
            continue
        previous = groups[-1] if groups else None
        if (previous is not None and previous[1] == ranges
                and WEEKDAYS.index(previous[0][-1]) == WEEKDAYS.index(day) - 1):
            previous[0].append(day)
        else:
            groups.append(([day], ranges))
    if not groups:
        return "never open"
    parts = []
    for days, ranges in groups:
        label = DAY_TITLES[days[0]] if len(days) == 1 else \
            f"{DAY_TITLES[days[0]]}-{DAY_TITLES[days[-1]]}"
        parts.append(f"{label} {', '.join(ranges)}")
    return "; ".join(parts)


def weekly_hours(clock: Clock) -> float:
    return round(clock.weekly_seconds() / 3600, 2)


def holidays_text(calendar: Calendar) -> str:
    parts = []
    if calendar.public_holidays is not None:
        country, subdivision = calendar.public_holidays
        parts.append(f"public holidays of {country}{'-' + subdivision if subdivision else ''}")
    if calendar.holidays:
        count = len(calendar.holidays)
        parts.append(f"{count} own holiday{'' if count == 1 else 's'}")
    return ", ".join(parts) or "none"


EXAMPLE_WEEKDAY = 4  # Friday
EXAMPLE_MINUTES = 16 * 60  # 16:00, late on the last working day: the case people ask about


@dataclass(frozen=True)
class Example:
    """A ticket opened at a fixed local time, and when a target falls due for it."""

    opened: dt.datetime
    due: dt.datetime

    @property
    def text(self) -> str:
        fmt = "%a %d %b %H:%M"
        return f"opened {self.opened.strftime(fmt)} → due {self.due.strftime(fmt)}"


def example_due(clock: Clock, target: str, today: dt.date) -> Example | None:
    """The due time of `target` for a ticket opened on the first Friday after `today` at
    16:00 in the calendar's timezone (None when the calendar never opens)."""
    day = today + dt.timedelta(days=(EXAMPLE_WEEKDAY - today.weekday()) % 7 or 7)
    opened = clock.wall_time(day, EXAMPLE_MINUTES)
    try:
        due = clock.due(opened, seconds(target))
    except (ClockError, ValueError):
        return None
    return Example(clock.local(opened), clock.local(due))


def clocks(catalog: Catalog) -> dict[str, Clock]:
    """A clock per calendar that can run (one whose timezone exists)."""
    out = {}
    for calendar in catalog.typed(Calendar).values():
        try:
            out[calendar.name] = Clock.of_calendar(calendar)
        except ValueError:
            continue
    return out


def freeze_covers(freeze: ChangeFreeze, service: Service) -> bool:
    """Whether a freeze's scope holds a service: its tier, its name, or no scope at all."""
    return (freeze.everything or service.name in freeze.services
            or (service.tier is not None and service.tier in freeze.tiers))


@dataclass
class Index:
    """Who owns, supports and uses what: every relation the pages and reports list, made
    in one pass over the catalog."""

    owned: dict[str, list[Service]] = field(default_factory=lambda: defaultdict(list))
    supported: dict[str, list[Service]] = field(default_factory=lambda: defaultdict(list))
    dependants: dict[str, list[Service]] = field(default_factory=lambda: defaultdict(list))
    items: dict[str, list[CatalogItem]] = field(default_factory=lambda: defaultdict(list))
    fulfilled: dict[str, list[CatalogItem]] = field(default_factory=lambda: defaultdict(list))
    category_items: dict[str, list[CatalogItem]] = field(
        default_factory=lambda: defaultdict(list))
    category_services: dict[str, list[Service]] = field(
        default_factory=lambda: defaultdict(list))
    assigned: dict[str, list[Category]] = field(default_factory=lambda: defaultdict(list))
    children: dict[str | None, list[Category]] = field(
        default_factory=lambda: defaultdict(list))
    standard_changes: dict[str, list[StandardChange]] = field(
        default_factory=lambda: defaultdict(list))
    team_standard_changes: dict[str, list[StandardChange]] = field(
        default_factory=lambda: defaultdict(list))
    sla_services: dict[str, list[Service]] = field(default_factory=lambda: defaultdict(list))
    sla_items: dict[str, list[CatalogItem]] = field(default_factory=lambda: defaultdict(list))
    calendar_slas: dict[str, list[SLA]] = field(default_factory=lambda: defaultdict(list))
    window_services: dict[str, list[Service]] = field(default_factory=lambda: defaultdict(list))
    workflow_users: dict[str, list[Service | CatalogItem]] = field(
        default_factory=lambda: defaultdict(list))
    escalated_to: dict[str, list[SLA]] = field(default_factory=lambda: defaultdict(list))
    changes: dict[str, list[ChangeRequest]] = field(default_factory=lambda: defaultdict(list))


def _by_name(values: list[Service]) -> list[Service]:
    return sorted(values, key=lambda v: v.name)


def index_of(catalog: Catalog) -> Index:
    return catalog.memo("reports:index", lambda: _index(catalog))


def _index(catalog: Catalog) -> Index:
    ix = Index()
    for service in sorted(catalog.typed(Service).values(), key=lambda s: s.name):
        ix.owned[service.owner].append(service)
        ix.supported[service.support_group].append(service)
        for dependency in service.depends_on:
            ix.dependants[dependency].append(service)
        for name in service.categories:
            ix.category_services[name].append(service)
        if service.sla is not None:
            ix.sla_services[service.sla].append(service)
        for window in service.maintenance_windows:
            ix.window_services[window].append(service)
        for workflow in sorted(set(service.workflows.values())):
            ix.workflow_users[workflow].append(service)
    for item in sorted(catalog.typed(CatalogItem).values(), key=lambda i: i.name):
        ix.items[item.service].append(item)
        if item.fulfillment_group is not None:
            ix.fulfilled[item.fulfillment_group].append(item)
        if item.category is not None:
            ix.category_items[item.category].append(item)
        if item.sla is not None:
            ix.sla_items[item.sla].append(item)
        if item.workflow is not None:
            ix.workflow_users[item.workflow].append(item)
    for category in sorted(catalog.typed(Category).values(), key=lambda c: c.name):
        ix.children[category.parent].append(category)
        if category.assignment_group is not None:
            ix.assigned[category.assignment_group].append(category)
    for template in sorted(catalog.typed(StandardChange).values(), key=lambda t: t.name):
        ix.team_standard_changes[template.owner].append(template)
        for name in template.services:
            ix.standard_changes[name].append(template)
    for sla in sorted(catalog.typed(SLA).values(), key=lambda s: s.name):
        ix.calendar_slas[sla.calendar].append(sla)
        for team in sorted({e.notify for e in sla.escalations}):
            ix.escalated_to[team].append(sla)
    for change in sorted(catalog.typed(ChangeRequest).values(), key=lambda c: c.name):
        for name in change.services:
            ix.changes[name].append(change)
    return ix


def teams(catalog: Catalog) -> list[Team]:
    return sorted(catalog.typed(Team).values(), key=lambda t: t.name)


def windows(catalog: Catalog) -> list[MaintenanceWindow]:
    return sorted(catalog.typed(MaintenanceWindow).values(), key=lambda w: w.name)
