"""Build targets: each compiles a valid catalog into files, behind one Protocol in a plain
registry (docs/architecture.md shows how to add one)."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from itsmctl.diagnostics import Result
from itsmctl.errors import EXIT_OK
from itsmctl.output import write_tree
from itsmctl.pipeline import check_catalog
from itsmctl.targets.base import BuildInput, Output


class Target(Protocol):
    NAME: str
    DESCRIPTION: str

    def build(self, job: BuildInput) -> Output: ...


# target -> its module; a module is imported only when its target is built, so building
# the bundle does not load the site's templates, nor Request Tracker's client.
TARGETS: dict[str, str] = {
    "bundle": "itsmctl.targets.bundle",
    "docs": "itsmctl.targets.site",
    "backstage": "itsmctl.targets.backstage",
    "ical": "itsmctl.targets.ical",
}


def target(name: str) -> Target:
    module: Target = importlib.import_module(TARGETS[name])
    return module


@dataclass
class Built:
    """What a build did: the check result (with the targets' diagnostics), and each
    target's folder and file count (nothing is written unless the catalog checks clean)."""

    result: Result
    written: list[tuple[str, Path, int]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return self.result.exit_code


def build(root: Path, names: tuple[str, ...], out: Path | None = None,
          ref: str | None = None, now: dt.datetime | None = None) -> Built:
    """Check the catalog, then write each target's folder under `out` (default: build/
    in the repository), each swapped in atomically."""
    now = now or dt.datetime.now(dt.timezone.utc)
    checked = check_catalog(root, ref=ref, now=now)
    built = Built(checked.result)
    if checked.result.exit_code != EXIT_OK:
        return built
    out = out if out is not None else root / "build"
    job = BuildInput(checked.catalog, checked.loaded.config, now)
    for name in names or tuple(sorted(TARGETS)):
        output = target(name).build(job)
        built.result.extend(output.diagnostics)
        write_tree(out / name, output.files)
        built.written.append((name, out / name, len(output.files)))
    return built
