"""Policy documents compile, and waivers have not expired.

Expressions are compiled and screened for unsafe constructs here, so a broken policy is
reported at its own file:line:col; evaluating policies is a later stage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from itsmctl import expressions
from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Entity
from itsmctl.validate.context import Context

RULES = ("policy-invalid", "policy-unsafe", "waiver-expired")
_NAMES = {"Policy": expressions.POLICY_NAMES, "ApprovalRule": expressions.APPROVAL_NAMES}


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
                problem = expressions.problem(source, template, _NAMES[kind])
                if problem:
                    what = "message template" if template else "expression"
                    yield entity.diagnostic(problem.rule,
                                            f"{kind} '{entity.name}': {what} {problem.message}",
                                            path)
    for waiver in ctx.catalog.of_kind("Waiver"):
        expires = dt.date.fromisoformat(waiver.spec["expires"])
        if expires < ctx.today:
            yield waiver.diagnostic(
                "waiver-expired", f"waiver '{waiver.name}' expired on {expires}; the findings it "
                "waived are active again", ("spec", "expires"))
