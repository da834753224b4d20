"""The site's templates: Jinja2 in its sandbox with autoescaping, so every text
from the catalog is shown as text (a description holding `<script>` stays visible words),
and a template can neither run code nor change the data it is given."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from itsmctl import __version__
from itsmctl.reports.model import Cell, Report

ASSETS = ("site.css", "search.js")


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def _number(value: object) -> str:
    """5000 -> '5,000'; 49.0 -> '49'; 99.95 -> '99.95'."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


@cache
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=PackageLoader("itsmctl.targets.site", "templates"),
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, auto_reload=False)
    env.filters["plural"] = _plural
    env.filters["num"] = _number
    env.globals["version"] = __version__
    return env


def macro(name: str) -> Callable[..., Any]:
    """A macro of macros.html, called from Python: its output is escaped Markup, so a
    fragment shared by many pages (a team's card, an SLA's table) is rendered once."""
    module = environment().get_template("macros.html").module
    found: Callable[..., Any] = getattr(module, name)
    return found


def render(view: str, **context: Any) -> str:
    return environment().get_template(view).render(**context)


def asset(name: str) -> bytes:
    return resources.files("itsmctl.targets.site").joinpath("assets").joinpath(name).read_bytes()


def render_standalone(view: str, title: str, **context: Any) -> str:
    """One HTML page in the site's style that stands alone: its stylesheet inlined, no
    navigation, no script."""
    return render(view, root="", title=title, nav=[], inline_css=asset("site.css").decode(),
                  standalone=True, **context)


def render_report(report: Report, plain: Callable[[Cell], str]) -> str:
    return render_standalone("report.html", report.title, report=report, plain=plain)
