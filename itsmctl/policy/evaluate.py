"""Evaluate Policy documents over the catalog, then let Waivers suppress findings.

Findings are located at the entity they are about (at the assertion's `path` when it
gives one), carry the rule id `policy/<name>` and the policy's severity. A policy the
sandbox stops (an escape attempt, the time budget) gets one diagnostic at the policy
itself and the run goes on with the next policy.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.kinds import POLICY, ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Entity
from itsmctl.policy import sandbox
from itsmctl.policy.compile import POLICY_UNSAFE
from itsmctl.policy.context import resolved_documents
from itsmctl.policy.waivers import apply_waivers
from itsmctl.text import FieldPath, parse_field

POLICY_LIMIT = Rule("policy-limit", Severity.ERROR, "A policy ran past its time budget or "
                    "built an oversized value; it was stopped.")
RULES = (POLICY_LIMIT,)


@dataclass(frozen=True)
class Assertion:
    source: str
    path: FieldPath
    check: sandbox.Expression


@dataclass
class CompiledPolicy:
    entity: Entity
    rule: Rule  # policy/<name>, with the policy's severity
    kinds: tuple[str, ...] | None
    when: sandbox.Expression | None
    assertions: list[Assertion]
    message: str

    @property
    def name(self) -> str:
        return self.entity.name

    @classmethod
    def of(cls, entity: Entity) -> CompiledPolicy:
        spec = entity.spec
        match = spec.get("match", {})
        assertions = []
        for item in spec["assert"]:
            source, path = (item["that"], parse_field(item.get("path", ""))) \
                if isinstance(item, dict) else (item, ())
            assertions.append(Assertion(source, path, sandbox.compiled_expression(source)))
        rule = Rule(f"policy/{entity.name}", Severity(spec.get("severity", "error")),
                    str(entity.metadata.get("title") or entity.name))
        return cls(entity, rule,
                   tuple(match["kinds"]) if match.get("kinds") else None,
                   sandbox.compiled_expression(match["when"]) if "when" in match else None,
                   assertions, spec["message"])


@dataclass
class Outcome:
    findings: list[Diagnostic] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # about policies and waivers
    evaluated: set[str] = field(default_factory=set)  # policies that ran to the end


def _finding(policy: CompiledPolicy, entity: Entity, message: str,
             path: FieldPath = ()) -> Diagnostic:
    return entity.diagnostic(policy.rule, message, path)


class Stopped(Exception):
    """The sandbox refused part of a policy; `path` is that part, in the policy document."""

    def __init__(self, error: BaseException, path: FieldPath) -> None:
        super().__init__(str(error))
        self.error = error
        self.path = path


def _stop_on_refusal(error: Exception, path: FieldPath) -> None:
    if sandbox.stops_policy(error):
        raise Stopped(error, path) from error


def _findings_on(policy: CompiledPolicy, entity: Entity, scope: sandbox.Scope
                 ) -> Iterable[Diagnostic]:
    """The findings of one policy on one entity; a sandbox refusal raises Stopped."""
    context = scope.variables
    if policy.when is not None:
        try:
            if not scope.evaluate(policy.when):
                return
        except Exception as error:
            _stop_on_refusal(error, ("spec", "match", "when"))
            yield _finding(policy, entity, f"policy '{policy.name}' could not evaluate "
                           f"match.when on {entity.ref}: {sandbox.describe(error)}")
            return
    for index, assertion in enumerate(policy.assertions):
        try:
            if scope.evaluate(assertion.check):
                continue
        except Exception as error:
            _stop_on_refusal(error, ("spec", "assert", index))
            yield _finding(policy, entity, f"policy '{policy.name}' could not evaluate "
                           f"`{assertion.source}` on {entity.ref}: {sandbox.describe(error)}",
                           assertion.path)
            continue
        try:
            message = sandbox.render(policy.message, context)
        except Exception as error:
            _stop_on_refusal(error, ("spec", "message"))
            message = (f"{entity.ref} fails policy '{policy.name}' (`{assertion.source}`); its "
                       f"message template failed: {sandbox.describe(error)}")
        yield _finding(policy, entity, message, assertion.path)


def _stopped(policy: CompiledPolicy, entity: Entity | None, error: BaseException,
             path: FieldPath = ("spec",)) -> Diagnostic:
    rule = POLICY_LIMIT if isinstance(error, sandbox.LimitExceeded) else POLICY_UNSAFE
    where = f" (while evaluating {entity.ref})" if entity is not None else ""
    return policy.entity.diagnostic(
        rule, f"policy '{policy.name}' was stopped{where}: {sandbox.describe(error)}; "
        "none of its findings are reported", path)


def evaluate(policy: CompiledPolicy, subjects: dict[str, list[Entity]],
             base: dict[str, Any], outcome: Outcome,
             scopes: dict[str, sandbox.Scope]) -> None:
    """Judge every subject the policy matches; `scopes` (one per entity, shared by all
    policies) spares building a Jinja2 context per policy and entity."""
    limit = sandbox.TIME_LIMIT
    found: list[Diagnostic] = []
    entity: Entity | None = None
    documents = base["catalog"]
    started = time.perf_counter()
    try:
        with sandbox.time_limit(limit):
            for kind in policy.kinds or tuple(sorted(subjects)):
                for entity in subjects.get(kind, ()):
                    scope = scopes.get(entity.ref)
                    if scope is None:
                        scope = scopes[entity.ref] = sandbox.Scope(
                            dict(base, entity=documents[kind][entity.name]))
                    found.extend(_findings_on(policy, entity, scope))
                    if time.perf_counter() - started > limit:
                        raise sandbox.LimitExceeded("time limit exceeded")
    except Stopped as stop:
        outcome.problems.append(_stopped(policy, entity, stop.error, stop.path))
        return
    except sandbox.LimitExceeded as error:  # the time budget, between two expressions
        outcome.problems.append(_stopped(policy, entity, error))
        return
    outcome.findings.extend(dict.fromkeys(found))  # two failed assertions, one place: once
    outcome.evaluated.add(policy.name)


def run_policies(catalog: Catalog, prior: Iterable[Diagnostic], today: dt.date,
                 now: dt.datetime) -> Outcome:
    """Evaluate every policy over the entities no earlier stage found an error in."""
    failed = {ref(d.kind, str(d.name)) for d in prior if d.severity is Severity.ERROR and d.kind}
    subjects: dict[str, list[Entity]] = {}
    for entity in catalog:
        if entity.ref not in failed:
            subjects.setdefault(entity.kind, []).append(entity)
    outcome = Outcome()
    policies = subjects.get(POLICY, [])
    if not policies:
        return outcome
    documents, referenced_by = resolved_documents(catalog)
    base = {"catalog": documents, "today": today, "now": now,
            sandbox.REFERENCED_BY: referenced_by}
    scopes: dict[str, sandbox.Scope] = {}
    for policy in policies:
        evaluate(CompiledPolicy.of(policy), subjects, base, outcome, scopes)
    judged = {e.ref for group in subjects.values() for e in group}
    outcome.findings, problems = apply_waivers(catalog, judged, today, outcome.findings,
                                               outcome.evaluated)
    outcome.problems.extend(problems)
    return outcome
