"""Ticket files for `sla replay`: one reader per input format behind one Protocol.

A reader first `prepare`s a file (checks its header, and makes whatever first pass it
needs), raising BadInput when the file as a whole cannot be read. What it prepares says
where the file may be cut into parts judged side by side (`parts`), and turns the lines of
the file, or of one part, into Tickets, Skipped rows (a row that cannot be judged, with its
line and the reason) and Remarks about the whole input (`tickets`). Every line is one
record (records.py). Add a format: a module with NAME, PASSES and `prepare`, listed in
READERS (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from itsmctl.sla.tickets import generic, servicenow
from itsmctl.sla.tickets.records import (
    LineFile,
    Part,
    ReadOptions,
    Remark,
    Skipped,
    Ticket,
)


class Prepared(Protocol):
    def parts(self, count: int, smallest: int) -> list[Part]:
        """At most `count` parts of whole lines, none but the last under `smallest` bytes,
        whose tickets, read part by part, are those of the whole file in the same order."""
        ...

    def tickets(self, file: LineFile) -> Iterator[Ticket | Skipped | Remark]:
        """The tickets of the file, or of the part it is opened on."""
        ...


class TicketReader(Protocol):
    NAME: str
    PASSES: int  # how many times it reads the file

    def prepare(self, file: LineFile, options: ReadOptions) -> Prepared: ...


READERS: dict[str, TicketReader] = {generic.NAME: generic, servicenow.NAME: servicenow}
