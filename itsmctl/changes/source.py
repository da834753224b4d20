"""The catalog as change enablement reads it: validated documents (policies judge
documents, not schedules, and are not run), refused when a problem would make an answer
unsafe (a freeze that did not load must not let a deployment through)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic, Severity
from itsmctl.errors import FatalError
from itsmctl.kinds import CHANGE_REQUEST
from itsmctl.load import load
from itsmctl.model.catalog import Catalog
from itsmctl.sources import open_source
from itsmctl.text import plural
from itsmctl.validate import validate
from itsmctl.validate.change_requests import RULES, Schedule
from itsmctl.validate.changes import STANDARD_CHANGE_EXPIRED

# The semantic checks change enablement depends on (the others, e.g. SLA calendars, cost
# time and say nothing about a schedule; `check` runs them all).
CHECKS = ("changes", "change-requests")
# Judged per change request (or per template, at the change's start) by change enablement
# itself, so they never keep it from answering.
JUDGED = frozenset({rule.id for rule in RULES} | {STANDARD_CHANGE_EXPIRED.id})


@dataclass(frozen=True)
class ChangeCatalog:
    catalog: Catalog
    config: Config
    schedule: Schedule


def _judged(diagnostic: Diagnostic, catalog: Catalog) -> bool:
    return diagnostic.rule in JUDGED or (
        diagnostic.kind == CHANGE_REQUEST and catalog.get(CHANGE_REQUEST, diagnostic.name)
        is not None)


def read_catalog(root: Path, ref: str | None, today: dt.date) -> ChangeCatalog:
    """The catalog of a repository (its work tree, or a git ref), validated as of `today`
    (schema, names, references, the change checks). Raises FatalError when it has errors
    other than those of change requests themselves (which their evaluations report)."""
    loaded = load(open_source(root, ref))
    catalog, problems = validate(loaded.documents, loaded.config, today, CHECKS)
    levels = dict(loaded.config.rules)  # itsmctl.yaml's `rules:`, as `check` applies them
    blocking = sorted(d for d in [*loaded.diagnostics, *problems]
                      if levels.get(d.rule, d.severity.value) == Severity.ERROR.value
                      and not _judged(d, catalog))
    if blocking:
        raise FatalError(f"the catalog has {plural(len(blocking), 'error')} (first: "
                         f"{blocking[0].format()}), so changes cannot be judged safely",
                         hint="run `itsmctl check` and fix them")
    return ChangeCatalog(catalog, loaded.config,
                         Schedule.of(catalog, loaded.config))
