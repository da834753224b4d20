"""SLA sanity: a target for every priority level, response before resolution."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Entity
from itsmctl.timecalc import parse_duration
from itsmctl.validate.context import Context

RULES = ("sla-missing-target", "sla-order", "sla-unreachable")


def _unreachable(ctx: Context, sla: Entity) -> Iterator[Diagnostic]:
    year = ctx.open_time_ahead(sla.spec["calendar"])
    if not year:
        return
    for level, target in sla.spec["targets"].items():
        for kind in ("response", "resolution"):
            if kind in target and parse_duration(target[kind]).total_seconds() > year:
                yield sla.diagnostic(
                    "sla-unreachable",
                    f"{level}: the {kind} target {target[kind]} needs more open time than "
                    f"calendar {sla.spec['calendar']} has in a year "
                    f"({round(year / 3600)}h from {ctx.today.isoformat()}); durations count "
                    "open time only", ("spec", "targets", level, kind))


def check(ctx: Context) -> Iterator[Diagnostic]:
    levels = ctx.catalog.priority_levels()
    for sla in ctx.catalog.of_kind("SLA"):
        targets = sla.spec["targets"]
        for level in levels:
            if level not in targets:
                yield sla.diagnostic("sla-missing-target", f"no target for priority {level}",
                                     ("spec", "targets"), key=True)
        for level, target in targets.items():
            where = ("spec", "targets", level)
            resolution = parse_duration(target["resolution"])
            if not resolution:
                yield sla.diagnostic("sla-order", f"{level}: the resolution target is zero",
                                     (*where, "resolution"))
            if "response" in target:
                response = parse_duration(target["response"])
                if not response:
                    yield sla.diagnostic("sla-order", f"{level}: the response target is zero",
                                         (*where, "response"))
                elif response >= resolution:
                    yield sla.diagnostic(
                        "sla-order",
                        f"{level}: response {target['response']} is not before "
                        f"resolution {target['resolution']}", (*where, "response"))
        previous = -1.0
        for i, escalation in enumerate(sla.spec.get("escalations", [])):
            at = float(escalation["at"].rstrip("%"))
            if at <= previous:
                yield sla.diagnostic(
                    "sla-order", f"escalation at {escalation['at']} does not come after the "
                    "one before it; list thresholds in ascending order",
                    ("spec", "escalations", i, "at"))
            previous = at
        yield from _unreachable(ctx, sla)
