"""`itsmctl init`: what was created, and what to do next."""

from __future__ import annotations

from itsmctl.scaffold import Scaffolded


def render(done: Scaffolded) -> str:
    git = "" if done.git else "git init && "
    return (f"created {len(done.files)} files in {done.folder}\n"
            f"next: cd {done.folder} && {git}itsmctl check\n")
