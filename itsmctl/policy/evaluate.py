"""Evaluate Policy documents over the catalog, then let Waivers suppress findings.

Findings are located at the entity they are about (at the assertion's `path` when it
gives one), carry the rule id `policy/<name>` and the policy's severity. A policy the
sandbox stops (an escape attempt, the time budget) gets one diagnostic at the policy
itself and the run goes on with the next policy.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.kinds import POLICY, ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Entity
from itsmctl.model.references import Distance
from itsmctl.policy import sandbox
from itsmctl.policy.compile import POLICY_UNSAFE, sources
from itsmctl.policy.context import Documents, resolved_documents
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
    # how many references deep its condition reads (sandbox.reference_depth); None: unbounded
    depth: int | None = None

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
        depths = [sandbox.reference_depth(source)
                  for _, source, template in sources(entity) if not template]
        return cls(entity, rule,
                   tuple(match["kinds"]) if match.get("kinds") else None,
                   sandbox.compiled_expression(match["when"]) if "when" in match else None,
                   assertions, spec["message"],
                   None if None in depths else max((d for d in depths if d is not None),
                                                   default=0))


@dataclass
class Outcome:
    findings: list[Diagnostic] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # about policies and waivers
    evaluated: set[str] = field(default_factory=set)  # policies that ran to the end
    # what judging another version of the same documents can take over (Prior):
    policies: dict[str, Entity] = field(default_factory=dict)  # name -> the Policy judged
    subjects: set[str] = field(default_factory=set)  # the entities judged
    raw: dict[str, dict[str, list[Diagnostic]]] = field(default_factory=dict)  # policy ->
    # entity -> its findings before waivers
    documents: Documents | None = None  # the resolved documents the policies saw


@dataclass(frozen=True)
class Prior:
    """The judgement of another version of the same repository under the same policies
    (a pull request's head, judged by its base's policies), and how far each entity is from
    what differs between the two (`distance`). A policy whose condition reads a bounded
    depth of references finds the same on an entity that reaches nothing different within
    that depth: its findings there are taken over instead of evaluated again (their
    identity, position and severity are exact; the message is the prior's rendering)."""

    outcome: Outcome
    distance: Distance

    def taken_over(self, policy: CompiledPolicy) -> Callable[[Entity], list[Diagnostic] | None]:
        """A function giving the policy's findings on an entity in the prior judgement, or
        None when they must be evaluated."""
        outcome, depth = self.outcome, policy.depth
        if depth is None or outcome.policies.get(policy.name) is not policy.entity \
                or policy.name not in outcome.evaluated:
            return lambda entity: None
        raw, subjects, same = outcome.raw.get(policy.name, {}), outcome.subjects, \
            self.distance.same_within

        def findings(entity: Entity) -> list[Diagnostic] | None:
            key = entity.ref
            return raw.get(key, []) if key in subjects and same(key, depth) else None
        return findings


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
             scopes: dict[str, sandbox.Scope], prior: Prior | None = None) -> None:
    """Judge every subject the policy matches; `scopes` (one per entity, shared by all
    policies) spares building a Jinja2 context per policy and entity."""
    limit = sandbox.TIME_LIMIT
    found: list[Diagnostic] = []
    raw: dict[str, list[Diagnostic]] = {}
    entity: Entity | None = None
    documents = base["catalog"]
    taken_over = prior.taken_over(policy) if prior is not None else lambda entity: None
    started = time.perf_counter()
    try:
        with sandbox.time_limit(limit):
            for kind in policy.kinds or tuple(sorted(subjects)):
                for entity in subjects.get(kind, ()):
                    items = taken_over(entity)
                    if items is None:
                        scope = scopes.get(entity.ref)
                        if scope is None:
                            scope = scopes[entity.ref] = sandbox.Scope(
                                dict(base, entity=documents[kind][entity.name]))
                        items = list(_findings_on(policy, entity, scope))
                    if items:
                        raw[entity.ref] = items
                        found.extend(items)
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
    outcome.raw[policy.name] = raw


def run_policies(catalog: Catalog, problems: Iterable[Diagnostic], today: dt.date,
                 now: dt.datetime, prior: Prior | None = None) -> Outcome:
    """Evaluate every policy over the entities no earlier stage found an error in; with
    `prior`, take over what another version's judgement found where it cannot differ."""
    failed = {ref(d.kind, str(d.name)) for d in problems
              if d.severity is Severity.ERROR and d.kind}
    subjects: dict[str, list[Entity]] = {}
    for entity in catalog:
        if entity.ref not in failed:
            subjects.setdefault(entity.kind, []).append(entity)
    outcome = Outcome()
    policies = subjects.get(POLICY, [])
    if not policies:
        return outcome
    reuse = None
    if prior is not None and prior.outcome.documents is not None:
        reuse = (prior.outcome.documents, prior.distance.resolve_same)
    documents, referenced_by = resolved_documents(catalog, reuse)
    outcome.documents = documents
    outcome.subjects = {e.ref for group in subjects.values() for e in group}
    outcome.policies = {policy.name: policy for policy in policies}
    base = {"catalog": documents, "today": today, "now": now,
            sandbox.REFERENCED_BY: referenced_by}
    scopes: dict[str, sandbox.Scope] = {}
    for policy in policies:
        evaluate(CompiledPolicy.of(policy), subjects, base, outcome, scopes, prior)
    outcome.findings, unused = apply_waivers(catalog, outcome.subjects, today, outcome.findings,
                                             outcome.evaluated)
    outcome.problems.extend(unused)
    return outcome
