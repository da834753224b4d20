"""Request Tracker 5: `build --target rt` writes RT's configuration and objects for the
catalog; `plan` and `apply` compare them with, and push them to, a live RT over REST2 and
RT's own admin pages (docs/rt.md)."""

from __future__ import annotations

from itsmctl.targets.base import BuildInput, Output
from itsmctl.targets.rt.compile import compile_catalog
from itsmctl.targets.rt.render import files

NAME = "rt"
DESCRIPTION = "Request Tracker 5 configuration, objects and mapping.json"


def build(job: BuildInput) -> Output:
    desired, diagnostics = compile_catalog(job.catalog, job.now)
    return Output(files(desired), diagnostics)
