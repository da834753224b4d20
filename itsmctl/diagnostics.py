"""Diagnostics are frozen data, collected from every stage and sorted for output."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from itsmctl.errors import EXIT_FINDINGS, EXIT_OK
from itsmctl.text import printable


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Rule:
    """A stable rule id (a public contract: add, never rename), its default severity and
    a one-line description. Each is defined in the module that reports it; itsmctl.rules
    gathers them (docs/diagnostics.md lists them all)."""

    id: str
    severity: Severity
    description: str


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, located at the offending key or value (1-based line and column)."""

    path: str
    line: int
    column: int
    rule: str
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)
    kind: str | None = field(default=None, compare=False)
    name: str | None = field(default=None, compare=False)
    json_path: str | None = field(default=None, compare=False)
    suppressed: bool = field(default=False, compare=False)
    waiver: str | None = field(default=None, compare=False)  # the Waiver that suppresses it
    justification: str | None = field(default=None, compare=False)  # the waiver's reason

    def format(self) -> str:
        """The one-line form, `path:line:col: severity: message [rule]` (whatever the
        path and message hold, it stays one line)."""
        return (
            f"{printable(self.path)}:{self.line}:{self.column}: {self.severity.value}: "
            f"{printable(self.message)} [{self.rule}]"
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "message": self.message,
            "rule": self.rule,
        }
        for key, value in (("kind", self.kind), ("name", self.name), ("jsonPath", self.json_path)):
            if value is not None:
                data[key] = value
        if self.suppressed:
            data["suppressed"] = True
        if self.waiver is not None:
            data["waiver"] = self.waiver
        return data

    def replace(self, **changes: Any) -> Diagnostic:
        return dataclasses.replace(self, **changes)


@dataclass
class Result:
    """Everything one run found, plus what it looked at (for per-file formats)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    documents: int = 0
    # rule id -> (title, description) of the organisation's policies, for formats that
    # describe their rules (SARIF)
    rule_texts: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    # with PATHs: errors in the catalog that the selection leaves out (for the summary)
    errors_elsewhere: int = 0
    # notes about the invocation itself (a named path that is not a catalog file)
    notes: list[str] = field(default_factory=list)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.diagnostics))

    def count(self, severity: Severity) -> int:
        return sum(
            1 for d in set(self.diagnostics) if d.severity is severity and not d.suppressed
        )

    strict: bool = False  # warnings fail the run too

    @property
    def exit_code(self) -> int:
        failing = self.count(Severity.ERROR) + (self.count(Severity.WARNING) if self.strict
                                                else 0)
        return EXIT_FINDINGS if failing else EXIT_OK
