"""What ticket readers produce, and the CSV reading they share."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsmctl.timecalc import Interval


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


@dataclass(frozen=True)
class ReadOptions:
    tz: dt.tzinfo  # of naive timestamps
    levels: list[str] = field(default_factory=list)  # the priority matrix's, in order
    mapping: Path | None = None  # a reader-specific mapping file


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
