"""Approval rules: which of the organisation's ApprovalRule documents a change matches.

Each rule's `when` is a sandboxed expression over the `change` (docs/review.md, "What an
approval rule sees"), the resolved `catalog`, `today` and `now`. A rule that cannot be
evaluated on a change — it does not compile, the sandbox stops it, or it fails on that
change — counts as matching, and says why: a broken rule demands its approvals rather than
silently letting a change through.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from itsmctl.model.typed import ApprovalRule
from itsmctl.policy import sandbox
from itsmctl.policy.limits import LimitExceeded


@dataclass(frozen=True)
class Match:
    rule: ApprovalRule
    problem: str | None = None  # why the rule could not be evaluated (it counts as matching)


def _compiled(rule: ApprovalRule) -> tuple[sandbox.Expression | None, str | None]:
    problem = sandbox.problem(rule.when, False, sandbox.APPROVAL_NAMES)
    if problem is not None:
        return None, f"its `when` {problem.message}"
    return sandbox.compiled_expression(rule.when), None


def matching_rules(rules: Iterable[ApprovalRule], changes: list[dict[str, Any]],
                   catalog: dict[str, Any], now: dt.datetime) -> list[list[Match]]:
    """For each change (its `change` context), the rules it matches, in the order given."""
    out: list[list[Match]] = [[] for _ in changes]
    variables = {"catalog": catalog, "today": now.date(), "now": now}
    scopes = [sandbox.Scope(dict(variables, change=change)) for change in changes]
    for rule in rules:
        expression, problem = _compiled(rule)
        if expression is None:
            for matches in out:
                matches.append(Match(rule, problem))
            continue
        started = time.perf_counter()
        done = 0  # changes judged so far
        stopped: str | None = None
        try:
            with sandbox.time_limit(sandbox.TIME_LIMIT):
                for index, scope in enumerate(scopes):
                    if stopped is not None:
                        out[index].append(Match(rule, stopped))
                    else:
                        try:
                            if scope.evaluate(expression):
                                out[index].append(Match(rule))
                        except Exception as error:
                            reason = f"its `when` failed: {sandbox.describe(error)}"
                            if sandbox.stops_policy(error):
                                stopped = reason
                            out[index].append(Match(rule, reason))
                    done = index + 1
                    if time.perf_counter() - started > sandbox.TIME_LIMIT:
                        raise LimitExceeded("time limit exceeded")
        except LimitExceeded as error:
            for matches in out[done:]:
                matches.append(Match(rule, f"its `when` was stopped: {sandbox.describe(error)}"))
    return out
