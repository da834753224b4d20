"""What every semantic check sees, and the Protocol a check module meets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic, Rule
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import Calendar
from itsmctl.timecalc import Clock

YEAR_DAYS = 366


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    today: dt.date
    config: Config
    _open_time: dict[str, float | None] = field(default_factory=dict, compare=False,
                                                repr=False)

    def open_time_ahead(self, calendar: str) -> float | None:
        """Open seconds of a calendar in the YEAR_DAYS from today (by its nominal hours),
        computed once per run; None when it does not exist or cannot be read (its own
        checks report that)."""
        if calendar not in self._open_time:
            typed = self.catalog.typed(Calendar).get(calendar)
            try:
                self._open_time[calendar] = None if typed is None else Clock.of_calendar(
                    typed).open_seconds(self.today, YEAR_DAYS)
            except (ValueError, KeyError, NotImplementedError):
                self._open_time[calendar] = None
        return self._open_time[calendar]


class SemanticCheck(Protocol):
    """A module with the rules it reports and a `check` generator (docs/architecture.md)."""

    @property
    def RULES(self) -> tuple[Rule, ...]: ...

    def check(self, ctx: Context) -> Iterator[Diagnostic]: ...
