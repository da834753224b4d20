"""The one fatal error: the command cannot run at all (exit code 2).

Problems *in* a catalog are never raised; they are collected as diagnostics.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_FATAL = 2


class FatalError(Exception):
    """Bad arguments, not a repository, an unknown ref, an unreadable config."""

    exit_code = EXIT_FATAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def show(self) -> str:
        text = f"itsmctl: error: {self.message}"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text
