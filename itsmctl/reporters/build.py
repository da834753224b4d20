"""`itsmctl build`: what was written, or why nothing was."""

from __future__ import annotations

from itsmctl.reporters.check import text
from itsmctl.targets import Built


def render(built: Built) -> tuple[str, str]:
    """(standard output, standard error)."""
    if built.written or built.result.exit_code == 0:
        return "".join(f"built {name}: {count} file(s) in {folder}\n"
                       for name, folder, count in built.written), ""
    return "", text.render(built.result) + "build: not built; fix the errors above\n"
