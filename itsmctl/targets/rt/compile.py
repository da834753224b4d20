"""The catalog compiled to what Request Tracker 5 holds (docs/rt.md has the mapping), and
an `rt-approximation` warning for every catalog fact RT cannot hold exactly."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import (
    SLA,
    Calendar,
    CatalogItem,
    Category,
    Service,
    Team,
    Workflow,
    priority_matrix,
)
from itsmctl.targets.rt import scrip
from itsmctl.targets.rt.desired import (
    AGENT_RIGHTS,
    EVERYONE,
    EVERYONE_RIGHTS,
    FIELD_RIGHTS,
    MANAGED_BY,
    REQUESTOR,
    REQUESTOR_RIGHTS,
    CustomField,
    Desired,
    Grant,
    Group,
    Queue,
    User,
    Value,
    with_marker,
)
from itsmctl.timecalc import WEEKDAYS, Clock, clock_minutes, seconds

RT_APPROXIMATION = Rule(
    "rt-approximation", Severity.WARNING,
    "Request Tracker cannot hold a catalog fact exactly; the message says what RT does "
    "instead (build --target rt).")
RULES = (RT_APPROXIMATION,)

OFFERED = ("production", "retiring")  # services that tickets can name
HOLIDAY_YEARS = 3  # public holidays are expanded for this year and the next two
# RT's business-hours arithmetic (Business::Hours) gives up when a deadline lies 30 days
# or more after its start; a target must fit into the business time of 28 whole days.
SEARCH_DAYS = 28
WEEK_MINUTES = 7 * 24 * 60
CATEGORY_OF_STATE = {"new": "initial", "active": "active", "pending": "active",
                     "resolved": "inactive", "closed": "inactive", "cancelled": "inactive"}
RT_DAYS = {day: str((i + 1) % 7) for i, day in enumerate(WEEKDAYS)}  # RT: 0 = Sunday
DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday"), strict=True))
RIGHT_NAME_LIMIT = 25


class Compiler:
    def __init__(self, catalog: Catalog, now: dt.datetime) -> None:
        self.catalog = catalog
        self.now = now
        self.desired = Desired()
        self.diagnostics: list[Diagnostic] = []
        self.teams = catalog.typed(Team)
        self.services = [s for _, s in sorted(catalog.typed(Service).items())
                         if s.lifecycle in OFFERED]
        self.workflows = catalog.typed(Workflow)
        first = dt.date(now.year, 1, 1)
        self.horizon = (first, dt.date(now.year + HOLIDAY_YEARS - 1, 12, 31))
        self.fitting: dict[str, int] = {}  # calendar -> business minutes RT surely finds

    def warn(self, entity: Service | Team | SLA | Calendar | Workflow | Category | CatalogItem,
             message: str, path: tuple[str | int, ...] = (), key: bool = False) -> None:
        self.diagnostics.append(entity.diagnostic(RT_APPROXIMATION, message, path, key))

    def run(self) -> Desired:
        self.users_and_groups()
        self.lifecycles()
        self.queues()
        self.custom_fields()
        self.service_levels()
        self.priorities()
        self.rights()
        self.items()
        d = self.desired
        d.scrip = scrip.sla_scrip({s.name: s.sla for s in self.services if s.sla is not None},
                                  sorted(d.levels))
        d.horizon = (self.horizon[0].isoformat(), self.horizon[1].isoformat())
        d.mapping = self.mapping()
        return d

    # -- people -------------------------------------------------------------------------

    def users_and_groups(self) -> None:
        titles = Counter(t.title for t in self.teams.values())
        for team in sorted(self.teams.values(), key=lambda t: t.name):
            members = []
            for i, member in enumerate(team.members):
                login = member.handle or member.email
                if login is None:
                    self.warn(team, f"member '{member.name}' has neither a handle nor an "
                              "e-mail address: RT needs a login, so the member is left out "
                              f"of group '{team.title}'", ("spec", "members", i))
                    continue
                self.desired.users.setdefault(login, User(login, member.email, member.name))
                members.append(login)
            name = team.title if titles[team.title] == 1 else team.name
            text = team.entity.metadata.get("description") or f"Team {team.title}"
            self.desired.groups[team.name] = Group(
                team.name, name, with_marker(str(text).strip(), "team", team.name),
                tuple(sorted(set(members))))
        self.desired.users = dict(sorted(self.desired.users.items()))

    # -- workflows ----------------------------------------------------------------------

    def lifecycles(self) -> None:
        for name, workflow in sorted(self.workflows.items()):
            self.desired.lifecycles[name] = self.lifecycle(workflow)
            for i, transition in enumerate(workflow.transitions):
                if transition.requires:
                    label = f"'{transition.name}'" if transition.name else \
                        f"to '{transition.to}'"
                    self.warn(workflow, f"transition {label} requires "
                              f"{', '.join(transition.requires)}: RT does not check fields "
                              "on a status change, so RT allows it without them",
                              ("spec", "transitions", i, "requires"))

    def lifecycle(self, workflow: Workflow) -> dict[str, object]:
        states = workflow.state_names
        by_category: dict[str, list[str]] = {"initial": [], "active": [], "inactive": []}
        for state in workflow.states:
            by_category[CATEGORY_OF_STATE[state.category]].append(state.name)
        initial = next(s.name for s in workflow.states if s.initial)
        targets: dict[str, list[str]] = {"": [initial]}
        rights: dict[str, str] = {}
        actions: list[object] = []
        for transition in workflow.transitions:
            sources = [s for s in states if s != transition.to] if "*" in transition.sources \
                else list(transition.sources)
            for source in sources:
                targets.setdefault(source, [])
                if transition.to not in targets[source]:
                    targets[source].append(transition.to)
                if transition.approval is not None:
                    rights[f"{source} -> {transition.to}"] = approval_right(transition.approval)
                if transition.name:
                    actions += [f"{source} -> {transition.to}", {"label": transition.name}]
        ordered = {"": targets[""], **{s: [t for t in states if t in targets[s]]
                                       for s in states if s in targets}}
        lifecycle: dict[str, object] = {
            "ManagedBy": MANAGED_BY, "type": "ticket", **by_category,
            "defaults": {"on_create": initial}, "transitions": ordered}
        if rights:
            lifecycle["rights"] = dict(sorted(rights.items()))
        if actions:
            lifecycle["actions"] = actions
        return lifecycle

    # -- queues and fields --------------------------------------------------------------

    def queues(self) -> None:
        by_group: dict[str, list[Service]] = {}
        for service in self.services:
            by_group.setdefault(service.support_group, []).append(service)
        used: set[str] = set()
        for key, services in sorted(by_group.items()):
            team = self.teams.get(key)
            title = team.title if team else key
            counts = Counter(s.workflows["incident"] for s in services if "incident" in s.workflows)
            lifecycle = min(counts, key=lambda w: (-counts[w], w)) if counts else "default"
            used.add(lifecycle)
            for service in services:
                incident = service.workflows.get("incident")
                if incident != lifecycle:
                    what = f"its incident workflow '{incident}'" if incident else \
                        "it has no incident workflow, and"
                    self.warn(service, f"{what} is not its queue's lifecycle: RT applies one "
                              f"lifecycle per queue, so tickets in queue '{title}' follow "
                              f"'{lifecycle}'", ("spec", "workflows"))
            self.desired.queues[key] = Queue(
                key, self.desired.groups[key].name if key in self.desired.groups else title,
                with_marker(f"Tickets for the services {title} supports", "team", key),
                lifecycle)
        for name, workflow in sorted(self.workflows.items()):
            if name not in used:
                self.warn(workflow, f"no queue uses lifecycle '{name}': queues follow the "
                          "incident workflow of the services they support, so RT offers "
                          f"'{name}' only to queues an administrator sets it on",
                          ("spec", "appliesTo"))

    def custom_fields(self) -> None:
        queues = tuple(self.desired.queues)
        services = tuple(Value(s.name, s.title, i) for i, s in enumerate(self.services, 1))
        self.desired.custom_fields["service"] = CustomField(
            "service", "Service", with_marker("The service a ticket is about",
                                              "customfield", "service"), services, queues)
        categories = self.catalog.typed(Category)
        ordered: list[Value] = []
        for parent in sorted((c for c in categories.values() if c.parent is None),
                             key=lambda c: c.name):
            ordered.append(Value(parent.name, parent.title, len(ordered) + 1))
            for child in sorted((c for c in categories.values() if c.parent == parent.name),
                                key=lambda c: c.name):
                ordered.append(Value(child.name, f"{parent.title} › {child.title}",
                                     len(ordered) + 1))
        self.desired.custom_fields["category"] = CustomField(
            "category", "Category", with_marker("What kind of request or incident",
                                                "customfield", "category"),
            tuple(ordered), queues)
        routed = [c for c in categories.values()
                  if "assignmentGroup" in c.entity.spec or c.default_priority]
        if routed:
            first = min(routed, key=lambda c: (c.entity.document.path, c.entity.document.line))
            self.warn(first, f"{len(routed)} categories set an assignment group or a default "
                      "priority: RT routes tickets by queue and sets no priority from the "
                      "Category field, so a ticket stays in the queue it was created in with "
                      "the priority it was given", ("spec",), key=True)

    # -- SLAs ---------------------------------------------------------------------------

    def service_levels(self) -> None:
        calendars = self.catalog.typed(Calendar)
        matrix = priority_matrix(self.catalog)
        order = matrix.level_names if matrix else []
        paused = self.paused_statuses()
        clocks = {name: Clock.of_calendar(c) for name, c in sorted(calendars.items())}
        for name, calendar in sorted(calendars.items()):
            if not calendar.always:
                self.desired.business_hours[name] = self.business_hours(calendar, clocks[name])
        for name, sla in sorted(self.catalog.typed(SLA).items()):
            calendar = calendars[sla.calendar]
            clock = clocks[calendar.name]
            for level in sorted(sla.targets, key=lambda lv: (order.index(lv)
                                                            if lv in order else len(order), lv)):
                self.desired.levels[f"{name}-{level}"] = self.level(
                    sla, level, calendar, clock, paused.get(name, []))
            if sla.escalations:
                self.warn(sla, "escalations ("
                          + ", ".join(f"{e.at} → {e.notify}" for e in sla.escalations)
                          + ") are not configured: RT's SLA sets Starts and Due only; RT "
                          "shows a ticket as overdue once Due has passed",
                          ("spec", "escalations"))
            if not calendar.always:
                self.warn(sla, "a deadline that falls exactly at a closing time of "
                          f"'{calendar.name}' is put at its next opening by RT (RT counts "
                          "whole business seconds and takes the one after the target)",
                          ("spec", "calendar"))

    def paused_statuses(self) -> dict[str, list[str]]:
        """Per SLA: the statuses that pause its clock in the lifecycles of the queues its
        services' tickets are in."""
        out: dict[str, set[str]] = {}
        for service in self.services:
            if service.sla is None:
                continue
            queue = self.desired.queues[service.support_group]
            workflow = self.workflows.get(queue.lifecycle)
            if workflow is not None:
                out.setdefault(service.sla, set()).update(
                    s.name for s in workflow.states if s.sla == "paused")
        return {sla: sorted(states) for sla, states in out.items()}

    def level(self, sla: SLA, level: str, calendar: Calendar, clock: Clock,
              paused: list[str]) -> dict[str, object]:
        target = sla.targets[level]
        out: dict[str, object] = {"ManagedBy": MANAGED_BY}
        if not calendar.always:
            out["BusinessHours"] = calendar.name
        out["Timezone"] = calendar.timezone
        for kind, text in (("Response", target.response), ("Resolve", target.resolution)):
            if text is None:
                continue
            minutes = round(seconds(text) / 60)
            if calendar.always:
                spec: dict[str, object] = {"RealMinutes": minutes}
            else:
                spec = self.business_minutes(sla, level, kind, text, minutes, clock)
            if paused:
                spec["IgnoreOnStatuses"] = paused
                spec["ExcludeTimeOnIgnoredStatuses"] = 1
            out[kind] = spec
        return out

    def business_minutes(self, sla: SLA, level: str, kind: str, text: str, minutes: int,
                         clock: Clock) -> dict[str, object]:
        """Business minutes, or, for a target longer than RT can search, the business
        minutes that fit plus whole weeks of real time."""
        fits = self.fits(clock)
        if minutes <= fits:
            return {"BusinessMinutes": minutes}
        weekly = sum(end - start for day in clock.weekly for start, end in day)
        if weekly <= 0:  # never open: `check` reports it (sla-unreachable)
            return {"BusinessMinutes": minutes}
        weeks = math.ceil((minutes - fits) / weekly)
        business = minutes - round(weeks * weekly)
        field = "response" if kind == "Response" else "resolution"
        self.warn(sla, f"{sla.name}-{level} {field} ({text} of open time) can end more than "
                  "30 days after it starts, further than RT's business-hours arithmetic "
                  f"searches: RT counts {business} business minutes, then adds {weeks} "
                  f"week(s) of real time (exact unless a holiday or a daylight-saving change "
                  f"falls in those last {weeks} week(s))",
                  ("spec", "targets", level, field))
        return {"BusinessMinutes": business, "RealMinutes": weeks * WEEK_MINUTES}

    def fits(self, clock: Clock) -> int:
        """The business minutes RT is sure to find within its search, for a calendar."""
        if clock.name not in self.fitting:
            first, last = self.horizon
            self.fitting[clock.name] = math.floor(
                clock.least_open_time(first, last, SEARCH_DAYS) / 60) - 1
        return self.fitting[clock.name]

    def business_hours(self, calendar: Calendar, clock: Clock) -> dict[str, object]:
        out: dict[str, object] = {"ManagedBy": MANAGED_BY}
        for day, ranges in sorted((calendar.hours or {}).items(),
                                  key=lambda item: RT_DAYS[item[0]]):
            spans = merged_ranges(ranges)
            if not spans:
                continue
            entry: dict[str, object] = {"Name": DAY_NAMES[day], "Start": spans[0][0],
                                        "End": spans[-1][1]}
            breaks = [{"Start": a[1], "End": b[0]} for a, b in pairwise(spans)]
            if breaks:
                entry["Breaks"] = breaks
            out[RT_DAYS[day]] = entry
        first, last = self.horizon
        days = {h.date for h in calendar.holidays}
        if calendar.public_holidays is not None:
            days.update(day.isoformat() for day, _ in clock.holidays_between(first, last))
            country, region = calendar.public_holidays
            where = f"{country}-{region}" if region else country
            self.warn(calendar, f"public holidays ({where}) are expanded from {first} to "
                      f"{last}: RT treats later ones as working days; build and apply again "
                      "before then", ("spec", "publicHolidays"))
        if days:
            out["holidays"] = sorted(days)
        return out

    # -- priorities, rights, request items ----------------------------------------------

    def priorities(self) -> None:
        matrix = priority_matrix(self.catalog)
        if matrix is None:
            return
        names = matrix.level_names
        levels: list[object] = []
        for i, name in enumerate(names):
            levels += [name, (len(names) - 1 - i) * 10]
        for key in self.desired.queues:
            self.desired.priorities[key] = list(levels)
        self.diagnostics.append(matrix.diagnostic(
            RT_APPROXIMATION, "RT has no impact or urgency: agents set the priority "
            f"({', '.join(names)}) directly, and the matrix is not applied",
            ("spec", "matrix"), key=True))

    def rights(self) -> None:
        grants: dict[tuple[str, str], set[str]] = {}
        for key, queue in self.desired.queues.items():
            target = f"queue:{key}"
            if key in self.desired.groups:
                grants.setdefault((f"group:{key}", target), set()).update(AGENT_RIGHTS)
            grants.setdefault((EVERYONE, target), set()).update(EVERYONE_RIGHTS)
            grants.setdefault((REQUESTOR, target), set()).update(REQUESTOR_RIGHTS)
            workflow = self.workflows.get(queue.lifecycle)
            for transition in workflow.transitions if workflow else ():
                if transition.approval is not None:
                    grants.setdefault((f"group:{transition.approval}", target), set()).add(
                        approval_right(transition.approval))
        for key in self.desired.custom_fields:
            grants.setdefault((EVERYONE, f"customfield:{key}"), set()).update(FIELD_RIGHTS)
        self.desired.grants = [Grant(p, o, tuple(sorted(r)))
                               for (p, o), r in sorted(grants.items())]

    def items(self) -> None:
        for name, item in sorted(self.catalog.typed(CatalogItem).items()):
            parts = []
            if item.form:
                parts.append("its form")
            if item.approvals:
                parts.append("approvals by " + ", ".join(item.approvals))
            service = self.catalog.typed(Service).get(item.service)
            if item.sla and service is not None and item.sla != service.sla:
                parts.append(f"its SLA '{item.sla}'")
            if not parts:
                continue
            queue = self.desired.queues.get(service.support_group) if service else None
            where = f"in queue '{queue.name}' with Service '{item.service}'" if queue else \
                "in a queue of the administrator's choice"
            self.warn(item, f"request item '{name}' is not compiled ({', '.join(parts)}): "
                      f"RT 5 has no request catalog; a request for it is a ticket {where}, "
                      "with the service's SLA", ("spec",), key=True)

    def mapping(self) -> dict[str, object]:
        services = {}
        for service in self.services:
            queue = self.desired.queues[service.support_group]
            levels = {lv: f"{service.sla}-{lv}" for lv in
                      self.catalog.typed(SLA)[service.sla].targets} if service.sla else {}
            services[service.name] = {"queue": queue.name, "sla": service.sla,
                                      "levels": dict(sorted(levels.items()))}
        return {"services": services, "lifecycles": {name: name for name in
                                                     sorted(self.workflows)}}


def approval_right(team: str) -> str:
    """The lifecycle right that only the approving team holds: 'ApproveCab'."""
    return ("Approve" + "".join(part.capitalize() for part in team.split("-")))[
        :RIGHT_NAME_LIMIT]


def merged_ranges(ranges: Iterable[str]) -> list[tuple[str, str]]:
    """'08:00-12:00', '12:00-18:00' -> [('08:00', '18:00')]: sorted, touching ranges
    joined."""
    spans: list[tuple[str, str]] = []
    for start, end in sorted((r.split("-") for r in ranges), key=lambda p: clock_minutes(p[0])):
        if spans and clock_minutes(start) <= clock_minutes(spans[-1][1]):
            if clock_minutes(end) > clock_minutes(spans[-1][1]):
                spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def compile_catalog(catalog: Catalog, now: dt.datetime) -> tuple[Desired, list[Diagnostic]]:
    compiler = Compiler(catalog, now)
    desired = compiler.run()
    return desired, sorted(compiler.diagnostics)
