"""Build targets: each compiles a valid catalog into files. A plain registry of modules."""

from __future__ import annotations

from typing import Protocol

from itsmctl.config import Config
from itsmctl.model import Catalog
from itsmctl.targets import bundle


class Target(Protocol):
    NAME: str
    DESCRIPTION: str

    def build(self, catalog: Catalog, config: Config) -> dict[str, bytes]:
        """File name (relative to the target's folder) -> content, deterministic."""
        ...


TARGETS: dict[str, Target] = {bundle.NAME: bundle}
