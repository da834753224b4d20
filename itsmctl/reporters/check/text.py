"""path:line:col: severity: message [rule] -- the GCC/ruff habit that editors parse."""

from __future__ import annotations

from itsmctl.diagnostics import Diagnostic, Result, Severity
from itsmctl.text import plural, printable

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(code: str, text: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def line(d: Diagnostic, color: bool) -> str:
    if not color:
        return d.format()
    where = _paint("1", f"{printable(d.path)}:{d.line}:{d.column}:", color)
    severity = _paint("1;" + _COLORS[d.severity], f"{d.severity.value}:", color)
    return f"{where} {severity} {printable(d.message)} {_paint('2', f'[{d.rule}]', color)}"


def summary(result: Result) -> str:
    counts = [(result.count(s), s.value) for s in Severity]
    problems = [plural(n, word) for n, word in counts if n]
    waived = sum(1 for d in set(result.diagnostics) if d.suppressed)
    scope = f"{plural(len(result.files), 'file')}, {plural(result.documents, 'document')}"
    elsewhere = (f"; {plural(result.errors_elsewhere, 'more error')} in files not named"
                 if result.errors_elsewhere else "")
    if not problems:
        return f"No problems in {scope}" + (f" ({waived} waived)" if waived else "") + elsewhere
    if waived:
        problems.append(f"{waived} waived")
    return f"{', '.join(problems)} in {scope}{elsewhere}"


def render(result: Result, color: bool = False) -> str:
    lines = [line(d, color) for d in result.sorted() if not d.suppressed]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
