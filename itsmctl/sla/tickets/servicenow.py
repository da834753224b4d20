"""Read a ServiceNow incident audit export (one row per update of an incident) as tickets
for `sla replay`.

Each incident's rows come together, in update order. From them: opened = `opened_at`;
responded = the first update whose state is no longer a new state; resolved =
`resolved_at` of the last row (else its `closed_at` once closed); paused = the time spent
in "Awaiting …" states; priority = the last row's, mapped to the catalog's levels
(`1 - Critical` -> the first level, `2 - High` -> the second, …); `made_sla` = the last
row's, kept to compare verdicts with. `?` is a missing value; timestamps are `d/m/yyyy
HH:MM` in the export's timezone (`--timezone`). A mapping file can override priorities and
state groups.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsmctl.sla.tickets.records import BadInput, ReadOptions, Skipped, Ticket, csv_records
from itsmctl.timecalc import Interval, merge
from itsmctl.yamlio import decode, parse_documents

NAME = "servicenow"

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
            not set(states) <= {"new", "paused", "resolved", "closed", "other"}:
        raise BadInput("mapping: `priorities` maps export text to a level; `states` has "
                       "lists named new, paused, resolved, closed, other")
    default = Mapping()
    groups = {name: frozenset(str(s) for s in states[name] or ()) if name in states
              else getattr(default, name) for name in ("new", "paused", "resolved", "closed",
                                                       "other")}
    return Mapping({str(k): str(v) for k, v in priorities.items()}, **groups)


def export_time(text: str, tz: dt.tzinfo) -> float | None:
    """`29/2/2016 01:16` (day first) in `tz`; None for `?` or empty."""
    text = text.strip()
    if text in ("", MISSING):
        return None
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"unparseable time {text!r} (expected d/m/yyyy HH:MM)")
    day, month, year, hour, minute, second = match.groups()
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                            int(second or 0), tzinfo=tz)
    except ValueError as error:
        raise ValueError(f"unparseable time {text!r} ({error})") from None
    return value.timestamp()


@dataclass
class _Incident:
    number: str
    line: int
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def read_mapping(path: Path) -> Mapping:
    """A mapping file (YAML); anything wrong with it is BadInput."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInput(f"{path}: cannot read: {error.strerror}") from error
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


def read(lines: Iterable[str], options: ReadOptions) -> Iterator[Ticket | Skipped]:
    mapping = read_mapping(options.mapping) if options.mapping is not None else Mapping()
    return _read(lines, options.tz, options.levels, mapping)


def _read(lines: Iterable[str], tz: dt.tzinfo, levels: list[str],
          mapping: Mapping) -> Iterator[Ticket | Skipped]:
    header, rows = csv_records(lines)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BadInput(f"not a ServiceNow incident export: no column {', '.join(missing)}")
    index = {name: i for i, name in enumerate(header)}
    wanted = [c for c in (*REQUIRED, "made_sla", "active") if c in index]
    finished: set[str] = set()
    current: _Incident | None = None
    for item in rows:
        if isinstance(item, Skipped):
            yield item
            continue
        line, row = item
        values = {c: row[index[c]] for c in wanted}
        number = values["number"].strip()
        if current is not None and number != current.number:
            finished.add(current.number)
            yield from _ticket(current, tz, levels, mapping)
            current = None
        if number in finished:
            yield Skipped(line, f"incident {number} appears again after other incidents "
                                "(its rows must come together)")
            continue
        if current is None:
            current = _Incident(number, line)
        current.rows.append((line, values))
    if current is not None:
        yield from _last(current, tz, levels, mapping)


def _last(incident: _Incident, tz: dt.tzinfo, levels: list[str],
          mapping: Mapping) -> Iterator[Ticket | Skipped]:
    """The file's last incident may be cut off by the export: judge it only if it ended."""
    state = incident.rows[-1][1]["incident_state"].strip()
    if state in mapping.resolved or state in mapping.closed:
        yield from _ticket(incident, tz, levels, mapping)
    else:
        yield Skipped(incident.line, f"incident {incident.number} is the last in the file and "
                                     f"not resolved (state {state!r}): the export may be "
                                     "truncated")


def _ticket(incident: _Incident, tz: dt.tzinfo, levels: list[str],
            mapping: Mapping) -> Iterator[Ticket | Skipped]:
    """Rows with a state the mapping does not know are reported and left out; the
    incident is judged from its other rows."""
    for line, values in incident.rows:
        state = values["incident_state"].strip()
        if not mapping.known(state):
            yield Skipped(line, f"incident {incident.number}: unknown state {state!r} (row "
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
                                       f"'{first['opened_at']}'")
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
                                   f"{priority_text!r}")
    if resolved is not None and resolved < opened:
        return Skipped(first_line, f"incident {incident.number}: impossible order: resolved "
                                   "before opened")
    if responded is not None and responded < opened:
        responded = opened  # updates logged in the same minute as opening
    made = last.get("made_sla", "").strip().lower()
    return Ticket(first_line, incident.number, priority, opened, responded, resolved,
                  merge(pauses), made_sla={"true": True, "false": False}.get(made))
