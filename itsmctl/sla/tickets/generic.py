"""The generic ticket CSV (docs/sla-clock.md#replay): id, priority, opened, responded,
resolved, sla or service, and optionally paused (`;`-separated START/END intervals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from itsmctl.sla.tickets.records import (
    BadInput,
    LineFile,
    Part,
    ReadOptions,
    Record,
    Skipped,
    Ticket,
    csv_header,
    csv_records,
    quoted,
)
from itsmctl.timecalc import (
    FIRST_YEAR,
    LAST_YEAR,
    Interval,
    IntervalError,
    OutOfRange,
    merge,
    parse_interval,
    to_instant,
)

NAME = "generic"
PASSES = 1
REQUIRED = ("id", "priority", "opened", "responded", "resolved")


def _instant(text: str, tz: dt.tzinfo, what: str) -> float | None:
    """A field's time as epoch seconds (None when empty). The usual field, an ISO 8601
    time with an offset and no stray spaces, takes the short way when it is well inside
    the years itsmctl computes with; anything else is read by `to_instant`."""
    try:
        value = _FROM_ISO(text)
    except ValueError:
        pass
    else:
        if value.tzinfo is not None:
            seconds = value.timestamp()
            if _USUAL_FROM <= seconds < _USUAL_UNTIL:
                return seconds
    text = text.strip()
    if not text:
        return None
    try:
        return to_instant(text, tz)
    except ValueError as error:
        reason = f" ({error})" if isinstance(error, OutOfRange) else ""
        raise ValueError(f"unparseable {what} time {quoted(text)}{reason}") from None


_FROM_ISO = dt.datetime.fromisoformat
# a day inside FIRST_YEAR..LAST_YEAR at each end, so that whatever its offset (under a
# day), a time between them is within those years (compared as seconds: cheaper than
# looking at its year, three times a ticket)
_USUAL_FROM = dt.datetime(FIRST_YEAR, 1, 2, tzinfo=dt.timezone.utc).timestamp()
_USUAL_UNTIL = dt.datetime(LAST_YEAR, 12, 31, tzinfo=dt.timezone.utc).timestamp()


def _pauses(text: str, tz: dt.tzinfo) -> list[Interval]:
    out: list[Interval] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        try:
            out.append(parse_interval(part, tz))
        except IntervalError as error:
            shown = quoted(part.strip())
            raise ValueError({
                "shape": f"unparseable paused interval {shown} (START/END)",
                "time": f"unparseable paused time {quoted(error.part)}",
                "order": f"impossible order: paused interval {shown} ends before it starts",
            }[error.problem]) from None
    return merge(out)


def _order_problem(opened: float, responded: float | None, resolved: float | None) -> str | None:
    if responded is not None and responded < opened:
        return "impossible order: responded before opened"
    if resolved is not None and resolved < opened:
        return "impossible order: resolved before opened"
    if responded is not None and resolved is not None and responded > resolved:
        return "impossible order: responded after resolved"
    return None


@dataclass(frozen=True)
class _Prepared:
    file: LineFile
    columns: tuple[int, int, int, int, int]  # id, priority, opened, responded, resolved
    sla: int | None
    service: int | None
    paused: int | None
    tz: dt.tzinfo

    def parts(self, count: int, smallest: int) -> list[Part]:
        return self.file.parts(count, smallest)  # each line is judged on its own

    def tickets(self, file: LineFile) -> Iterator[Ticket | Skipped]:
        _header, rows = csv_records(file)
        return _tickets(rows, self)


def prepare(file: LineFile, options: ReadOptions) -> _Prepared:
    header = csv_header(file)
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [c for c in REQUIRED if c not in columns]
    if missing or not ("sla" in columns or "service" in columns):
        wanted = ", ".join(REQUIRED) + ", and sla or service"
        raise BadInput(f"the header lacks {', '.join(missing) or 'sla or service'} "
                       f"(expected {wanted}; found {', '.join(header)})")
    i_id, i_pr, i_op, i_rp, i_rs = (columns[c] for c in REQUIRED)
    return _Prepared(file, (i_id, i_pr, i_op, i_rp, i_rs), columns.get("sla"),
                     columns.get("service"), columns.get("paused"), options.tz)


def _tickets(rows: Iterator[Record | Skipped], prepared: _Prepared
             ) -> Iterator[Ticket | Skipped]:
    tz = prepared.tz
    i_id, i_pr, i_op, i_rp, i_rs = prepared.columns
    i_sla, i_svc, i_pa = prepared.sla, prepared.service, prepared.paused
    for item in rows:
        if isinstance(item, Skipped):
            yield item
            continue
        line, _offset, row = item
        try:
            opened = _instant(row[i_op], tz, "opened")
            if opened is None:
                raise ValueError("no opened time")
            responded = _instant(row[i_rp], tz, "responded")
            resolved = _instant(row[i_rs], tz, "resolved")
            pauses = _pauses(row[i_pa], tz) if i_pa is not None and row[i_pa] else []
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
