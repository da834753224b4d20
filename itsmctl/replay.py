"""`sla replay`: historic tickets judged by the SLA clock, per SLA and priority, under the
catalog as it is at one or more git refs (SPEC §5).

Input is streamed: a generic CSV is judged row by row, a ServiceNow audit export incident
by incident (its rows are grouped), so memory grows with one incident, not with the file.
Every row that cannot be judged is skipped and reported with its line and the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from itsmctl.sla import BREACHED, MET, PENDING, Terms, judge
from itsmctl.timecalc import ClockError, Interval, iso, merge, to_instant

GENERIC_REQUIRED = ("id", "priority", "opened", "responded", "resolved")


class BadInput(ValueError):
    """The input as a whole cannot be read (a missing column): the command cannot run."""


@dataclass
class Ticket:
    line: int
    id: str
    priority: str
    opened: float
    responded: float | None
    resolved: float | None
    pauses: list[Interval]
    sla: str | None = None
    service: str | None = None
    made_sla: bool | None = None  # ServiceNow's own verdict, when the input has one


@dataclass(frozen=True)
class Skipped:
    line: int
    reason: str
    ref: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, "reason": self.reason}
        if self.ref is not None:
            data["ref"] = self.ref
        return data


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


@dataclass
class View:
    """The catalog at one ref, as replay needs it."""

    ref: str | None
    terms: dict[str, Terms]
    services: dict[str, str]  # service -> SLA
    broken: dict[str, str] = field(default_factory=dict)  # SLA -> why it cannot be used


@dataclass
class Report:
    refs: list[str | None]
    levels: list[str]
    tallies: dict[tuple[str | None, str, str], Tally] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    tickets_read: int = 0

    def rows(self) -> list[tuple[str, str]]:
        """(sla, priority) pairs in a stable order: SLA name, then matrix order."""
        order = {level: i for i, level in enumerate(self.levels)}
        pairs = {(sla, priority) for _ref, sla, priority in self.tallies}
        return sorted(pairs, key=lambda p: (p[0], order.get(p[1], len(order)), p[1]))


# --- reading ------------------------------------------------------------------------------

def _instant(text: str, tz: dt.tzinfo, what: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return to_instant(text, tz)
    except ValueError:
        raise ValueError(f"unparseable {what} time {text!r}") from None


def _pauses(text: str, tz: dt.tzinfo) -> list[Interval]:
    out: list[Interval] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        begin, sep, end = part.partition("/")
        start, stop = _instant(begin, tz, "paused"), _instant(end, tz, "paused")
        if not sep or start is None or stop is None:
            raise ValueError(f"unparseable paused interval {part.strip()!r} (START/END)")
        if stop < start:
            raise ValueError(f"impossible order: paused interval {part.strip()!r} ends "
                             "before it starts")
        out.append((start, stop))
    return merge(out)


def _order_problem(opened: float, responded: float | None, resolved: float | None) -> str | None:
    if responded is not None and responded < opened:
        return "impossible order: responded before opened"
    if resolved is not None and resolved < opened:
        return "impossible order: resolved before opened"
    if responded is not None and resolved is not None and responded > resolved:
        return "impossible order: responded after resolved"
    return None


def csv_records(lines: Iterable[str]
                ) -> tuple[list[str], Iterator[tuple[int, list[str]] | Skipped]]:
    """The header, and every record after it as (line, fields). Blank lines are passed
    over; a record the csv module cannot read (a NUL byte, a stray carriage return, an
    oversized field) or with another number of fields than the header is a Skipped row,
    and reading goes on. Raises BadInput when there is no readable header."""
    reader = csv.reader(lines)

    def records() -> Iterator[tuple[int, list[str]] | Skipped]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield Skipped(reader.line_num, f"not CSV: {error}")
                continue
            yield reader.line_num, row

    rows = records()
    first = next(rows, None)
    if first is None:
        raise BadInput("the file is empty (expected a header line)")
    if isinstance(first, Skipped):
        raise BadInput(f"line {first.line}: the header is {first.reason}")
    header = first[1]

    def body() -> Iterator[tuple[int, list[str]] | Skipped]:
        for item in rows:
            if isinstance(item, Skipped):
                yield item
                continue
            line, row = item
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                yield Skipped(line, f"expected {len(header)} fields, found {len(row)}")
                continue
            yield item

    return header, body()


def read_generic(lines: Iterable[str], tz: dt.tzinfo) -> Iterator[Ticket | Skipped]:
    """The generic CSV of SPEC §5: id, priority, opened, responded, resolved, sla|service,
    and optionally paused (`;`-separated ISO intervals START/END)."""
    header, rows = csv_records(lines)
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [c for c in GENERIC_REQUIRED if c not in columns]
    if missing or not ("sla" in columns or "service" in columns):
        wanted = ", ".join(GENERIC_REQUIRED) + ", and sla or service"
        raise BadInput(f"the header lacks {', '.join(missing) or 'sla or service'} "
                       f"(expected {wanted}; found {', '.join(header)})")
    i_id, i_pr, i_op, i_rp, i_rs = (columns[c] for c in GENERIC_REQUIRED)
    i_sla, i_svc, i_pa = columns.get("sla"), columns.get("service"), columns.get("paused")
    for item in rows:
        if isinstance(item, Skipped):
            yield item
            continue
        line, row = item
        try:
            opened = _instant(row[i_op], tz, "opened")
            if opened is None:
                raise ValueError("no opened time")
            responded = _instant(row[i_rp], tz, "responded")
            resolved = _instant(row[i_rs], tz, "resolved")
            pauses = _pauses(row[i_pa], tz) if i_pa is not None else []
        except ValueError as error:
            yield Skipped(line, str(error))
            continue
        problem = _order_problem(opened, responded, resolved)
        if problem:
            yield Skipped(line, problem)
            continue
        priority = row[i_pr].strip()
        if not priority:
            yield Skipped(line, "no priority")
            continue
        yield Ticket(line, row[i_id].strip(), priority, opened, responded, resolved, pauses,
                     (row[i_sla].strip() or None) if i_sla is not None else None,
                     (row[i_svc].strip() or None) if i_svc is not None else None)


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
            return f"unknown service {ticket.service!r} and no --sla"
        return "no SLA (the row names neither an SLA nor a service; give --sla)"
    if name in view.broken:
        return f"SLA '{name}' cannot be used: {view.broken[name]}"
    if name not in view.terms:
        return f"unknown SLA {name!r}"
    if ticket.priority not in view.terms[name].targets:
        return f"unknown priority {ticket.priority!r} (SLA {name} has " \
               f"{', '.join(view.terms[name].targets)})"
    return None


def replay(tickets: Iterable[Ticket | Skipped], views: list[View], levels: list[str],
           now: float, default_sla: str | None = None, details: bool = False) -> Report:
    report = Report([v.ref for v in views], levels)
    multi = len(views) > 1
    for item in tickets:
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        report.tickets_read += 1
        for view in views:
            name = _sla_name(item, view, default_sla)
            reason = _skip_reason(item, view, name)
            if reason is None:
                assert name is not None
                try:
                    _judge_one(item, view, view.terms[name], now, report, details)
                except ClockError as error:
                    reason = str(error)
            if reason is not None:
                report.skipped.append(Skipped(item.line, reason, view.ref if multi else None))
    return report


def _judge_one(ticket: Ticket, view: View, terms: Terms, now: float, report: Report,
               details: bool) -> None:
    verdict = judge(terms, ticket.priority, ticket.opened, ticket.responded, ticket.resolved,
                    ticket.pauses, now)
    resolution, response = verdict.resolution, verdict.response
    key = (view.ref, terms.name, ticket.priority)
    tally = report.tallies.get(key)
    if tally is None:
        tally = report.tallies[key] = Tally()
    tally.tickets += 1
    if resolution == MET:
        tally.resolution_met += 1
    elif resolution == BREACHED:
        tally.resolution_breached += 1
    else:
        tally.resolution_pending += 1
    if response == MET:
        tally.response_met += 1
    elif response == BREACHED:
        tally.response_breached += 1
    elif response == PENDING:
        tally.response_pending += 1
    if ticket.made_sla is not None and resolution != PENDING:
        tally.made_sla_compared += 1
        tally.made_sla_agree += (resolution == MET) == ticket.made_sla
    if details:
        tz = terms.clock.tz
        report.details.append({
            **({"ref": view.ref} if view.ref is not None else {}),
            "line": ticket.line, "id": ticket.id, "sla": terms.name,
            "priority": ticket.priority, "opened": _iso(ticket.opened, tz),
            "responseDue": _iso(verdict.response_due, tz),
            "responded": _iso(ticket.responded, tz), "response": response,
            "resolutionDue": _iso(verdict.resolution_due, tz),
            "resolved": _iso(ticket.resolved, tz), "resolution": resolution,
            "elapsedPercent": round(
                100 * verdict.elapsed / terms.targets[ticket.priority].resolution, 1),
            **({"madeSla": ticket.made_sla} if ticket.made_sla is not None else {}),
        })


def _iso(instant: float | None, tz: dt.tzinfo) -> str | None:
    return None if instant is None else iso(instant, tz)
