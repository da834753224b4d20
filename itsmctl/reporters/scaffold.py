"""`itsmctl init`: what was created, and what to do next."""

from __future__ import annotations

import shlex
from pathlib import Path

from itsmctl.scaffold import Scaffolded


def render(done: Scaffolded) -> str:
    """The next steps: the branch is named `main`, as the scaffold's workflow and README
    (`itsmctl review main`) expect, whatever git's default is."""
    steps = [] if done.folder.resolve() == Path.cwd().resolve() else \
        [f"cd {shlex.quote(str(done.folder))}"]
    steps += [] if done.git else ["git init -b main"]
    return (f"created {len(done.files)} files in {done.folder}\n"
            f"next: {' && '.join([*steps, 'itsmctl check'])}\n")
