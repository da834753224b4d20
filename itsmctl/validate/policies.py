"""Policy documents compile, and waivers have not expired.

Only the syntax of expressions is checked here; evaluating policies is a later stage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.expressions import environment
from itsmctl.model import Entity
from itsmctl.validate.context import Context

RULES = ("policy-invalid", "waiver-expired")


def _compile_problem(source: str, template: bool) -> str | None:
    from jinja2 import TemplateSyntaxError

    env = environment()
    try:
        if template:
            env.parse(source)
        else:
            env.compile_expression(source)
    except TemplateSyntaxError as error:
        return f"line {error.lineno} of the expression: {error.message}" \
            if error.lineno and error.lineno > 1 else str(error.message)
    return None


def _expressions(entity: Entity) -> Iterator[tuple[tuple[str | int, ...], str, bool]]:
    spec = entity.spec
    if entity.kind == "Policy":
        if "when" in spec.get("match", {}):
            yield ("spec", "match", "when"), spec["match"]["when"], False
        for i, item in enumerate(spec["assert"]):
            if isinstance(item, dict):
                yield ("spec", "assert", i, "that"), item["that"], False
            else:
                yield ("spec", "assert", i), item, False
        yield ("spec", "message"), spec["message"], True
    elif entity.kind == "ApprovalRule":
        yield ("spec", "when"), spec["when"], False


def check(ctx: Context) -> Iterator[Diagnostic]:
    for kind in ("Policy", "ApprovalRule"):
        for entity in ctx.catalog.of_kind(kind):
            for path, source, template in _expressions(entity):
                problem = _compile_problem(source, template)
                if problem:
                    what = "message template" if template else "expression"
                    yield entity.diagnostic("policy-invalid",
                                            f"{kind} '{entity.name}': {what} does not compile: "
                                            f"{problem}", path)
    for waiver in ctx.catalog.of_kind("Waiver"):
        expires = dt.date.fromisoformat(waiver.spec["expires"])
        if expires < ctx.today:
            yield waiver.diagnostic(
                "waiver-expired", f"waiver '{waiver.name}' expired on {expires}; the findings it "
                "waived are active again", ("spec", "expires"))
