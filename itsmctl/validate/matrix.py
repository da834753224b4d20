"""One priority matrix, with every impact x urgency cell set to a defined level."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.typed import SLA, PriorityMatrix
from itsmctl.text import did_you_mean
from itsmctl.validate.context import Context
from itsmctl.validate.names import DUPLICATE_NAME

MATRIX_INCOMPLETE = Rule("matrix-incomplete", Severity.ERROR,
                         "The priority matrix leaves an impact x urgency cell unset or unknown.")
SINGLETON = Rule("singleton", Severity.ERROR,
                 "A kind that allows one document (PriorityMatrix) has several, or none.")
RULES = (MATRIX_INCOMPLETE, SINGLETON, DUPLICATE_NAME)


def _cells(matrix: PriorityMatrix) -> Iterator[Diagnostic]:
    levels = matrix.level_names
    cells = matrix.matrix
    for impact in cells:
        if impact not in matrix.impact:
            yield matrix.diagnostic(
                MATRIX_INCOMPLETE,
                f"unknown impact '{impact}'{did_you_mean(impact, matrix.impact)}",
                ("spec", "matrix", impact), key=True)
            continue
        for urgency in cells[impact]:
            if urgency not in matrix.urgency:
                yield matrix.diagnostic(
                    MATRIX_INCOMPLETE,
                    f"unknown urgency '{urgency}'{did_you_mean(urgency, matrix.urgency)}",
                    ("spec", "matrix", impact, urgency), key=True)
    for impact in matrix.impact:
        row = cells.get(impact)
        if row is None:
            yield matrix.diagnostic(MATRIX_INCOMPLETE, f"no row for impact '{impact}'",
                                    ("spec", "matrix"), key=True)
            continue
        for urgency in matrix.urgency:
            level = row.get(urgency)
            if level is None:
                yield matrix.diagnostic(
                    MATRIX_INCOMPLETE, f"no priority for impact '{impact}' x urgency "
                    f"'{urgency}'", ("spec", "matrix", impact), key=True)
            elif level not in levels:
                yield matrix.diagnostic(
                    MATRIX_INCOMPLETE,
                    f"unknown priority level '{level}'{did_you_mean(level, levels)}",
                    ("spec", "matrix", impact, urgency))


def check(ctx: Context) -> Iterator[Diagnostic]:
    matrices = sorted(ctx.catalog.typed(PriorityMatrix).values(),
                      key=lambda m: m.entity.document.path)
    for extra in matrices[1:]:
        yield extra.diagnostic(
            SINGLETON, f"a second PriorityMatrix ('{extra.name}'); the catalog has one, "
                       f"'{matrices[0].name}'", ("metadata", "name"))
    if not matrices:
        slas = sorted(ctx.catalog.typed(SLA).values(), key=lambda s: s.entity.document.path)
        if slas:
            yield slas[0].diagnostic(
                SINGLETON, "no PriorityMatrix is defined; SLA targets need its levels",
                ("spec", "targets"), key=True)
        return
    matrix = matrices[0]
    levels = matrix.level_names
    for i, name in enumerate(levels):
        if name in levels[:i]:
            yield matrix.diagnostic(DUPLICATE_NAME, f"priority level '{name}' is defined twice",
                                    ("spec", "levels", i, "name"))
    yield from _cells(matrix)
