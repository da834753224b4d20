"""One priority matrix, with every impact x urgency cell set to a defined level."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.validate.context import Context
from itsmctl.validate.schema import did_you_mean

RULES = ("matrix-incomplete", "singleton", "duplicate-name")


def check(ctx: Context) -> Iterator[Diagnostic]:
    matrices = sorted(ctx.catalog.of_kind("PriorityMatrix"), key=lambda e: e.document.path)
    for extra in matrices[1:]:
        yield extra.diagnostic(
            "singleton", f"a second PriorityMatrix ('{extra.name}'); the catalog has one, "
                         f"'{matrices[0].name}'", ("metadata", "name"))
    if not matrices:
        slas = sorted(ctx.catalog.of_kind("SLA"), key=lambda e: e.document.path)
        if slas:
            yield slas[0].diagnostic(
                "singleton", "no PriorityMatrix is defined; SLA targets need its levels",
                ("spec", "targets"), key=True)
        return
    matrix = matrices[0]
    spec = matrix.spec
    levels = [level["name"] for level in spec["levels"]]
    for i, name in enumerate(levels):
        if name in levels[:i]:
            yield matrix.diagnostic("duplicate-name", f"priority level '{name}' is defined twice",
                                    ("spec", "levels", i, "name"))
    cells = spec["matrix"]
    for impact in cells:
        if impact not in spec["impact"]:
            yield matrix.diagnostic(
                "matrix-incomplete",
                f"unknown impact '{impact}'{did_you_mean(impact, spec['impact'])}",
                ("spec", "matrix", impact), key=True)
            continue
        for urgency in cells[impact]:
            if urgency not in spec["urgency"]:
                yield matrix.diagnostic(
                    "matrix-incomplete",
                    f"unknown urgency '{urgency}'{did_you_mean(urgency, spec['urgency'])}",
                    ("spec", "matrix", impact, urgency), key=True)
    for impact in spec["impact"]:
        row = cells.get(impact)
        if row is None:
            yield matrix.diagnostic("matrix-incomplete", f"no row for impact '{impact}'",
                                    ("spec", "matrix"), key=True)
            continue
        for urgency in spec["urgency"]:
            level = row.get(urgency)
            if level is None:
                yield matrix.diagnostic(
                    "matrix-incomplete", f"no priority for impact '{impact}' x urgency "
                    f"'{urgency}'", ("spec", "matrix", impact), key=True)
            elif level not in levels:
                yield matrix.diagnostic(
                    "matrix-incomplete",
                    f"unknown priority level '{level}'{did_you_mean(level, levels)}",
                    ("spec", "matrix", impact, urgency))
