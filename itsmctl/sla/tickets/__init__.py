"""Ticket files for `sla replay`: one reader per input format behind one Protocol.

A reader turns the lines of a file into Tickets and Skipped rows (a row that cannot be
judged, with its line and the reason); it raises BadInput when the file as a whole cannot
be read. Add a format: a module with NAME and `read`, listed in READERS
(docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from itsmctl.sla.tickets import generic, servicenow
from itsmctl.sla.tickets.records import ReadOptions, Skipped, Ticket


class TicketReader(Protocol):
    NAME: str

    def read(self, lines: Iterable[str], options: ReadOptions) -> Iterator[Ticket | Skipped]:
        ...


READERS: dict[str, TicketReader] = {generic.NAME: generic, servicenow.NAME: servicenow}
