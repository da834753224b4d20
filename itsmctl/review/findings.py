"""Findings a pull request introduces and fixes: the head (judged by the base's policies
and waivers) against the base, by identity (rule, kind, name, jsonPath), never by line, so
that moving a document or editing above it changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from itsmctl.diagnostics import Diagnostic, Severity

Identity = tuple[str, str | None, str, str | None]


def identity(finding: Diagnostic) -> Identity:
    """(rule, kind, name, jsonPath); a problem of a whole file (no name) is named by it."""
    name = finding.name if finding.name is not None else f"file:{finding.path}"
    return (finding.rule, finding.kind, name, finding.json_path)


@dataclass(frozen=True)
class Findings:
    introduced: tuple[Diagnostic, ...]
    fixed: tuple[Diagnostic, ...]
    unchanged: int

    @property
    def blocking(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.introduced if d.severity is Severity.ERROR)

    def to_json(self) -> dict[str, Any]:
        return {"introduced": [d.to_json() for d in self.introduced],
                "fixed": [d.to_json() for d in self.fixed], "unchanged": self.unchanged}


def compare(base: Iterable[Diagnostic], head: Iterable[Diagnostic]) -> Findings:
    """Active findings (those no waiver suppresses) of the head against the base."""
    before = sorted({d for d in base if not d.suppressed})
    after = sorted({d for d in head if not d.suppressed})
    known = {identity(d) for d in before}
    current = {identity(d) for d in after}
    introduced = tuple(d for d in after if identity(d) not in known)
    fixed = tuple(d for d in before if identity(d) not in current)
    return Findings(introduced, fixed, len(after) - len(introduced))
