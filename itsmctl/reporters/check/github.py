"""GitHub Actions workflow commands: annotations on the pull request's diff."""

from __future__ import annotations

from itsmctl.diagnostics import Result, Severity

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: Result, color: bool = False) -> str:
    lines = []
    for d in result.sorted():
        if d.suppressed:
            continue
        lines.append(
            f"::{_LEVELS[d.severity]} file={_property(d.path)},line={d.line},col={d.column},"
            f"title={_property('itsmctl ' + d.rule)}::{_data(d.message)}"
        )
    return "".join(line + "\n" for line in lines)
