"""SLA terms read from the catalog, and the verdicts of the clock on one ticket
(docs/sla-clock.md).

The arithmetic lives in timecalc; this module knows which calendar and which targets an
SLA has, which SLA a service uses, and what met, breached and pending mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from itsmctl.errors import FatalError
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import SLA, Calendar, Service
from itsmctl.text import did_you_mean
from itsmctl.timecalc import Clock, Interval, seconds

MET, BREACHED, PENDING = "met", "breached", "pending"


@dataclass(frozen=True)
class Target:
    response: float | None  # seconds of open time; None when the SLA sets none
    resolution: float
    response_text: str | None
    resolution_text: str


@dataclass
class Terms:
    """One SLA: its clock and its targets per priority level."""

    name: str
    calendar: str
    clock: Clock
    targets: dict[str, Target]
    escalations: list[tuple[float, str, str]] = field(default_factory=list)  # (%, text, team)


def terms_of(catalog: Catalog) -> tuple[dict[str, Terms], dict[str, str]]:
    """Every SLA the clock can run on (calendars share one clock), and why the others
    cannot (a missing calendar, an unknown timezone: `check` reports them in full)."""
    calendars = catalog.typed(Calendar)
    clocks: dict[str, Clock] = {}
    out: dict[str, Terms] = {}
    broken: dict[str, str] = {}
    for sla in catalog.typed(SLA).values():
        calendar = calendars.get(sla.calendar)
        if calendar is None:
            broken[sla.name] = f"its calendar '{sla.calendar}' does not exist"
            continue
        clock = clocks.get(calendar.name)
        try:
            if clock is None:
                clock = clocks[calendar.name] = Clock.of_calendar(calendar)
            targets = {
                level: Target(seconds(t.response) if t.response is not None else None,
                              seconds(t.resolution), t.response, t.resolution)
                for level, t in sla.targets.items()}
        except (ValueError, KeyError) as error:
            broken[sla.name] = f"calendar {calendar.name}: {error}"
            continue
        escalations = [(e.percent, e.at, e.notify) for e in sla.escalations]
        out[sla.name] = Terms(sla.name, calendar.name, clock, targets, escalations)
    return out, broken


def service_slas(catalog: Catalog) -> dict[str, str]:
    return {s.name: s.sla for s in catalog.typed(Service).values() if s.sla is not None}


@dataclass(slots=True)  # made per ticket and replay: not frozen, which costs per field
class Judgement:
    """The clock's view of one ticket under one SLA."""

    response_due: float | None
    resolution_due: float
    response: str | None  # met | breached | pending; None without a response target
    resolution: str
    clock: Clock = field(repr=False)
    opened: float = field(repr=False)
    until: float = field(repr=False)  # resolved, or now
    pauses: list[Interval] = field(repr=False)

    @property
    def elapsed(self) -> float:
        """Open seconds counted towards resolution, up to resolved or now (computed only
        when asked: replays need it for --details alone)."""
        return self.clock.elapsed(self.opened, self.until, self.pauses)


def _verdict(due: float, event: float | None, now: float) -> str:
    if event is not None:
        return MET if event <= due else BREACHED
    return BREACHED if now > due else PENDING


def judge(terms: Terms, priority: str, opened: float, responded: float | None,
          resolved: float | None, pauses: list[Interval], now: float) -> Judgement:
    """Due times and verdicts (rules 3-7); `pauses` sorted and merged."""
    target = terms.targets[priority]
    clock = terms.clock
    response_due, resolution_due = clock.dues(opened, target.response, target.resolution,
                                              pauses)
    return Judgement(
        response_due=response_due,
        resolution_due=resolution_due,
        response=(None if response_due is None
                  else _verdict(response_due, responded if responded is not None else resolved,
                                now)),
        resolution=_verdict(resolution_due, resolved, now),
        clock=clock, opened=opened, until=resolved if resolved is not None else now,
        pauses=pauses,
    )


def verdicts(clock: Clock, target: Target, opened: float, responded: float | None,
             resolved: float | None, pauses: list[Interval], now: float
             ) -> tuple[str | None, str]:
    """`judge`'s response and resolution verdicts alone (what a replay tallies)."""
    response_due, resolution_due = clock.dues(opened, target.response, target.resolution,
                                              pauses)
    if resolved is not None:
        resolution = MET if resolved <= resolution_due else BREACHED
    else:
        resolution = BREACHED if now > resolution_due else PENDING
    if response_due is None:
        return None, resolution
    answered = responded if responded is not None else resolved
    if answered is not None:
        return (MET if answered <= response_due else BREACHED), resolution
    return (BREACHED if now > response_due else PENDING), resolution


def escalation_times(terms: Terms, priority: str, opened: float,
                     pauses: list[Interval]) -> list[tuple[str, str, float]]:
    """When each escalation fires: at its share of the resolution target (rule 7)."""
    target = terms.targets[priority].resolution
    return [(text, team, terms.clock.due(opened, target * pct / 100, pauses))
            for pct, text, team in terms.escalations]


def choose(terms: dict[str, Terms], broken: dict[str, str], name: str,
           priority: str | None = None, where: str = "", option: str = "") -> Terms:
    """The SLA named on the command line (by `option`, if one), or a one-line reason why
    it cannot be used."""
    prefix = f"{option}: " if option else ""
    if name in broken:
        raise FatalError(f"{prefix}SLA '{name}'{where} cannot be used: {broken[name]}",
                         "run itsmctl check for the details")
    if name not in terms:
        raise FatalError(f"{prefix}unknown SLA '{name}'{where}"
                         f"{did_you_mean(name, sorted(terms))}",
                         f"the SLAs are: {', '.join(sorted(terms)) or 'none'}")
    chosen = terms[name]
    if priority is not None and priority not in chosen.targets:
        raise FatalError(f"SLA '{name}' has no target for priority '{priority}'"
                         f"{did_you_mean(priority, sorted(chosen.targets))}",
                         f"its priorities are: {', '.join(chosen.targets)}")
    return chosen
