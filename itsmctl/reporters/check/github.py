"""GitHub Actions workflow commands: annotations on the pull request's diff."""

from __future__ import annotations

from itsmctl.diagnostics import Result, Severity
from itsmctl.reporters.check.text import summary
from itsmctl.text import printable

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    """A workflow command's message: lines joined by %0A (GitHub shows them as lines),
    anything else that would break or disguise the line escaped."""
    lines = text.replace("%", "%25").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "%0A".join(printable(line) for line in lines)


def _property(text: str) -> str:
    return printable(text.replace("%", "%25")).replace(":", "%3A").replace(",", "%2C")


def render(result: Result, color: bool = False) -> str:
    lines = []
    for d in result.sorted():
        if d.suppressed:
            continue
        lines.append(
            f"::{_LEVELS[d.severity]} file={_property(d.path)},line={d.line},col={d.column},"
            f"title={_property('itsmctl ' + d.rule)}::{_data(d.message)}"
        )
    lines.append(summary(result))  # a plain line in the log, as the text format ends
    return "".join(line + "\n" for line in lines)
