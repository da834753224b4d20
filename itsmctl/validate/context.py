"""What every semantic check sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Catalog


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    today: dt.date
    config: Config


class SemanticCheck(Protocol):
    """A module with the rule ids it reports and a `check` generator."""

    @property
    def RULES(self) -> tuple[str, ...]: ...

    def check(self, ctx: Context) -> Iterator[Diagnostic]: ...
