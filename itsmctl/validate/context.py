"""What every semantic check sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Catalog

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
            from itsmctl.timecalc import Clock

            entity = self.catalog.get("Calendar", calendar)
            try:
                self._open_time[calendar] = None if entity is None else Clock.of_calendar(
                    entity.spec, entity.name).open_seconds(self.today, YEAR_DAYS)
            except (ValueError, KeyError, NotImplementedError):
                self._open_time[calendar] = None
        return self._open_time[calendar]


class SemanticCheck(Protocol):
    """A module with the rule ids it reports and a `check` generator."""

    @property
    def RULES(self) -> tuple[str, ...]: ...

    def check(self, ctx: Context) -> Iterator[Diagnostic]: ...
