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
from itsmctl.model.references import Difference, graph_of
from itsmctl.policy import sandbox
from itsmctl.policy.compile import POLICY_INVALID, POLICY_UNSAFE, sources
from itsmctl.policy.context import Resolver
from itsmctl.policy.limits import LimitExceeded
from itsmctl.policy.waivers import apply_waivers
from itsmctl.text import FieldPath, parse_field

RESOLVER = "itsmctl:resolver"  # a context key templates cannot name
POLICY_LIMIT = Rule("policy-limit", Severity.ERROR, "A policy ran past its time budget or "
                    "built an oversized value; it was stopped.")
RULES = (POLICY_LIMIT,)


@dataclass(frozen=True)
class Assertion:
    source: str
    path: FieldPath  # where its findings point, in the judged document
    where: FieldPath  # the assertion itself, in the policy
    check: sandbox.Expression


@dataclass
class CompiledPolicy:
    entity: Entity
    rule: Rule  # policy/<name>, with the policy's severity
    kinds: tuple[str, ...] | None
    when: sandbox.Expression | None
    assertions: list[Assertion]
    message: str
    # how far its condition reads from the entity (sandbox.reach); None: unbounded
    reach: sandbox.Reach | None = None

    @property
    def name(self) -> str:
        return self.entity.name

    @classmethod
    def of(cls, entity: Entity) -> CompiledPolicy:
        spec = entity.spec
        match = spec.get("match", {})
        assertions = []
        for index, item in enumerate(spec["assert"]):
            if isinstance(item, dict):
                source, path = item["that"], parse_field(item.get("path", ""))
                where: FieldPath = ("spec", "assert", index, "that")
            else:
                source, path, where = item, (), ("spec", "assert", index)
            assertions.append(Assertion(source, path, where, sandbox.compiled_expression(source)))
        rule = Rule(f"policy/{entity.name}", Severity(spec.get("severity", "error")),
                    str(entity.metadata.get("title") or entity.name))
        reaches = [sandbox.reach(source)
                   for _, source, template in sources(entity) if not template]
        reach: sandbox.Reach | None = sandbox.Reach(0, frozenset())
        for one in reaches:
            reach = None if reach is None or one is None else reach | one
        return cls(entity, rule,
                   tuple(match["kinds"]) if match.get("kinds") else None,
                   sandbox.compiled_expression(match["when"]) if "when" in match else None,
                   assertions, spec["message"], reach)


@dataclass
class Verdict:
    """One policy on one entity whose `match.when` held (or failed): its findings, and the
    assertions that could not be evaluated on it."""

    findings: list[Diagnostic] = field(default_factory=list)
    when_failed: BaseException | None = None
    failed: dict[int, BaseException] = field(default_factory=dict)  # assertion -> error

    @property
    def clean(self) -> bool:
        """Nothing found, nothing failed: nothing about it tells where or in which words."""
        return not self.findings and self.when_failed is None and not self.failed


@dataclass
class Outcome:
    findings: list[Diagnostic] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # about policies and waivers
    evaluated: set[str] = field(default_factory=set)  # policies that ran to the end
    # what judging another version of the same documents can take over (see Prior):
    policies: dict[str, Entity] = field(default_factory=dict)  # name -> the Policy judged
    subjects: set[str] = field(default_factory=set)  # the entities judged
    verdicts: dict[str, dict[str, Verdict]] = field(default_factory=dict)  # policy -> entity
    resolver: Resolver | None = None  # the resolved documents the policies saw


@dataclass(frozen=True)
class Prior:
    """The judgement of another version of the same repository under the same policies
    (a pull request's head, judged by its base's policies), and what differs between the
    two. A policy whose condition reads a bounded part of the catalog around its entity
    (sandbox.reach) finds the same on an entity around which nothing it reads differs: its
    verdict there is taken over instead of evaluated again (findings' rule, entity,
    position and severity are exact; a message is the prior's rendering). On an entity
    that was edited, but not in what the policy reads (a description, when it reads the
    spec), a verdict without findings or failures is taken over (the positions of any
    could differ)."""

    outcome: Outcome
    difference: Difference

    def taken_over(self, policy: CompiledPolicy
                   ) -> Callable[[Entity], Verdict | bool | None]:
        """A function giving the policy's verdict on an entity in the prior judgement
        (None: `match.when` did not hold), or False when it must be evaluated."""
        outcome, reach = self.outcome, policy.reach
        if reach is None or outcome.policies.get(policy.name) is not policy.entity \
                or policy.name not in outcome.evaluated:
            return lambda entity: False
        verdicts, subjects = outcome.verdicts.get(policy.name, {}), outcome.subjects
        shared, rewritten = self.difference.shared, self.difference.rewritten
        # an edit it reads puts the entity itself among these (at no distance)
        differing = self.difference.differing_within(reach.depth, reach.keys, reach.reverse)

        def verdict(entity: Entity) -> Verdict | bool | None:
            key = entity.ref
            if key not in subjects or key in differing:
                return False
            if key in shared:
                return verdicts.get(key)
            found = verdicts.get(key)
            return found if key in rewritten and (found is None or found.clean) else False
        return verdict


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


@dataclass
class _Run:
    """One policy's evaluation: its findings, and the documents its expressions failed on
    (to tell a policy's own mistake from a document's gap once all are seen)."""

    policy: CompiledPolicy
    findings: list[Diagnostic] = field(default_factory=list)
    when_failed: list[tuple[Entity, BaseException]] = field(default_factory=list)
    failed: dict[int, list[tuple[Entity, BaseException]]] = field(default_factory=dict)
    judged: dict[int, int] = field(default_factory=dict)  # assertion -> documents judged
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # entity -> its verdict

    def add(self, entity: Entity, verdict: Verdict | None) -> None:
        if verdict is None:
            return
        self.verdicts[entity.ref] = verdict
        if verdict.when_failed is not None:
            self.when_failed.append((entity, verdict.when_failed))
            return
        for index in range(len(self.policy.assertions)):
            self.judged[index] = self.judged.get(index, 0) + 1
        for index, error in verdict.failed.items():
            self.failed.setdefault(index, []).append((entity, error))
        self.findings.extend(verdict.findings)


def _judge_entity(policy: CompiledPolicy, entity: Entity, scope: sandbox.Scope
                  ) -> Verdict | None:
    """One policy on one entity (None: `match.when` does not hold); a sandbox refusal
    raises Stopped."""
    if policy.when is not None:
        try:
            if not scope.evaluate(policy.when):
                return None
        except Exception as error:
            _stop_on_refusal(error, ("spec", "match", "when"))
            return Verdict(when_failed=error)
    verdict = Verdict()
    for index, assertion in enumerate(policy.assertions):
        try:
            if scope.evaluate(assertion.check):
                continue
        except Exception as error:
            _stop_on_refusal(error, ("spec", "assert", index))
            verdict.failed[index] = error
            continue
        try:
            message = sandbox.render(policy.message, scope.variables)
        except Exception as error:
            _stop_on_refusal(error, ("spec", "message"))
            message = (f"{entity.ref} fails policy '{policy.name}' (`{assertion.source}`); its "
                       f"message template failed: {sandbox.describe(error)}")
        verdict.findings.append(_finding(policy, entity, message, assertion.path))
    return verdict


def _on(failures: list[tuple[Entity, BaseException]]) -> str:
    refs = [entity.ref for entity, _ in failures]
    shown = ", ".join(refs[:3]) + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")
    return f"{len(refs)} document{'s' if len(refs) > 1 else ''} ({shown}): " \
           f"{sandbox.describe(failures[0][1])}"


def _conclude(run: _Run, outcome: Outcome) -> None:
    """Failures of the policy's own making are one diagnostic at the expression: any of
    `match.when`, or an assertion that failed on every document it judged. An assertion
    that fails on some documents only is a finding on each (they lack what it reads)."""
    policy = run.policy
    if run.when_failed:
        outcome.problems.append(policy.entity.diagnostic(
            POLICY_INVALID, f"policy '{policy.name}': match.when cannot be evaluated on "
            f"{_on(run.when_failed)}", ("spec", "match", "when")))
    own_mistake = False
    for index, failures in sorted(run.failed.items()):
        assertion = policy.assertions[index]
        if len(failures) == run.judged[index]:
            own_mistake = True
            outcome.problems.append(policy.entity.diagnostic(
                POLICY_INVALID, f"policy '{policy.name}': `{assertion.source}` cannot be "
                f"evaluated on any of the {_on(failures)}", assertion.where))
            continue
        run.findings.extend(_finding(
            policy, entity, f"policy '{policy.name}' could not evaluate `{assertion.source}` "
            f"on {entity.ref}: {sandbox.describe(error)}", assertion.path)
            for entity, error in failures)
    outcome.findings.extend(dict.fromkeys(run.findings))  # two failed assertions, one place
    outcome.verdicts[policy.name] = run.verdicts
    if not run.when_failed and not own_mistake:
        outcome.evaluated.add(policy.name)


def _stopped(policy: CompiledPolicy, entity: Entity | None, error: BaseException,
             path: FieldPath = ("spec",)) -> Diagnostic:
    rule = POLICY_LIMIT if isinstance(error, LimitExceeded) else POLICY_UNSAFE
    where = f" (while evaluating {entity.ref})" if entity is not None else ""
    return policy.entity.diagnostic(
        rule, f"policy '{policy.name}' was stopped{where}: {sandbox.describe(error)}; "
        "none of its findings are reported", path)


def evaluate(policy: CompiledPolicy, subjects: dict[str, list[Entity]],
             base: dict[str, Any], outcome: Outcome,
             scopes: dict[str, sandbox.Scope], prior: Prior | None = None) -> None:
    """Judge every subject the policy matches; `scopes` (one per entity, shared by all
    policies) spares building a Jinja2 context per policy and entity; with `prior`, a
    verdict that cannot differ from the prior judgement's is taken over."""
    limit = sandbox.TIME_LIMIT
    run = _Run(policy)
    entity: Entity | None = None
    resolver: Resolver = base[RESOLVER]
    documents = resolver.documents
    reach = policy.reach
    taken_over = prior.taken_over(policy) if prior is not None else lambda entity: False
    started = time.perf_counter()
    try:
        with sandbox.time_limit(limit):
            for kind in policy.kinds or tuple(sorted(subjects)):
                for entity in subjects.get(kind, ()):
                    verdict = taken_over(entity)
                    if verdict is False:
                        if reach is None:
                            resolver.everything()
                        else:
                            resolver.around(entity.ref, reach.depth, reach.reverse)
                        scope = scopes.get(entity.ref)
                        if scope is None:
                            scope = scopes[entity.ref] = sandbox.Scope(
                                dict(base, entity=documents[kind][entity.name]))
                        verdict = _judge_entity(policy, entity, scope)
                    assert verdict is not True
                    run.add(entity, verdict)
                    if time.perf_counter() - started > limit:
                        raise LimitExceeded("time limit exceeded")
    except Stopped as stop:
        outcome.problems.append(_stopped(policy, entity, stop.error, stop.path))
        return
    except LimitExceeded as error:  # the time budget, between two expressions
        outcome.problems.append(_stopped(policy, entity, error))
        return
    _conclude(run, outcome)


def _dependants(catalog: Catalog, broken: set[str]) -> set[str]:
    """Every document that names one of `broken`, directly or through others."""
    graph = graph_of(catalog)
    found: set[str] = set()
    frontier = list(broken)
    while frontier:
        for source in graph.referrers(frontier.pop(), derived=True):
            if source not in found:
                found.add(source)
                frontier.append(source)
    return found


def run_policies(catalog: Catalog, problems: Iterable[Diagnostic], today: dt.date,
                 now: dt.datetime, prior: Prior | None = None) -> Outcome:
    """Evaluate every policy over the entities no earlier stage found an error in, and
    that do not depend on a document that failed its schema (they would see it missing);
    with `prior`, take over what another version's judgement found where it cannot
    differ."""
    failed = {ref(d.kind, str(d.name)) for d in problems
              if d.severity is Severity.ERROR and d.kind}
    failed |= _dependants(catalog, set(catalog.invalid))
    subjects: dict[str, list[Entity]] = {}
    for entity in catalog:
        if entity.ref not in failed:
            subjects.setdefault(entity.kind, []).append(entity)
    outcome = Outcome()
    policies = subjects.get(POLICY, [])
    if not policies:
        return outcome
    reuse = None
    if prior is not None and prior.outcome.resolver is not None:
        reuse = (prior.outcome.resolver.documents, prior.difference.resolve_same)
    resolver = outcome.resolver = Resolver(
        catalog, reuse, prior.difference.referrers_after if prior is not None else None)
    if prior is None:
        resolver.everything()  # judged in full: every document is needed
    outcome.subjects = {e.ref for group in subjects.values() for e in group}
    outcome.policies = {policy.name: policy for policy in policies}
    base = {"catalog": resolver.documents, "today": today, "now": now,
            sandbox.REFERENCED_BY: resolver.referrers, RESOLVER: resolver}
    scopes: dict[str, sandbox.Scope] = {}
    for policy in policies:
        evaluate(CompiledPolicy.of(policy), subjects, base, outcome, scopes, prior)
    outcome.findings, unused = apply_waivers(catalog, outcome.subjects, today, outcome.findings,
                                             outcome.evaluated)
    outcome.problems.extend(unused)
    return outcome
