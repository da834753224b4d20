"""Read a ServiceNow incident audit export (one row per update of an incident) as tickets
for `sla replay` (docs/sla-clock.md#servicenow).

An incident's rows are in update order (they need not be together in the file). From
them: opened = `opened_at`; responded = the first update whose state is no longer a new
state; resolved = `resolved_at` of the last row (else its `closed_at` once closed);
paused = the time spent in "Awaiting …" states; priority = the last row's, mapped to the
catalog's levels (`1 - Critical` -> the first level, `2 - High` -> the second, …);
`made_sla` = the last row's, kept to compare verdicts with. `?` is a missing value;
timestamps are `d/m/yyyy HH:MM` in the export's timezone (`--timezone`). A mapping file
can override priorities and state groups.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.sla.tickets.records import (
    WHOLE,
    BadInput,
    LineFile,
    Part,
    ReadOptions,
    Remark,
    Skipped,
    Ticket,
    csv_header,
    csv_records,
    parse_line,
    quoted,
)
from itsmctl.sources import read_named_file
from itsmctl.timecalc import FIRST_YEAR, LAST_YEAR, Interval, merge
from itsmctl.yamlio import decode, parse_documents

NAME = "servicenow"
PASSES = 2  # it reads the file twice (for a progress bar)

REQUIRED = ("number", "incident_state", "priority", "opened_at", "sys_updated_at",
            "resolved_at", "closed_at")
MISSING = "?"
_TIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass
class Mapping:
    """How the export's priorities and states map to the catalog's."""

    priorities: dict[str, str] = field(default_factory=dict)  # explicit; else by number
    new: frozenset[str] = frozenset({"New"})
    paused: frozenset[str] | None = None  # None: every state starting "Awaiting"
    resolved: frozenset[str] = frozenset({"Resolved"})
    closed: frozenset[str] = frozenset({"Closed"})
    other: frozenset[str] = frozenset({"Active"})

    def is_paused(self, state: str) -> bool:
        return state in self.paused if self.paused is not None else \
            state.startswith("Awaiting")

    def known(self, state: str) -> bool:
        return (state in self.new or state in self.resolved or state in self.closed
                or state in self.other or self.is_paused(state))

    def priority(self, text: str, levels: list[str]) -> str | None:
        if text in self.priorities:
            return self.priorities[text]
        number = text.split("-", 1)[0].strip()
        if number.isdigit() and 1 <= int(number) <= len(levels):
            return levels[int(number) - 1]
        return None


def mapping_from(data: Any) -> Mapping:
    """A mapping file's content: {priorities: {text: level}, states: {new|paused|resolved|
    closed|other: [state, ...]}}; anything missing keeps its default."""
    if data is None:
        return Mapping()
    if not isinstance(data, dict) or not set(data) <= {"priorities", "states"}:
        raise BadInput("a mapping file has `priorities` and/or `states`")
    priorities = data.get("priorities") or {}
    states = data.get("states") or {}
    if not isinstance(priorities, dict) or not isinstance(states, dict) or \
            not set(states) <= {"new", "paused", "resolved", "closed", "other"} or \
            not all(isinstance(v, list) or v is None for v in states.values()):
        raise BadInput("mapping: `priorities` maps export text to a level; `states` has "
                       "lists named new, paused, resolved, closed, other")
    default = Mapping()
    groups = {name: frozenset(str(s) for s in states[name] or ()) if name in states
              else getattr(default, name) for name in ("new", "paused", "resolved", "closed",
                                                       "other")}
    return Mapping({str(k): str(v) for k, v in priorities.items()}, **groups)


@functools.lru_cache(maxsize=8192)
def export_time(text: str, tz: dt.tzinfo) -> float | None:
    """`29/2/2016 01:16` (day first) in `tz`; None for `?` or empty. (Remembered: an
    incident's rows repeat its opened, resolved and closed times.)"""
    text = text.strip()
    if text in ("", MISSING):
        return None
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"unparseable time {quoted(text)} (expected d/m/yyyy HH:MM)")
    day, month, year, hour, minute, second = match.groups()
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise ValueError(f"unparseable time {quoted(text)} (outside the supported years "
                         f"{FIRST_YEAR}-{LAST_YEAR})")
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                            int(second or 0), tzinfo=tz)
    except ValueError as error:
        raise ValueError(f"unparseable time {quoted(text)} ({error})") from None
    return value.timestamp()


@dataclass
class _Incident:
    number: str
    line: int
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def read_mapping(path: Path) -> Mapping:
    """A mapping file (YAML, at most 1 MiB); anything wrong with it is BadInput."""
    try:
        data = read_named_file(path)
    except FatalError as error:
        raise BadInput(error.message) from error
    text, problem = decode(data)
    if problem is not None or text is None:
        raise BadInput(f"{path}: not UTF-8 text")
    documents, problems = parse_documents(text)
    if problems:
        p = problems[0]
        raise BadInput(f"{path}:{p.line}:{p.column}: {p.message}")
    try:
        return mapping_from(documents[0].data if documents else None)
    except BadInput as error:
        raise BadInput(f"{path}: {error}") from error


def prepare(file: LineFile, options: ReadOptions) -> _Prepared:
    """A first pass notes where each incident's rows are (`_Plan`); then every incident is
    judged from all its rows, wherever they are in the file: contiguous incidents as they
    end, the others at their last row, from the rows the first pass found."""
    mapping = read_mapping(options.mapping) if options.mapping is not None else Mapping()
    header = csv_header(file)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BadInput(f"not a ServiceNow incident export: no column {', '.join(missing)}")
    index = {name: i for i, name in enumerate(header)}
    return _Prepared(file, index, _plan(file, index["number"]), options.tz, options.levels,
                     mapping)


@dataclass
class _Plan:
    """What the first pass learns: each incident's last row, where the rows of incidents
    that have them apart are, and the incident the file ends with (it may be cut off)."""

    last_line: dict[str, int] = field(default_factory=dict)
    apart: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # (line, offset)
    final: str | None = None


def _numbers(file: LineFile, column: int) -> Iterator[tuple[int, int, str]]:
    """(line, offset, incident number) of every row that will be read as a record: only
    the number is taken out of a line (the rest is read when the incident is judged)."""
    header = csv_header(file)
    width = len(header)
    for line, offset, text, _problem in file.lines():
        if line == 1 or text is None or not text or text.isspace():
            continue
        if '"' in text or "\r" in text:
            fields = parse_line(text)
            if isinstance(fields, list) and len(fields) == width:
                yield line, offset, fields[column].strip()
        elif text.count(",") + 1 == width:
            yield line, offset, text.split(",", column + 1)[column].strip()


def _plan(file: LineFile, column: int) -> _Plan:
    plan = _Plan()
    previous: str | None = None
    for line, _offset, number in _numbers(file, column):
        if number != previous and number in plan.last_line:
            plan.apart[number] = []
        plan.last_line[number] = line
        previous = number
    plan.final = previous
    if plan.apart:  # a pass more, only for a file with such incidents (not on the bar)
        quiet = file.on(WHOLE, None)
        try:
            for line, offset, number in _numbers(quiet, column):
                if number in plan.apart:
                    plan.apart[number].append((line, offset))
        finally:
            quiet.close()
    return plan


@dataclass(frozen=True)
class _Prepared:
    file: LineFile
    index: dict[str, int]
    plan: _Plan
    tz: dt.tzinfo
    levels: list[str]
    mapping: Mapping

    def parts(self, count: int, smallest: int) -> list[Part]:
        """Parts that never cut a contiguous incident: each starts at a row of another
        incident than the row before it."""
        cuts: list[Part] = []
        for rough in self.file.parts(count, smallest):
            if cuts and rough.start < cuts[-1].start:
                continue  # within the incident the last cut was moved past
            found = rough if rough.start == 0 else self._next_incident(rough)
            if found is None:
                break
            if not cuts or found.start > cuts[-1].start:
                cuts.append(found)
        ends: list[int | None] = [p.start for p in cuts[1:]] + [None]
        return [Part(p.start, end, p.first_line) for p, end in zip(cuts, ends, strict=True)]

    def _next_incident(self, rough: Part) -> Part | None:
        """Where the first row of an incident other than that of the part's first row is."""
        file = self.file.on(Part(rough.start, None, rough.first_line), None)
        try:
            first: str | None = None
            for line, offset, number in _numbers(file, self.index["number"]):
                if first is None:
                    first = number
                elif number != first:
                    return Part(offset, None, line)
            return None
        finally:
            file.close()

    def tickets(self, file: LineFile) -> Iterator[Ticket | Skipped | Remark]:
        return _read(file, self)


def _read(file: LineFile, prepared: _Prepared) -> Iterator[Ticket | Skipped | Remark]:
    index, plan, tz, levels, mapping = (prepared.index, prepared.plan, prepared.tz,
                                        prepared.levels, prepared.mapping)
    wanted = [c for c in (*REQUIRED, "made_sla", "active") if c in index]

    def values(fields: list[str]) -> dict[str, str]:
        return {c: fields[index[c]] for c in wanted}

    def judged(incident: _Incident) -> Iterator[Ticket | Skipped]:
        if incident.number == plan.final:
            return _last(incident, tz, levels, mapping)
        return _ticket(incident, tz, levels, mapping)

    current: _Incident | None = None
    for item in csv_records(file)[1]:
        if isinstance(item, Skipped):
            yield item
            continue
        line, _offset, fields = item
        number = fields[index["number"]].strip()
        if current is not None and number != current.number:
            yield from judged(current)
            current = None
        if number in plan.apart:  # judged at its last row, from all its rows
            if line == plan.last_line[number]:
                rows = plan.apart[number]
                yield from judged(_Incident(number, rows[0][0], [
                    (at, values(_fields(file, where))) for at, where in rows]))
            continue
        if current is None:
            current = _Incident(number, line)
        current.rows.append((line, values(fields)))
    if current is not None:
        yield from judged(current)
    if plan.apart and file.part.end is None:  # said once, by the file's last part
        yield Remark(f"{len(plan.apart)} incident{'s' if len(plan.apart) != 1 else ''} had "
                     "rows apart in the file; each was judged from all its rows")


def _fields(file: LineFile, offset: int) -> list[str]:
    fields = parse_line(file.line_at(offset))
    assert isinstance(fields, list)  # it was read once already
    return fields


def _last(incident: _Incident, tz: dt.tzinfo, levels: list[str],
          mapping: Mapping) -> Iterator[Ticket | Skipped]:
    """The file's last incident may be cut off by the export: judge it only if it ended."""
    state = incident.rows[-1][1]["incident_state"].strip()
    if state in mapping.resolved or state in mapping.closed:
        yield from _ticket(incident, tz, levels, mapping)
    else:
        yield Skipped(incident.line, f"incident {incident.number} is the last in the file and "
                                     f"not resolved (state {quoted(state)}): the export may "
                                     "be truncated")


def _ticket(incident: _Incident, tz: dt.tzinfo, levels: list[str],
            mapping: Mapping) -> Iterator[Ticket | Skipped]:
    """Rows with a state the mapping does not know are reported and left out; the
    incident is judged from its other rows."""
    for line, values in incident.rows:
        state = values["incident_state"].strip()
        if not mapping.known(state):
            yield Skipped(line, f"incident {incident.number}: unknown state {quoted(state)} (row "
                                "left out; the incident is judged from its other rows)")
    yield _judged(incident, tz, levels, mapping)


def _judged(incident: _Incident, tz: dt.tzinfo, levels: list[str],
            mapping: Mapping) -> Ticket | Skipped:
    first_line, first = incident.rows[0]
    last = incident.rows[-1][1]
    try:
        opened = export_time(first["opened_at"], tz)
        if opened is None:
            return Skipped(first_line, f"incident {incident.number}: unparseable opened time "
                                       f"{quoted(first['opened_at'])}")
        responded: float | None = None
        pause_start: float | None = None
        pauses: list[Interval] = []
        for _line, values in incident.rows:
            state = values["incident_state"].strip()
            if not mapping.known(state):
                continue  # reported by _ticket
            at = export_time(values["sys_updated_at"], tz)
            if at is None:
                continue
            if responded is None and state not in mapping.new:
                responded = at
            if mapping.is_paused(state):
                pause_start = at if pause_start is None else pause_start
            elif pause_start is not None:
                pauses.append((pause_start, at))
                pause_start = None
        resolved = export_time(last["resolved_at"], tz)
        if resolved is None and last["incident_state"].strip() in mapping.closed:
            resolved = export_time(last["closed_at"], tz)
    except ValueError as error:
        return Skipped(first_line, f"incident {incident.number}: {error}")
    if pause_start is not None:
        pauses.append((pause_start, resolved if resolved is not None else pause_start))
    if resolved is not None:
        pauses = [(b, min(e, resolved)) for b, e in pauses if b < resolved]
    priority_text = last["priority"].strip()
    priority = mapping.priority(priority_text, levels)
    if priority is None:
        return Skipped(first_line, f"incident {incident.number}: unknown priority "
                                   f"{quoted(priority_text)}")
    if resolved is not None and resolved < opened:
        return Skipped(first_line, f"incident {incident.number}: impossible order: resolved "
                                   "before opened")
    if responded is not None and responded < opened:
        responded = opened  # updates logged in the same minute as opening
    made = last.get("made_sla", "").strip().lower()
    return Ticket(first_line, incident.number, priority, opened, responded, resolved,
                  merge(pauses), made_sla={"true": True, "false": False}.get(made))
