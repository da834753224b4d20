"""Change requests judged against their template, the maintenance windows and freezes of
their services, and each other (docs/changes.md).

One judgement serves three callers: `check` (diagnostics on every in-flight change
request, at the field that is wrong), the outcome of a change request and the deployment
gate (itsmctl.changes), which asks about a change that is not a document yet (`Planned`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TypeVar

from itsmctl import kinds
from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import (
    ChangeFreeze,
    ChangeRequest,
    MaintenanceWindow,
    Service,
    StandardChange,
)
from itsmctl.text import FieldPath, did_you_mean
from itsmctl.timecalc import (
    Interval,
    Recurrence,
    format_duration,
    iso_minutes,
    overlaps,
    parse_instant,
    period,
    seconds,
    timezone,
    timezone_problem,
)
from itsmctl.validate.changes import TIME_ORDER, UNKNOWN_TIMEZONE, period_problems
from itsmctl.validate.context import Context
from itsmctl.validate.references import UNKNOWN_REFERENCE

E, W = Severity.ERROR, Severity.WARNING
CHANGE_TEMPLATE = Rule(
    "change-template", E, "A standard change that leaves its template: a service the template "
    "does not list, longer than its maxDuration, another risk or other plans, or a template "
    "past reviewBy when the change starts.")
CHANGE_WINDOW = Rule(
    "change-window", E, "A change request not inside one occurrence of a maintenance window "
    "of each of its services (a warning unless its template requires a window).")
CHANGE_FREEZE = Rule(
    "change-freeze", E, "A change request overlaps a change freeze that covers one of its "
    "services (emergency changes pass freezes that allow them).")
CHANGE_COLLISION = Rule(
    "change-collision", W, "Two in-flight change requests overlap on a service (info when "
    "one's service depends directly on the other's).")
CHANGE_PLAN = Rule(
    "change-plan", E, "A normal or emergency change without an implementationPlan and a "
    "backoutPlan.")
CHANGE_OVERDUE = Rule(
    "change-overdue", W, "A change request still requested or scheduled after its planned end.")
RULES = (CHANGE_TEMPLATE, CHANGE_WINDOW, CHANGE_FREEZE, CHANGE_COLLISION, CHANGE_PLAN,
         CHANGE_OVERDUE)

IN_FLIGHT = ("requested", "scheduled")
PLANS = (("implementationPlan", "implementation_plan"), ("backoutPlan", "backout_plan"),
         ("testPlan", "test_plan"))


@dataclass(frozen=True)
class Planned:
    """A change as judged: an in-flight ChangeRequest, or the question a pipeline asks."""

    type: str  # standard | normal | emergency
    template: str | None
    services: tuple[str, ...]
    period: Interval  # [start, end), epoch seconds
    tz: dt.tzinfo  # how its times are shown
    risk: str | None = None
    plans: dict[str, str | None] = field(default_factory=dict)  # by field name, as written
    name: str | None = None  # the ChangeRequest's

    @property
    def length(self) -> float:
        return self.period[1] - self.period[0]

    def span(self) -> str:
        return span(self.period, self.tz)


@dataclass(frozen=True)
class Problem:
    """One finding about a change, before it is placed in a document."""

    rule: Rule
    message: str
    path: FieldPath  # the field of the ChangeRequest that is wrong
    severity: Severity
    other: str | None = None  # the other party, as Kind/name

    def diagnostic(self, change: ChangeRequest) -> Diagnostic:
        return change.diagnostic(self.rule, self.message, self.path, severity=self.severity)


class Window:
    """A maintenance window whose occurrences can be computed."""

    def __init__(self, window: MaintenanceWindow) -> None:
        self.name = window.name
        self.window = window
        self.recurrence = Recurrence(window.rrule, window.timezone, seconds(window.duration))

    def describe(self, occurrence: Interval) -> str:
        return f"{self.name} {span(occurrence, self.recurrence.tz)}"


@dataclass(frozen=True)
class Freeze:
    freeze: ChangeFreeze
    period: Interval
    tz: dt.tzinfo


def span(interval: Interval, tz: dt.tzinfo) -> str:
    """'2026-12-01T20:00+01:00 to 2026-12-01T21:00+01:00'."""
    return f"{iso_minutes(interval[0], tz)} to {iso_minutes(interval[1], tz)}"


def change_tz(change: ChangeRequest, default_tz: str) -> str:
    """The timezone of a change request's plain dates (and of its calendar entry)."""
    return change.timezone or default_tz


def unreadable(change: ChangeRequest, default_tz: str) -> list[Problem]:
    """Why a change request's period cannot be read, at the field and in the words of
    `check` (an unknown timezone; a start or end that is not an instant; an end not after
    its start); empty when `planned` can read it."""
    tz = change_tz(change, default_tz)
    problem = timezone_problem(tz)
    if problem is not None:
        return [Problem(UNKNOWN_TIMEZONE, problem, ("spec", "timezone"), E)]
    return [Problem(TIME_ORDER, message, ("spec", field), E)
            for field, message in period_problems(change.start, change.end, tz)]


def planned(change: ChangeRequest, default_tz: str) -> Planned:
    """A change request as judged; ValueError when its period cannot be read."""
    tz = change_tz(change, default_tz)
    interval = period(change.start, change.end, tz)
    if interval[0] >= interval[1]:
        raise ValueError(f"end {change.end} is not after start {change.start}")
    shown = timezone(change.timezone) if change.timezone else \
        parse_instant(change.start, tz).tzinfo or timezone(tz)
    return Planned(change.type, change.template, change.services, interval, shown,
                   change.risk, {name: getattr(change, attr) for name, attr in PLANS},
                   change.name)


class Schedule:
    """Everything change requests are judged against, read once per catalog: services,
    templates, the windows and freezes that can be computed (broken ones are reported by
    their own checks), and the in-flight change requests with their periods."""

    def __init__(self, catalog: Catalog, default_tz: str,
                 levels: tuple[tuple[str, str], ...] = ()) -> None:
        self.catalog = catalog
        self.default_tz = default_tz
        self.levels = dict(levels)  # itsmctl.yaml's `rules:`: rule id -> off | severity
        self.services = catalog.typed(Service)
        self.templates = catalog.typed(StandardChange)
        self.windows: dict[str, Window] = {}
        for window in catalog.typed(MaintenanceWindow).values():
            try:
                self.windows[window.name] = Window(window)
            except ValueError:
                continue
        self.freezes: list[Freeze] = []
        for freeze in catalog.typed(ChangeFreeze).values():
            tz = freeze.timezone or default_tz
            try:
                interval = period(freeze.start, freeze.end, tz)
            except ValueError:
                continue
            if interval[0] < interval[1]:
                shown = timezone(freeze.timezone) if freeze.timezone else \
                    parse_instant(freeze.start, tz).tzinfo or timezone(tz)
                self.freezes.append(Freeze(freeze, interval, shown))
        self.changes: dict[str, Planned] = {}
        self.by_service: dict[str, list[Planned]] = {}
        # In-flight change requests whose period cannot be read (`check` reports why): no
        # one can tell what they overlap.
        self.unreadable: dict[str, list[ChangeRequest]] = {}  # by service
        for change in catalog.typed(ChangeRequest).values():
            if change.status not in IN_FLIGHT:
                continue
            try:
                plan = planned(change, default_tz)
            except ValueError:
                for name in dict.fromkeys(change.services):
                    self.unreadable.setdefault(name, []).append(change)
                continue
            self.changes[change.name] = plan
            for name in dict.fromkeys(plan.services):
                self.by_service.setdefault(name, []).append(plan)
        self.dependents: dict[str, list[str]] = {}
        for service in self.services.values():
            for dependency in service.depends_on:
                self.dependents.setdefault(dependency, []).append(service.name)

    @classmethod
    def of(cls, catalog: Catalog, config: Config) -> Schedule:
        """The catalog's schedule under the repository's settings, built once per run."""
        tz, levels = config.default_timezone, config.rules
        return catalog.memo(f"change-schedule:{tz}:{levels}", lambda: cls(catalog, tz, levels))

    def settle(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems as the settings want them: rules turned off dropped, others given
        the severity chosen (as `check` reports them)."""
        out = []
        for problem in problems:
            level = self.levels.get(problem.rule.id)
            if level == "off":
                continue
            out.append(problem if level is None else replace(problem, severity=Severity(level)))
        return out

    def windows_of(self, service: str) -> list[Window]:
        found = self.services.get(service)
        if found is None:
            return []
        return [self.windows[w] for w in found.maintenance_windows if w in self.windows]

    def covers(self, freeze: ChangeFreeze, service: str) -> str | None:
        """How a freeze's scope covers a service ('erp (tier 1)'), or None."""
        if freeze.everything or service in freeze.services:
            return service
        found = self.services.get(service)
        if found is not None and found.tier in freeze.tiers:
            return f"{service} (tier {found.tier})"
        return None


# --- the rules ----------------------------------------------------------------------------

def _template(schedule: Schedule, plan: Planned) -> Iterator[Problem]:
    if plan.type != "standard":
        if plan.template is not None:
            yield Problem(CHANGE_TEMPLATE,
                          f"template '{plan.template}' is for standard changes; a {plan.type} "
                          "change is judged on its own plans (remove the template or make "
                          "it a standard change)", ("spec", "template"), W)
        return
    template = schedule.templates.get(plan.template or "")
    if template is None:
        return  # no template: the schema says so; an unknown one: unknown-reference
    other = kinds.ref(kinds.STANDARD_CHANGE, template.name)
    for i, service in enumerate(plan.services):
        if service not in template.services:
            yield Problem(CHANGE_TEMPLATE,
                          f"template '{template.name}' does not list service '{service}' (it "
                          f"covers {', '.join(template.services)})",
                          ("spec", "services", i), E, other)
    if template.max_duration is not None and plan.length > seconds(template.max_duration):
        yield Problem(CHANGE_TEMPLATE,
                      f"the change lasts {format_duration(plan.length)}, longer than template "
                      f"'{template.name}' allows (maxDuration {template.max_duration})",
                      ("spec", "end"), E, other)
    if plan.risk is not None and plan.risk != template.risk:
        yield Problem(CHANGE_TEMPLATE,
                      f"risk '{plan.risk}' differs from template '{template.name}' (risk "
                      f"{template.risk}): a riskier change is a normal change",
                      ("spec", "risk"), E, other)
    for name, attr in PLANS:
        own = plan.plans.get(name)
        if own is not None and own.strip() != str(getattr(template, attr)).strip():
            yield Problem(CHANGE_TEMPLATE,
                          f"{name} differs from template '{template.name}': a standard change "
                          f"follows its template's plans (leave {name} out)",
                          ("spec", name), E, other)
    review_by = dt.date.fromisoformat(template.review_by)
    starts = dt.datetime.fromtimestamp(plan.period[0], plan.tz).date()
    if starts > review_by:
        yield Problem(CHANGE_TEMPLATE,
                      f"template '{template.name}' is past its reviewBy date ({review_by}) "
                      f"when the change starts ({iso_minutes(plan.period[0], plan.tz)})",
                      ("spec", "template"), E, other)


def window_severity(schedule: Schedule, plan: Planned) -> Severity:
    template = schedule.templates.get(plan.template or "") if plan.type == "standard" else None
    return E if template is not None and template.require_window else W


def next_fitting(windows: list[Window], plan: Planned) -> tuple[Window, Interval] | None:
    """The earliest occurrence of these windows that starts at or after the change's start
    and is long enough to hold it."""
    best: tuple[Window, Interval] | None = None
    for window in windows:
        if window.recurrence.duration < plan.length:
            continue
        for occurrence in window.recurrence.upcoming(plan.period[0]):
            if occurrence[0] >= plan.period[0]:
                if best is None or occurrence[0] < best[1][0]:
                    best = (window, occurrence)
                break
    return best


def _window(schedule: Schedule, plan: Planned) -> Iterator[Problem]:
    severity = window_severity(schedule, plan)
    for i, name in enumerate(plan.services):
        service = schedule.services.get(name)
        if service is None:
            continue
        if not service.maintenance_windows:
            yield Problem(CHANGE_WINDOW,
                          f"service '{name}' has no maintenance window, so the change cannot "
                          "be inside one", ("spec", "services", i), severity)
            continue
        windows = schedule.windows_of(name)
        if not windows or any(w.recurrence.containing(*plan.period) for w in windows):
            continue  # windows that cannot be computed are reported by their own checks
        found = next_fitting(windows, plan)
        if found is not None:
            hint = f"next: {found[0].describe(found[1])}"
        else:
            longest = max(windows, key=lambda w: w.recurrence.duration)
            hint = (f"none lasts the change's {format_duration(plan.length)}"
                    if longest.recurrence.duration < plan.length else "none occurs ahead")
        yield Problem(CHANGE_WINDOW,
                      f"the change ({plan.span()}) is not inside a maintenance window of "
                      f"service '{name}' ({', '.join(w.name for w in windows)}; {hint})",
                      ("spec", "start"), severity,
                      kinds.ref(kinds.MAINTENANCE_WINDOW, found[0].name) if found else None)


def _freeze(schedule: Schedule, plan: Planned) -> Iterator[Problem]:
    for frozen in schedule.freezes:
        if not overlaps(plan.period, frozen.period):
            continue
        freeze = frozen.freeze
        covered = [c for c in (schedule.covers(freeze, s) for s in plan.services) if c]
        if not covered or (plan.type == "emergency" and freeze.allow_emergency):
            continue
        where = "start" if frozen.period[0] <= plan.period[0] else "end"
        message = (f"the change ({plan.span()}) overlaps freeze '{freeze.name}' "
                   f"({span(frozen.period, frozen.tz)}), which covers {', '.join(covered)}")
        if plan.type == "emergency":
            message += "; the freeze does not allow emergency changes"
        yield Problem(CHANGE_FREEZE, message, ("spec", where), E,
                      kinds.ref(kinds.CHANGE_FREEZE, freeze.name))


def _plan(plan: Planned) -> Iterator[Problem]:
    if plan.type == "standard":
        return
    missing = [label for name, label in (("implementationPlan", "an implementationPlan"),
                                         ("backoutPlan", "a backoutPlan"))
               if not (plan.plans.get(name) or "").strip()]
    if missing:
        yield Problem(CHANGE_PLAN,
                      f"a{'n' if plan.type == 'emergency' else ''} {plan.type} change needs "
                      f"{' and '.join(missing)} (only a standard change takes its plans from "
                      "its template)", ("spec", "type"), E)


def collisions(schedule: Schedule, plan: Planned) -> list[Problem]:
    """The in-flight change requests that overlap this change: on a shared service
    (warning), or on a service that one of its services depends on directly, or that
    depends directly on one of them (info). One problem per other change."""
    return schedule.settle(_collisions(schedule, plan))


Other = TypeVar("Other", Planned, ChangeRequest)


def _related(schedule: Schedule, plan: Planned, by_service: dict[str, list[Other]],
             keep: Callable[[Other], bool] = lambda _: True
             ) -> dict[str, tuple[int, list[str], bool, Other]]:
    """The other changes (from `by_service`, by service name, those `keep` keeps) on this
    change's services (shared) or on a service directly depending on one of them or
    depended on by one: name -> (position of this change's service, relations in words,
    shared, the other)."""
    found: dict[str, tuple[int, list[str], bool, Other]] = {}

    def note(other: Other, position: int, relation: str, shared: bool) -> None:
        if other.name == plan.name or other.name is None or not keep(other):
            return
        entry = found.get(other.name)
        if entry is None or (shared and not entry[2]):
            found[other.name] = (position, [relation], shared, other)
        elif shared == entry[2] and relation not in entry[1]:
            entry[1].append(relation)

    for i, name in enumerate(plan.services):
        for other in by_service.get(name, []):
            note(other, i, name, True)
        service = schedule.services.get(name)
        for dependency in service.depends_on if service else ():
            for other in by_service.get(dependency, []):
                note(other, i, f"{dependency}, which {name} depends on", False)
        for dependent in schedule.dependents.get(name, []):
            for other in by_service.get(dependent, []):
                note(other, i, f"{dependent}, which depends on {name}", False)
    return found


def _collisions(schedule: Schedule, plan: Planned) -> Iterator[Problem]:
    found = _related(schedule, plan, schedule.by_service,
                     lambda other: overlaps(plan.period, other.period))
    for other_name in sorted(found, key=lambda n: (schedule.changes[n].period, n)):
        position, relations, shared, _ = found[other_name]
        other = schedule.changes[other_name]
        what = f" on service {', '.join(relations)}" if shared else \
            f", which changes {'; and '.join(relations)}"
        yield Problem(CHANGE_COLLISION,
                      f"the change overlaps {other_name} ({other.span()}){what}",
                      ("spec", "services", position), W if shared else Severity.INFO,
                      kinds.ref(kinds.CHANGE_REQUEST, other_name))


def unjudged(schedule: Schedule, plan: Planned) -> list[Problem]:
    """The in-flight change requests that `collisions` cannot judge because their period
    cannot be read, on the services it would report them on: a shared service (as a
    warning), or one that a service of this change depends on directly, or that depends
    directly on one of them (info). Under the severity the settings give
    `change-collision`: an unknown overlap counts as much as a known one."""
    return schedule.settle(_unjudged(schedule, plan))


def _unjudged(schedule: Schedule, plan: Planned) -> Iterator[Problem]:
    found = _related(schedule, plan, schedule.unreadable)
    for other_name in sorted(found):
        position, relations, shared, other = found[other_name]
        why = "; ".join(p.message for p in unreadable(other, schedule.default_tz)) or \
            "its period cannot be read"
        what = f"service {', '.join(relations)}" if shared else '; and '.join(relations)
        yield Problem(CHANGE_COLLISION,
                      f"{other.status} change request {other_name} also changes {what}, but "
                      f"its period cannot be read ({why}; {other.entity.document.path}), so "
                      "whether it overlaps the change cannot be judged",
                      ("spec", "services", position), W if shared else Severity.INFO)


def judge(schedule: Schedule, plan: Planned) -> list[Problem]:
    """Every rule but collisions and overdue: template, window, freeze, plans."""
    return schedule.settle([*_template(schedule, plan), *_window(schedule, plan),
                            *_freeze(schedule, plan), *_plan(plan)])


# --- a change request -----------------------------------------------------------------------

def _references(schedule: Schedule, change: ChangeRequest) -> Iterator[Problem]:
    """What `unknown-reference` says about this change request (for its outcome)."""
    if change.template is not None and change.template not in schedule.templates:
        hint = did_you_mean(change.template, list(schedule.templates))
        yield Problem(UNKNOWN_REFERENCE, f"unknown StandardChange '{change.template}'{hint}",
                      ("spec", "template"), E)
    for i, service in enumerate(change.services):
        if service not in schedule.services:
            hint = did_you_mean(service, list(schedule.services))
            yield Problem(UNKNOWN_REFERENCE, f"unknown Service '{service}'{hint}",
                          ("spec", "services", i), E)


def change_problems(schedule: Schedule, change: ChangeRequest, today: dt.date
                    ) -> list[Problem]:
    """Everything wrong with an in-flight change request, `today` being the day it is
    judged on: the change-* rules, and the unknown references, unknown timezone or
    unreadable period (rules of other checks) that keep it from being judged fully."""
    problems = list(_references(schedule, change))
    tz = change_tz(change, schedule.default_tz)
    plan = schedule.changes.get(change.name)
    if plan is None:
        found = unreadable(change, schedule.default_tz)
        if found:  # as `check` reports them: the field that is wrong, and why
            return problems + found
        try:
            plan = planned(change, schedule.default_tz)
        except ValueError as error:  # not expected: `unreadable` says what `planned` refuses
            return [*problems, Problem(TIME_ORDER, str(error), ("spec", "end"), E)]
    problems += judge(schedule, plan)
    problems += collisions(schedule, plan)
    midnight = dt.datetime.combine(today, dt.time(), tzinfo=timezone(tz)).timestamp()
    if plan.period[1] <= midnight:
        problems.append(Problem(
            CHANGE_OVERDUE, f"the change was planned to end {iso_minutes(plan.period[1], plan.tz)}"
            f" but is still {change.status}: record how it went (status implemented, failed "
            "or cancelled) or plan it again", ("spec", "end"), W))
    return schedule.settle(problems)


def check(ctx: Context) -> Iterator[Diagnostic]:
    in_flight = [c for c in ctx.catalog.typed(ChangeRequest).values() if c.status in IN_FLIGHT]
    if not in_flight:
        return
    schedule = Schedule.of(ctx.catalog, ctx.config)
    for change in in_flight:
        for problem in change_problems(schedule, change, ctx.today):
            if problem.rule in RULES:  # the others are their own checks' to report
                yield problem.diagnostic(change)
