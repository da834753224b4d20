"""`sla replay`: historic tickets judged by the SLA clock, per SLA and priority, under the
catalog as it is at one or more git refs (docs/sla-clock.md#replay).

Input is streamed: a generic CSV is judged row by row, a ServiceNow audit export incident
by incident (its rows are grouped), so memory grows with one incident, not with the file.
Every row that cannot be judged is skipped and reported with its line and the reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from itsmctl.diagnostics import Severity
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK, FatalError
from itsmctl.parallel import can_fork, in_parts, usable_cpus
from itsmctl.pipeline import read_catalog
from itsmctl.sla.due import option_instant
from itsmctl.sla.terms import (
    BREACHED,
    MET,
    PENDING,
    Target,
    Terms,
    choose,
    judge,
    service_slas,
    terms_of,
    verdicts,
)
from itsmctl.sla.tickets import READERS, Prepared
from itsmctl.sla.tickets.records import (
    WHOLE,
    BadInput,
    LineFile,
    Part,
    Progress,
    ReadOptions,
    Remark,
    Skipped,
    Ticket,
    quoted,
)
from itsmctl.sources import file_kind, open_source
from itsmctl.timecalc import ClockError, iso, timezone

TallyKey = tuple[str | None, str, str]  # (ref, SLA, priority)


@dataclass
class Tally:
    tickets: int = 0
    response_met: int = 0
    response_breached: int = 0
    response_pending: int = 0
    resolution_met: int = 0
    resolution_breached: int = 0
    resolution_pending: int = 0
    made_sla_compared: int = 0
    made_sla_agree: int = 0

    @property
    def compliance(self) -> float | None:
        judged = self.resolution_met + self.resolution_breached
        return round(100 * self.resolution_met / judged, 2) if judged else None


TALLY_FIELDS = [f.name for f in fields(Tally)]


@dataclass
class View:
    """The catalog at one ref, as replay needs it."""

    ref: str | None
    terms: dict[str, Terms]
    services: dict[str, str]  # service -> SLA
    broken: dict[str, str] = field(default_factory=dict)  # SLA -> why it cannot be used
    errors: int = 0  # errors `check` finds in that catalog


@dataclass
class ReplayReport:
    refs: list[str | None]
    levels: list[str]
    tallies: dict[TallyKey, Tally] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    tickets_read: int = 0
    rows_read: int = 0  # data rows (tickets and skipped rows), before judging
    remarks: list[str] = field(default_factory=list)  # about the input as a whole
    warnings: list[str] = field(default_factory=list)  # about the catalogs judged with
    strict: bool = False  # any skipped row fails the run

    def add(self, other: ReplayReport) -> None:
        """Take in the report on the lines that follow this report's (a part of a file
        judged apart): as if one replay had read them all."""
        for key, tally in other.tallies.items():
            mine = self.tallies.get(key)
            if mine is None:
                self.tallies[key] = tally
            else:
                for name in TALLY_FIELDS:
                    setattr(mine, name, getattr(mine, name) + getattr(tally, name))
        self.skipped += other.skipped
        self.details += other.details
        self.tickets_read += other.tickets_read
        self.rows_read += other.rows_read
        self.remarks += other.remarks

    def judged(self, ref: str | None) -> int:
        return sum(t.tickets for (r, _s, _p), t in self.tallies.items() if r == ref)

    def pending(self, ref: str | None) -> int:
        return sum(t.resolution_pending for (r, _s, _p), t in self.tallies.items() if r == ref)

    def skipped_at(self, ref: str | None) -> int:
        """Rows skipped when judging at `ref` (rows that could not be read count for all)."""
        return sum(1 for s in self.skipped if s.ref is None or s.ref == ref)

    @property
    def exit_code(self) -> int:
        """1 when rows were read and none could be judged, or (strict) any was skipped."""
        if self.rows_read and not any(self.judged(ref) for ref in self.refs):
            return EXIT_FINDINGS
        return EXIT_FINDINGS if self.strict and self.skipped else EXIT_OK

    def rows(self) -> list[tuple[str, str]]:
        """(sla, priority) pairs in a stable order: SLA name, then matrix order."""
        order = {level: i for i, level in enumerate(self.levels)}
        pairs = {(sla, priority) for _ref, sla, priority in self.tallies}
        return sorted(pairs, key=lambda p: (p[0], order.get(p[1], len(order)), p[1]))


# --- judging ------------------------------------------------------------------------------

def _sla_name(ticket: Ticket, view: View, default_sla: str | None) -> str | None:
    if ticket.sla:
        return ticket.sla
    if ticket.service and ticket.service in view.services:
        return view.services[ticket.service]
    return default_sla


def _skip_reason(ticket: Ticket, view: View, name: str | None) -> str | None:
    if name is None:
        if ticket.service:
            return f"unknown service {quoted(ticket.service)} and no --sla"
        return "no SLA (the row names neither an SLA nor a service; give --sla)"
    if name in view.broken:
        return f"SLA '{name}' cannot be used: {view.broken[name]}"
    if name not in view.terms:
        return f"unknown SLA {quoted(name)}"
    if ticket.priority not in view.terms[name].targets:
        return f"unknown priority {quoted(ticket.priority)} (SLA {name} has " \
               f"{', '.join(view.terms[name].targets)})"
    return None


def replay(tickets: Iterable[Ticket | Skipped | Remark], views: list[View], levels: list[str],
           now: float, default_sla: str | None = None, details: bool = False) -> ReplayReport:
    report = ReplayReport([v.ref for v in views], levels)
    multi = len(views) > 1
    # what a ticket's SLA name and priority come to under a view: its terms, target and
    # tally's key, or why it cannot be judged (the same few pairs recur in every file)
    plans: dict[tuple[int, str | None, str, str | None], _Plan | str] = {}
    # how many tickets came to each (tally, response, resolution, agrees with made_sla):
    # one count per ticket here, summed into the tallies at the end
    outcomes: dict[tuple[TallyKey, str | None, str, bool | None], int] = {}
    rows = judged = 0
    for item in tickets:
        if not isinstance(item, Ticket):
            if isinstance(item, Remark):
                report.remarks.append(item.text)
            else:
                rows += 1
                report.skipped.append(item)
            continue
        rows += 1
        judged += 1
        for number, view in enumerate(views):
            name = _sla_name(item, view, default_sla)
            key = (number, name, item.priority, None if name else item.service)
            plan = plans.get(key)
            if plan is None:
                plan = plans[key] = _plan(item, view, name)
            if isinstance(plan, str):
                reason: str | None = plan
            else:
                try:
                    outcome = _outcome(item, plan, now)
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
                    if details:
                        report.details.append(_details(item, view, plan, now))
                    reason = None
                except ClockError as error:
                    reason = str(error)
                except (OverflowError, ValueError) as error:  # past what datetime holds
                    reason = f"its due times cannot be computed ({error})"
            if reason is not None:
                report.skipped.append(Skipped(item.line, reason, view.ref if multi else None))
    report.rows_read, report.tickets_read = rows, judged
    _tally(report.tallies, outcomes)
    return report


_Plan = tuple[Terms, Target, TallyKey]


def _plan(ticket: Ticket, view: View, name: str | None) -> _Plan | str:
    reason = _skip_reason(ticket, view, name)
    if reason is not None:
        return reason
    assert name is not None
    terms = view.terms[name]
    return terms, terms.targets[ticket.priority], (view.ref, terms.name, ticket.priority)


def _outcome(ticket: Ticket, plan: _Plan, now: float
             ) -> tuple[TallyKey, str | None, str, bool | None]:
    """The ticket's tally, its response and resolution verdicts, and whether the
    resolution verdict agrees with the ticket's own `made_sla` (None: nothing to compare)."""
    terms, target, key = plan
    response, resolution = verdicts(terms.clock, target, ticket.opened, ticket.responded,
                                    ticket.resolved, ticket.pauses, now)
    made_sla = ticket.made_sla
    agrees = None if made_sla is None or resolution == PENDING else \
        (resolution == MET) == made_sla
    return key, response, resolution, agrees


def _tally(tallies: dict[TallyKey, Tally],
           outcomes: dict[tuple[TallyKey, str | None, str, bool | None], int]) -> None:
    """Sum the outcomes into each tally (made in the order their first tickets came)."""
    for (key, response, resolution, agrees), count in outcomes.items():
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Tally()
        tally.tickets += count
        if resolution == MET:
            tally.resolution_met += count
        elif resolution == BREACHED:
            tally.resolution_breached += count
        else:
            tally.resolution_pending += count
        if response == MET:
            tally.response_met += count
        elif response == BREACHED:
            tally.response_breached += count
        elif response == PENDING:
            tally.response_pending += count
        if agrees is not None:
            tally.made_sla_compared += count
            tally.made_sla_agree += count if agrees else 0


def _details(ticket: Ticket, view: View, plan: _Plan, now: float) -> dict[str, Any]:
    """One ticket's line of `--details`."""
    terms = plan[0]
    verdict = judge(terms, ticket.priority, ticket.opened, ticket.responded,
                    ticket.resolved, ticket.pauses, now)
    tz = terms.clock.tz
    return {
        **({"ref": view.ref} if view.ref is not None else {}),
        "line": ticket.line, "id": ticket.id, "sla": terms.name,
        "priority": ticket.priority, "opened": _iso(ticket.opened, tz),
        "responseDue": _iso(verdict.response_due, tz),
        "responded": _iso(ticket.responded, tz), "response": verdict.response,
        "resolutionDue": _iso(verdict.resolution_due, tz),
        "resolved": _iso(ticket.resolved, tz), "resolution": verdict.resolution,
        "elapsedPercent": round(
            100 * verdict.elapsed / terms.targets[ticket.priority].resolution, 1),
        **({"madeSla": ticket.made_sla} if ticket.made_sla is not None else {}),
    }


def _iso(instant: float | None, tz: dt.tzinfo) -> str | None:
    return None if instant is None else iso(instant, tz)


# --- the command --------------------------------------------------------------------------

@dataclass(frozen=True)
class ReplayRequest:
    tickets: Path  # '-' for standard input
    source: str = "generic"  # a name in READERS
    refs: tuple[str, ...] = ()
    default_sla: str | None = None
    now: str | None = None
    timezone: str | None = None
    mapping: Path | None = None
    details: bool = False
    strict: bool = False
    jobs: int = 0  # processes to judge with (0: one per usable processor)


def load_views(root: Path, refs: tuple[str, ...]) -> tuple[list[View], list[str], str]:
    """The catalog at each ref (the work tree without refs), its priority levels and the
    default timezone of naive times."""
    views = []
    levels: list[str] = []
    timezone_default = "UTC"
    for ref in refs or (None,):
        checked = read_catalog(open_source(root, ref))
        catalog = checked.catalog
        terms, broken = terms_of(catalog)
        views.append(View(ref, terms, service_slas(catalog), broken,
                          checked.result.count(Severity.ERROR)))
        levels = levels or catalog.priority_levels()
        timezone_default = checked.loaded.config.default_timezone
    return views, levels, timezone_default


def _warnings(views: list[View]) -> list[str]:
    out = []
    for view in views:
        if view.errors:
            where = f"at {view.ref}" if view.ref else "in the work tree"
            check = f"itsmctl check --ref {view.ref}" if view.ref else "itsmctl check"
            out.append(f"the catalog {where} has {view.errors} error"
                       f"{'s' if view.errors != 1 else ''}; see {check}")
    return out


@contextlib.contextmanager
def _ticket_file(path: Path, progress: Progress | None) -> Iterator[LineFile]:
    """The tickets as a file that can be read twice: a regular file as it is; standard
    input (`-`), a pipe or a FIFO (`<(...)`) copied to a temporary file first; a device
    or a folder refused (`/dev/zero` would never end)."""
    with contextlib.ExitStack() as stack:
        kind = None if str(path) == "-" else file_kind(path)
        if kind is not None and kind not in ("a FIFO", "a socket"):
            raise FatalError(f"cannot read {path}: it is {kind}, not a file"
                             if kind.startswith("a ") else f"cannot read {path}: {kind}")
        if str(path) == "-" or kind is not None:
            spool = stack.enter_context(tempfile.NamedTemporaryFile(prefix="itsmctl-tickets-"))
            with contextlib.ExitStack() as inner:
                source = sys.stdin.buffer if str(path) == "-" else \
                    inner.enter_context(path.open("rb"))
                shutil.copyfileobj(source, spool)
            spool.flush()
            path = Path(spool.name)
        try:
            file = LineFile(path, progress)
        except BadInput as error:
            raise FatalError(str(error)) from error
        stack.callback(file.close)
        yield file


PART_BYTES = 1 << 20  # the least a process is given: less is not worth a fork


def _in_parts(file: LineFile, prepared: Prepared, judged: Callable[[LineFile], ReplayReport],
              jobs: int) -> ReplayReport:
    """The report on a file cut into parts where its reader says it may be, judged side
    by side (one per process, `jobs` at most) and put together in the order of the parts:
    the same report as one process makes. A progress bar follows this process's part: the
    others go at the same pace."""
    count = min(jobs, usable_cpus()) if jobs else usable_cpus()  # more would not be faster
    parts = prepared.parts(count, PART_BYTES) if count > 1 and can_fork() else [WHOLE]
    if len(parts) == 1:
        return judged(file)
    progress = file.progress

    def one(part: Part) -> ReplayReport:
        mine = file.on(part, _scaled(progress, len(parts)) if part == parts[0] else None)
        try:
            return judged(mine)
        finally:
            mine.close()

    reports = in_parts(one, parts)
    for report in reports[1:]:
        reports[0].add(report)
    return reports[0]


def _scaled(progress: Progress | None, times: int) -> Progress | None:
    return None if progress is None else (lambda size: progress(size * times))


def input_size(request: ReplayRequest) -> int:
    """Bytes to read, times the reader's passes (0 for standard input): how long a
    progress bar is."""
    if str(request.tickets) == "-":
        return 0
    try:
        return request.tickets.stat().st_size * READERS[request.source].PASSES
    except OSError:
        return 0


def replay_file(root: Path, request: ReplayRequest,
                progress: Progress | None = None) -> ReplayReport:
    """Judge every ticket of a file under the catalog at each ref."""
    views, levels, tz_default = load_views(root, request.refs)
    try:
        tz = timezone(request.timezone or tz_default)
    except ValueError as error:
        raise FatalError(f"--timezone: {error}") from error
    now = option_instant(request.now, "--now", tz) if request.now else time.time()
    if request.default_sla is not None:
        for view in views:
            where = f" at {view.ref}" if view.ref else ""
            choose(view.terms, view.broken, request.default_sla, where=where, option="--sla")
    if request.source == "servicenow" and request.default_sla is None:
        raise FatalError("a ServiceNow export names no SLA: give --sla NAME")
    options = ReadOptions(tz, levels, request.mapping)
    with _ticket_file(request.tickets, progress) as file:
        try:
            prepared = READERS[request.source].prepare(file, options)
        except BadInput as error:
            raise FatalError(str(error)) from error

        def judged(part: LineFile) -> ReplayReport:
            try:
                return replay(prepared.tickets(part), views, levels, now, request.default_sla,
                              request.details)
            except BadInput as error:
                raise FatalError(f"{request.tickets}: {error}") from error

        report = _in_parts(file, prepared, judged, request.jobs)
    report.warnings = _warnings(views)
    report.strict = request.strict
    return report
