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

from itsmctl import expressions
from itsmctl.diagnostics import Diagnostic, Severity
from itsmctl.model import Catalog, Entity
from itsmctl.policy.documents import resolved_documents


def field_path(text: str) -> tuple[str | int, ...]:
    """`spec.targets.P1` or `spec.members.0` as a JSON path."""
    return tuple(int(p) if p.isdigit() else p for p in text.split(".") if p)


@dataclass(frozen=True)
class Assertion:
    source: str
    path: tuple[str | int, ...]
    check: expressions.Expression


@dataclass
class CompiledPolicy:
    entity: Entity
    severity: Severity
    kinds: tuple[str, ...] | None
    when: expressions.Expression | None
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
            source, path = (item["that"], field_path(item.get("path", ""))) \
                if isinstance(item, dict) else (item, ())
            assertions.append(Assertion(source, path, expressions.compiled_expression(source)))
        return cls(entity, Severity(spec.get("severity", "error")),
                   tuple(match["kinds"]) if match.get("kinds") else None,
                   expressions.compiled_expression(match["when"]) if "when" in match else None,
                   assertions, spec["message"])


@dataclass
class Outcome:
    findings: list[Diagnostic] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # about policies and waivers
    evaluated: set[str] = field(default_factory=set)  # policies that ran to the end


def _finding(policy: CompiledPolicy, entity: Entity, message: str,
             path: tuple[str | int, ...] = ()) -> Diagnostic:
    return entity.diagnostic(f"policy/{policy.name}", message, path, severity=policy.severity)


class Stopped(Exception):
    """The sandbox refused part of a policy; `path` is that part, in the policy document."""

    def __init__(self, error: BaseException, path: tuple[str | int, ...]) -> None:
        super().__init__(str(error))
        self.error = error
        self.path = path


def _stop_on_refusal(error: Exception, path: tuple[str | int, ...]) -> None:
    if expressions.stops_policy(error):
        raise Stopped(error, path) from error


def _judge(policy: CompiledPolicy, entity: Entity, scope: expressions.Scope
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
                           f"match.when on {entity.ref}: {expressions.describe(error)}")
            return
    for index, assertion in enumerate(policy.assertions):
        try:
            if scope.evaluate(assertion.check):
                continue
        except Exception as error:
            _stop_on_refusal(error, ("spec", "assert", index))
            yield _finding(policy, entity, f"policy '{policy.name}' could not evaluate "
                           f"`{assertion.source}` on {entity.ref}: {expressions.describe(error)}",
                           assertion.path)
            continue
        try:
            message = expressions.render(policy.message, context)
        except Exception as error:
            _stop_on_refusal(error, ("spec", "message"))
            message = (f"{entity.ref} fails policy '{policy.name}' (`{assertion.source}`); its "
                       f"message template failed: {expressions.describe(error)}")
        yield _finding(policy, entity, message, assertion.path)


def _stopped(policy: CompiledPolicy, entity: Entity | None, error: BaseException,
             path: tuple[str | int, ...] = ("spec",)) -> Diagnostic:
    rule = "policy-limit" if isinstance(error, expressions.LimitExceeded) else "policy-unsafe"
    where = f" (while evaluating {entity.ref})" if entity is not None else ""
    return policy.entity.diagnostic(
        rule, f"policy '{policy.name}' was stopped{where}: {expressions.describe(error)}; "
        "none of its findings are reported", path)


def evaluate(policy: CompiledPolicy, subjects: dict[str, list[Entity]],
             base: dict[str, Any], outcome: Outcome,
             scopes: dict[str, expressions.Scope]) -> None:
    """Judge every subject the policy matches; `scopes` (one per entity, shared by all
    policies) spares building a Jinja2 context per policy and entity."""
    limit = expressions.TIME_LIMIT
    found: list[Diagnostic] = []
    entity: Entity | None = None
    documents = base["catalog"]
    started = time.perf_counter()
    try:
        with expressions.time_limit(limit):
            for kind in policy.kinds or tuple(sorted(subjects)):
                for entity in subjects.get(kind, ()):
                    scope = scopes.get(entity.ref)
                    if scope is None:
                        scope = scopes[entity.ref] = expressions.Scope(
                            dict(base, entity=documents[kind][entity.name]))
                    found.extend(_judge(policy, entity, scope))
                    if time.perf_counter() - started > limit:
                        raise expressions.LimitExceeded("time limit exceeded")
    except Stopped as stop:
        outcome.problems.append(_stopped(policy, entity, stop.error, stop.path))
        return
    except expressions.LimitExceeded as error:  # the time budget, between two expressions
        outcome.problems.append(_stopped(policy, entity, error))
        return
    outcome.findings.extend(dict.fromkeys(found))  # two failed assertions, one place: once
    outcome.evaluated.add(policy.name)


def _waive(catalog: Catalog, subjects: set[str], today: dt.date, outcome: Outcome) -> None:
    """Mark waived findings suppressed; report waiver entries that waive nothing."""
    waivers = [w for w in catalog.of_kind("Waiver") if w.ref in subjects
               and dt.date.fromisoformat(w.spec["expires"]) >= today]
    by_key = {(w.spec["policy"], ref): w for w in waivers for ref in w.spec["entities"]}
    used: set[tuple[str, str]] = set()
    findings = []
    for finding in outcome.findings:
        key = (finding.rule.removeprefix("policy/"), f"{finding.kind}/{finding.name}")
        if key in by_key:
            used.add(key)
            waiver = by_key[key]
            finding = finding.replace(suppressed=True, waiver=waiver.name,
                                      justification=str(waiver.spec["reason"]).strip())
        findings.append(finding)
    outcome.findings = findings
    for waiver in waivers:
        policy = waiver.spec["policy"]
        if policy not in outcome.evaluated:
            continue  # the policy did not run: nothing can be said
        for index, ref in enumerate(waiver.spec["entities"]):
            if ref in subjects and (policy, ref) not in used:
                outcome.problems.append(waiver.diagnostic(
                    "waiver-unused", f"waiver '{waiver.name}': policy '{policy}' has no "
                    f"finding on {ref} to waive; remove the entry", ("spec", "entities", index)))


def run_policies(catalog: Catalog, prior: Iterable[Diagnostic], today: dt.date,
                 now: dt.datetime) -> Outcome:
    """Evaluate every policy over the entities no earlier stage found an error in."""
    failed = {f"{d.kind}/{d.name}" for d in prior if d.severity is Severity.ERROR and d.kind}
    subjects: dict[str, list[Entity]] = {}
    for entity in catalog:
        if entity.ref not in failed:
            subjects.setdefault(entity.kind, []).append(entity)
    outcome = Outcome()
    policies = subjects.get("Policy", [])
    if not policies:
        return outcome
    documents, referenced_by = resolved_documents(catalog)
    base = {"catalog": documents, "today": today, "now": now,
            expressions.REFERENCED_BY: referenced_by}
    scopes: dict[str, expressions.Scope] = {}
    for policy in policies:
        evaluate(CompiledPolicy.of(policy), subjects, base, outcome, scopes)
    _waive(catalog, {e.ref for group in subjects.values() for e in group}, today, outcome)
    return outcome
