"""`itsmctl changes gate SERVICE`: a deployment pipeline asks, before it deploys, whether a
standard change may start now (docs/changes.md#the-gate). The answer is the same
judgement `check` makes of a change request, made of the change the pipeline is about to
make: allowed when no rule of error severity applies; the window occurrence it falls in;
every reason otherwise, and when the next attempt could succeed.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from itsmctl.changes.outcome import evaluate
from itsmctl.changes.source import ChangeCatalog, read_catalog
from itsmctl.diagnostics import Rule, Severity
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK, FatalError
from itsmctl.model.typed import ChangeRequest, StandardChange
from itsmctl.text import did_you_mean
from itsmctl.timecalc import Interval, iso_minutes, moment, parse_duration, timezone
from itsmctl.validate.change_requests import (
    CHANGE_TEMPLATE,
    Planned,
    Problem,
    Schedule,
    collisions,
    judge,
    planned,
    unjudged,
)

CHANGE_GATE = Rule(
    "change-gate", Severity.ERROR, "The gate refuses a deployment under a change request: "
    "the change does not list the service, still needs approval, or is not planned for then.")
RULES = (CHANGE_GATE,)
MAX_CANDIDATES = 5000  # start times tried when looking for the next opening


@dataclass(frozen=True)
class Question:
    """What a pipeline asks (the command's options, as given)."""

    service: str
    template: str | None = None
    at: str | None = None  # default: now
    duration: str | None = None  # default: the template's maxDuration
    change: str | None = None  # ask about this change request instead of a template


@dataclass(frozen=True)
class Reason:
    rule: str
    message: str
    severity: Severity


@dataclass(frozen=True)
class Occurrence:
    """An occurrence of a maintenance window."""

    name: str
    start: float
    end: float
    tz: dt.tzinfo


@dataclass(frozen=True)
class Answer:
    service: str
    template: str | None
    change: str | None
    at: float
    until: float
    tz: dt.tzinfo  # how times are shown
    reasons: tuple[Reason, ...]  # errors first; warnings and infos do not refuse
    window: Occurrence | None
    next_opening: float | None

    @property
    def allowed(self) -> bool:
        return not any(r.severity is Severity.ERROR for r in self.reasons)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.allowed else EXIT_FINDINGS


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _ordered(reasons: list[Reason]) -> tuple[Reason, ...]:
    """Without repeats, errors first (stable otherwise)."""
    return tuple(sorted(dict.fromkeys(reasons), key=lambda r: _ORDER[r.severity]))


def _reasons(problems: list[Problem]) -> tuple[Reason, ...]:
    return _ordered([Reason(p.rule.id, p.message, p.severity) for p in problems])


def _instant(text: str, option: str, tz: str) -> dt.datetime:
    try:
        return moment(text, timezone(tz))
    except ValueError:
        raise FatalError(f"{option}: '{text}' is not an ISO 8601 date-time") from None


def _seconds(text: str) -> float:
    try:
        value = parse_duration(text).total_seconds()
    except ValueError:
        raise FatalError(f"--duration: '{text}' is not a duration (e.g. 30m, 1h30m, 2d)") \
            from None
    if value <= 0:
        raise FatalError("--duration: must be longer than 0m")
    return value


def _shown(schedule: Schedule, service: str) -> dt.tzinfo:
    """Times are shown in the timezone of the service's first maintenance window (the
    local time its windows are written in), else in the repository's."""
    windows = schedule.windows_of(service)
    return windows[0].recurrence.tz if windows else timezone(schedule.default_tz)


def _template(schedule: Schedule, service: str, name: str | None) -> StandardChange | None:
    if name is not None:
        found = schedule.templates.get(name)
        if found is None:
            raise FatalError(f"unknown standard-change template '{name}'"
                             f"{did_you_mean(name, sorted(schedule.templates))}")
        return found
    listing = [t for t in schedule.templates.values() if service in t.services]
    if len(listing) > 1:
        raise FatalError(f"templates {', '.join(t.name for t in listing)} all list service "
                         f"'{service}': choose one with --template")
    return listing[0] if listing else None


def occurrence(schedule: Schedule, service: str, period: Interval) -> Occurrence | None:
    """The occurrence of one of the service's windows that holds the whole period."""
    for window in schedule.windows_of(service):
        found = window.recurrence.containing(*period)
        if found is not None:
            return Occurrence(window.name, found[0], found[1], window.recurrence.tz)
    return None


def _candidates(schedule: Schedule, plan: Planned) -> Iterator[float]:
    """Start times after the plan's start at which the answer may change: window
    openings and the ends of freezes, in order, without repeats."""
    after = plan.period[0]
    streams: list[Iterator[float]] = [
        (begin for begin, _end in w.recurrence.upcoming(after) if begin > after)
        for service in plan.services for w in schedule.windows_of(service)]
    streams.append(iter(sorted(f.period[1] for f in schedule.freezes if f.period[1] > after)))
    previous = None
    for instant in heapq.merge(*streams):
        if instant != previous:
            yield instant
        previous = instant


def next_opening(schedule: Schedule, plan: Planned) -> float | None:
    """The first start after the plan's at which the same change would be allowed; None
    when the template itself refuses it, or nothing opens in the horizon."""
    for count, start in enumerate(_candidates(schedule, plan)):
        if count >= MAX_CANDIDATES:
            break
        moved = Planned(plan.type, plan.template, plan.services,
                        (start, start + plan.length), plan.tz, plan.risk, plan.plans)
        if not any(p.severity is Severity.ERROR for p in judge(schedule, moved)):
            return start
    return None


def _for_template(schedule: Schedule, question: Question, at: dt.datetime) -> Answer:
    service = question.service
    template = _template(schedule, service, question.template)
    tz = _shown(schedule, service)
    if question.duration is not None:
        length = _seconds(question.duration)
    elif template is not None and template.max_duration is not None:
        length = _seconds(template.max_duration)
    elif template is None:
        length = 0.0
    else:
        raise FatalError(f"template '{template.name}' has no maxDuration: give --duration")
    start = at.timestamp()
    period = (start, start + length)
    if template is None:
        reason = Reason(CHANGE_TEMPLATE.id, f"no standard-change template lists service "
                                            f"'{service}': a change to it needs approval",
                        Severity.ERROR)
        return Answer(service, None, None, start, start + length, tz, (reason,),
                      occurrence(schedule, service, period), None)
    plan = Planned("standard", template.name, (service,), period, tz)
    problems = [*judge(schedule, plan), *collisions(schedule, plan), *unjudged(schedule, plan)]
    reasons = _reasons(problems)
    opening = None
    refused = any(r.severity is Severity.ERROR for r in reasons)
    if refused and not any(p.rule is CHANGE_TEMPLATE and p.severity is Severity.ERROR
                           for p in problems):
        opening = next_opening(schedule, plan)
    return Answer(service, template.name, None, start, start + length, tz, reasons,
                  occurrence(schedule, service, period), opening)


def _for_change(read: ChangeCatalog, question: Question, at: dt.datetime,
                now: dt.datetime) -> Answer:
    schedule, service, name = read.schedule, question.service, question.change or ""
    changes = read.catalog.typed(ChangeRequest)
    change = changes.get(name)
    if change is None:
        raise FatalError(f"unknown change request '{name}'{did_you_mean(name, sorted(changes))}")
    evaluation = evaluate(read.catalog, change, now, read.config)
    if evaluation.outcome is None:
        raise FatalError(f"change request '{name}' is {change.status}: only requested or "
                         "scheduled changes can be gated")
    reasons = [Reason(d.rule, d.message, d.severity) for d in evaluation.problems]
    try:
        plan = planned(change, schedule.default_tz)
    except ValueError:  # its problems say why
        plan = None
    if plan is not None:
        reasons += [Reason(p.rule.id, p.message, p.severity) for p in unjudged(schedule, plan)]
    tz = _shown(schedule, service)
    start = at.timestamp()
    end = plan.period[1] if plan is not None else start
    length = _seconds(question.duration) if question.duration is not None else max(
        end - start, 0.0)
    gate: list[str] = []
    if service not in change.services:
        gate.append(f"change request '{name}' does not list service '{service}' (it changes "
                    f"{', '.join(change.services)})")
    if change.type != "standard" and change.status != "scheduled":
        gate.append(f"{change.type} change '{name}' is {change.status}: it needs approval "
                    "(status scheduled) before it starts")
    opening = None
    if plan is not None:
        if start < plan.period[0]:
            gate.append(f"the change is planned to start at "
                        f"{iso_minutes(plan.period[0], plan.tz)}")
            opening = plan.period[0]
        elif start >= plan.period[1] or start + length > plan.period[1]:
            gate.append(f"the change is planned to end at {iso_minutes(plan.period[1], plan.tz)}")
    ordered = _ordered(reasons + [Reason(CHANGE_GATE.id, text, Severity.ERROR)
                                  for text in gate])
    blocked_otherwise = len(gate) > 1 or any(
        r.severity is Severity.ERROR and r.rule != CHANGE_GATE.id for r in ordered)
    return Answer(service, change.template, name, start, start + length, tz, ordered,
                  occurrence(schedule, service, (start, start + length)),
                  None if blocked_otherwise else opening)


def answer(read: ChangeCatalog, question: Question, now: dt.datetime) -> Answer:
    """The gate's answer on a catalog already read."""
    if question.change is not None and question.template is not None:
        raise FatalError("--change and --template ask different questions: give one")
    schedule = read.schedule
    if question.service not in schedule.services:
        raise FatalError(f"unknown service '{question.service}'"
                         f"{did_you_mean(question.service, sorted(schedule.services))}")
    at = now if question.at is None else _instant(question.at, "--at", schedule.default_tz)
    if question.change is not None:
        return _for_change(read, question, at, now)
    return _for_template(schedule, question, at)


def gate(root: Path, ref: str | None, question: Question, now: dt.datetime) -> Answer:
    """`itsmctl changes gate`: read the repository's catalog and answer."""
    return answer(read_catalog(root, ref, now.date()), question, now)
