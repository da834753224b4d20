"""Ticket files for `sla replay`: one reader per input format behind one Protocol.

A reader turns the lines of a file into Tickets, Skipped rows (a row that cannot be
judged, with its line and the reason) and Remarks about the whole input; it raises
BadInput when the file as a whole cannot be read. Every line is one record (records.py).
Add a format: a module with NAME, PASSES, LINE_BY_LINE and `read`, listed in READERS
(docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from itsmctl.sla.tickets import generic, servicenow
from itsmctl.sla.tickets.records import LineFile, ReadOptions, Remark, Skipped, Ticket


class TicketReader(Protocol):
    NAME: str
    PASSES: int  # how many times it reads the file
    # each line judged on its own: the file may be cut into parts judged side by side
    LINE_BY_LINE: bool

    def read(self, file: LineFile, options: ReadOptions
             ) -> Iterator[Ticket | Skipped | Remark]: ...


READERS: dict[str, TicketReader] = {generic.NAME: generic, servicenow.NAME: servicenow}
