"""SLA sanity: a target for every priority level, response before resolution."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.typed import SLA
from itsmctl.timecalc import parse_duration
from itsmctl.validate.context import Context

E = Severity.ERROR
SLA_MISSING_TARGET = Rule("sla-missing-target", E,
                          "An SLA has no target for a priority level of the matrix.")
SLA_ORDER = Rule("sla-order", E, "SLA targets out of order: a zero target, response not "
                 "before resolution, or escalation thresholds not ascending.")
SLA_UNREACHABLE = Rule("sla-unreachable", E, "An SLA target needs more open time than its "
                       "calendar has in a year (durations count open time only).")
RULES = (SLA_MISSING_TARGET, SLA_ORDER, SLA_UNREACHABLE)


def _unreachable(ctx: Context, sla: SLA) -> Iterator[Diagnostic]:
    year = ctx.open_time_ahead(sla.calendar)
    if not year:
        return
    for level, target in sla.targets.items():
        for kind, text in (("response", target.response), ("resolution", target.resolution)):
            if text is not None and parse_duration(text).total_seconds() > year:
                yield sla.diagnostic(
                    SLA_UNREACHABLE,
                    f"{level}: the {kind} target {text} needs more open time than "
                    f"calendar {sla.calendar} has in a year "
                    f"({round(year / 3600)}h from {ctx.today.isoformat()}); durations count "
                    "open time only", ("spec", "targets", level, kind))


def _order(sla: SLA) -> Iterator[Diagnostic]:
    for level, target in sla.targets.items():
        where = ("spec", "targets", level)
        resolution = parse_duration(target.resolution)
        if not resolution:
            yield sla.diagnostic(SLA_ORDER, f"{level}: the resolution target is zero",
                                 (*where, "resolution"))
        if target.response is not None:
            response = parse_duration(target.response)
            if not response:
                yield sla.diagnostic(SLA_ORDER, f"{level}: the response target is zero",
                                     (*where, "response"))
            elif response >= resolution:
                yield sla.diagnostic(
                    SLA_ORDER,
                    f"{level}: response {target.response} is not before "
                    f"resolution {target.resolution}", (*where, "response"))
    previous = -1.0
    for i, escalation in enumerate(sla.escalations):
        if escalation.percent <= previous:
            yield sla.diagnostic(
                SLA_ORDER, f"escalation at {escalation.at} does not come after the "
                "one before it; list thresholds in ascending order",
                ("spec", "escalations", i, "at"))
        previous = escalation.percent


def check(ctx: Context) -> Iterator[Diagnostic]:
    levels = ctx.catalog.priority_levels()
    for sla in ctx.catalog.typed(SLA).values():
        for level in levels:
            if level not in sla.targets:
                yield sla.diagnostic(SLA_MISSING_TARGET, f"no target for priority {level}",
                                     ("spec", "targets"), key=True)
        yield from _order(sla)
        yield from _unreachable(ctx, sla)
