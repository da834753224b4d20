"""`itsmctl build`: what was written and its warnings, or why nothing was."""

from __future__ import annotations

from itsmctl.reporters.check import text
from itsmctl.targets import Built


def render(built: Built) -> tuple[str, str]:
    """(standard output, standard error)."""
    if built.result.exit_code != 0:
        return "", text.render(built.result) + "build: not built; fix the errors above\n"
    warnings = "".join(text.line(d, False) + "\n" for d in built.result.sorted()
                       if not d.suppressed)
    return "".join(f"built {name}: {count} file(s) in {folder}\n"
                   for name, folder, count in built.written), warnings
