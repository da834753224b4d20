"""The outcome of a change request (docs/changes.md#outcomes): `blocked` when any rule of
error severity applies to it, else `pre-approved` for a standard change, else
`needs-approval`. The API the pull-request review calls:

    from itsmctl.changes.outcome import evaluate
    evaluation = evaluate(catalog, change, now, config)   # one ChangeRequest
    evaluation.outcome       # Outcome.BLOCKED | PRE_APPROVED | NEEDS_APPROVAL | None
    evaluation.problems      # its diagnostics: change-* rules, collisions included
    evaluation.collisions    # the other in-flight change requests it overlaps
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsmctl import kinds
from itsmctl.changes.source import read_catalog
from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic, Severity
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK, FatalError
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import ChangeRequest
from itsmctl.text import did_you_mean
from itsmctl.timecalc import timezone_problem
from itsmctl.validate.change_requests import (
    CHANGE_COLLISION,
    IN_FLIGHT,
    Schedule,
    change_problems,
    planned,
)


class Outcome(str, enum.Enum):
    BLOCKED = "blocked"
    PRE_APPROVED = "pre-approved"
    NEEDS_APPROVAL = "needs-approval"


@dataclass(frozen=True)
class Evaluation:
    """How one change request stands."""

    change: ChangeRequest
    outcome: Outcome | None  # None: not in flight (implemented, failed or cancelled)
    problems: tuple[Diagnostic, ...]  # sorted; every severity
    start: dt.datetime | None  # its period, in its own timezone; None when unreadable
    end: dt.datetime | None
    collisions: tuple[str, ...] = ()  # names of the in-flight change requests it overlaps

    @property
    def name(self) -> str:
        return self.change.name

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.problems if d.severity is Severity.ERROR]

    def to_json(self) -> dict[str, Any]:
        """The review's `changeRequests` entry (plus status, template, services, period)."""
        return {
            "name": self.name, "type": self.change.type, "status": self.change.status,
            "template": self.change.template, "services": list(self.change.services),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "path": self.change.entity.document.path,
            "outcome": self.outcome.value if self.outcome else None,
            "problems": [d.to_json() for d in self.problems],
            "collisions": list(self.collisions),
        }


def _period(change: ChangeRequest, default_tz: str
            ) -> tuple[dt.datetime | None, dt.datetime | None]:
    if timezone_problem(change.timezone or default_tz) is not None:
        return None, None
    try:
        plan = planned(change, default_tz)
    except ValueError:
        return None, None
    return (dt.datetime.fromtimestamp(plan.period[0], plan.tz),
            dt.datetime.fromtimestamp(plan.period[1], plan.tz))


def evaluate(catalog: Catalog, change: ChangeRequest, now: dt.datetime,
             config: Config | None = None) -> Evaluation:
    """The outcome of one change request of `catalog` (a validated catalog, e.g.
    `Checked.catalog`) and its problems: every change-* rule, collisions with the other
    in-flight change requests of the catalog included, plus the unknown references,
    timezone or unreadable period that keep it from being judged (those make it blocked).
    `now` is the moment it is judged (a change still in flight after its planned end is
    overdue: a warning); `config` is the repository's settings (`Checked.loaded.config`):
    its default timezone, and its `rules:` (a rule turned off or given another severity
    counts as `check` reports it)."""
    settings = config or Config()
    default_tz = settings.default_timezone
    start, end = _period(change, default_tz)
    if change.status not in IN_FLIGHT:
        return Evaluation(change, None, (), start, end)
    schedule = Schedule.of(catalog, settings)
    found = change_problems(schedule, change, now.date())
    problems = tuple(sorted({p.diagnostic(change) for p in found}))
    collisions = tuple(sorted(kinds.split_ref(p.other)[1] for p in found
                              if p.rule is CHANGE_COLLISION and p.other))
    if any(d.severity is Severity.ERROR for d in problems):
        outcome = Outcome.BLOCKED
    elif change.type == "standard":
        outcome = Outcome.PRE_APPROVED
    else:
        outcome = Outcome.NEEDS_APPROVAL
    return Evaluation(change, outcome, problems, start, end, collisions)


def evaluate_all(catalog: Catalog, now: dt.datetime, config: Config | None = None
                 ) -> list[Evaluation]:
    """Every change request of the catalog, by start (unreadable periods last), then name."""
    evaluations = [evaluate(catalog, change, now, config)
                   for change in catalog.typed(ChangeRequest).values()]
    return sorted(evaluations, key=_order)


def _order(evaluation: Evaluation) -> tuple[bool, float, str]:
    start = evaluation.start
    return start is None, start.timestamp() if start else 0.0, evaluation.name


@dataclass(frozen=True)
class ChangeList:
    """`itsmctl changes list`."""

    now: dt.datetime
    evaluations: list[Evaluation]

    @property
    def exit_code(self) -> int:
        blocked = any(e.outcome is Outcome.BLOCKED for e in self.evaluations)
        return EXIT_FINDINGS if blocked else EXIT_OK

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for evaluation in self.evaluations:
            key = evaluation.outcome.value if evaluation.outcome else evaluation.change.status
            found[key] = found.get(key, 0) + 1
        return found


def list_changes(root: Path, ref: str | None, now: dt.datetime,
                 names: Iterable[str] = ()) -> ChangeList:
    """Every change request of a repository (or those named) with its outcome."""
    read = read_catalog(root, ref, now.date())
    evaluations = evaluate_all(read.catalog, now, read.config)
    wanted = set(names)
    if wanted:
        known = sorted(e.name for e in evaluations)
        for name in sorted(wanted.difference(known)):
            raise FatalError(f"unknown change request '{name}'{did_you_mean(name, known)}")
        evaluations = [e for e in evaluations if e.name in wanted]
    return ChangeList(now, evaluations)
