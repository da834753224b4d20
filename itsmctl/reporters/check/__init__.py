"""Output formats for check results (diagnostics): a plain registry of small modules."""

from __future__ import annotations

import os
from typing import Protocol

from itsmctl.diagnostics import Result
from itsmctl.reporters.check import github, jsonfmt, junit, sarif, text


class Reporter(Protocol):
    def render(self, result: Result, color: bool = False) -> str: ...


REPORTERS: dict[str, Reporter] = {
    "text": text,
    "json": jsonfmt,
    "github": github,
    "sarif": sarif,
    "junit": junit,
}


def default_format() -> str:
    """GitHub's annotation format under GitHub Actions, plain text elsewhere."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def notes(result: Result) -> str:
    """Notes about the invocation (for standard error, whatever the format)."""
    return "".join(f"itsmctl: warning: {note}\n" for note in result.notes)
