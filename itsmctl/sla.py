"""SLA terms read from the catalog, and the verdicts of the clock on one ticket (SPEC §5).

The arithmetic lives in timecalc; this module knows which calendar and which targets an
SLA has, which SLA a service uses, and what met, breached and pending mean.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from itsmctl.model import Catalog
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
    clocks: dict[str, Clock] = {}
    out: dict[str, Terms] = {}
    broken: dict[str, str] = {}
    for sla in catalog.of_kind("SLA"):
        calendar = catalog.get("Calendar", sla.spec["calendar"])
        if calendar is None:
            broken[sla.name] = f"its calendar '{sla.spec['calendar']}' does not exist"
            continue
        clock = clocks.get(calendar.name)
        try:
            if clock is None:
                clock = clocks[calendar.name] = Clock.of_calendar(calendar.spec, calendar.name)
            targets = {
                level: Target(seconds(t["response"]) if "response" in t else None,
                              seconds(t["resolution"]), t.get("response"), t["resolution"])
                for level, t in sla.spec["targets"].items()}
        except (ValueError, KeyError) as error:
            broken[sla.name] = f"calendar {calendar.name}: {error}"
            continue
        escalations = [(float(str(e["at"]).rstrip("%")), str(e["at"]), str(e["notify"]))
                       for e in sla.spec.get("escalations", [])]
        out[sla.name] = Terms(sla.name, calendar.name, clock, targets, escalations)
    return out, broken


def service_slas(catalog: Catalog) -> dict[str, str]:
    return {s.name: s.spec["sla"] for s in catalog.of_kind("Service") if "sla" in s.spec}


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
    response_due = (clock.due(opened, target.response, pauses)
                    if target.response is not None else None)
    resolution_due = clock.due(opened, target.resolution, pauses)
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


def day_name(value: dt.date) -> str:
    return value.strftime("%a %Y-%m-%d")


def escalation_times(terms: Terms, priority: str, opened: float,
                     pauses: list[Interval]) -> list[tuple[str, str, float]]:
    """When each escalation fires: at its share of the resolution target (rule 7)."""
    target = terms.targets[priority].resolution
    return [(text, team, terms.clock.due(opened, target * pct / 100, pauses))
            for pct, text, team in terms.escalations]


def describe_closed(clock: Clock, start: float, end: float) -> list[str]:
    """Why the days strictly between two counted intervals were closed."""
    out = []
    first = clock.local(start).date() + dt.timedelta(days=1)
    last = clock.local(end).date()
    day = first
    while day < last:
        holiday = clock.holiday(day)
        reason = (f"holiday: {holiday}" if holiday else
                  "paused" if clock.day_intervals(day.toordinal()) else "no opening hours")
        out.append(f"{day_name(day)} closed ({reason})")
        day += dt.timedelta(days=1)
    return out


def explain_lines(terms: Terms, opened: float, target: float, pauses: list[Interval],
                  label: str) -> list[str]:
    """The open intervals counted towards one target, with running totals."""
    clock = terms.clock
    lines = [f"{label}: open time counted in {terms.calendar} ({clock.tzname})"]
    total = 0.0
    previous: float | None = None
    for begin, end in clock.counted_until_due(opened, target, pauses):
        if previous is not None:
            lines += [f"    {text}" for text in describe_closed(clock, previous, begin)]
        total += end - begin
        b, e = clock.local(begin), clock.local(end)
        lines.append(f"    {day_name(b.date())} {b:%H:%M}-{e:%H:%M} {b:%Z}  "
                     f"+{span(end - begin):>7}  = {span(total)}")
        previous = end
    return lines


def span(value: float) -> str:
    """Seconds as '3h30m' (for people)."""
    minutes = round(value / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"
