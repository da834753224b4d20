"""What a build target is given and gives back (the Protocol is in targets/__init__.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic
from itsmctl.model.catalog import Catalog


@dataclass(frozen=True)
class BuildInput:
    """What a target compiles: a catalog that checked clean, its settings, and the moment
    of the build (for what is upcoming; the output must not otherwise depend on it)."""

    catalog: Catalog
    config: Config
    now: dt.datetime


@dataclass
class Output:
    """A target's files (name relative to its folder -> content, deterministic) and its
    diagnostics (warnings such as facts the platform cannot hold exactly)."""

    files: dict[str, bytes]
    diagnostics: list[Diagnostic] = field(default_factory=list)
