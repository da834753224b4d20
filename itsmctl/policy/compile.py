"""Policies and approval rules compile: every expression and message template is parsed
and screened by the sandbox before anything runs, so a broken or unsafe one is reported
at its own file:line:col and never evaluated."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.kinds import APPROVAL_RULE, POLICY
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Entity
from itsmctl.policy import sandbox
from itsmctl.text import FieldPath

POLICY_INVALID = Rule("policy-invalid", Severity.ERROR, "A policy expression or message "
                      "template does not compile or names an unknown variable.")
POLICY_UNSAFE = Rule("policy-unsafe", Severity.ERROR, "A policy tries something the sandbox "
                     "refuses (private attributes, Jinja2 globals, includes, macros); the "
                     "policy does not run.")
RULES = (POLICY_INVALID, POLICY_UNSAFE)
_NAMES = {POLICY: sandbox.POLICY_NAMES, APPROVAL_RULE: sandbox.APPROVAL_NAMES}


def sources(entity: Entity) -> Iterator[tuple[FieldPath, str, bool]]:
    """(path, source, is_template) of every expression and template a document holds."""
    spec = entity.spec
    if entity.kind == POLICY:
        if "when" in spec.get("match", {}):
            yield ("spec", "match", "when"), spec["match"]["when"], False
        for i, item in enumerate(spec["assert"]):
            if isinstance(item, dict):
                yield ("spec", "assert", i, "that"), item["that"], False
            else:
                yield ("spec", "assert", i), item, False
        yield ("spec", "message"), spec["message"], True
    elif entity.kind == APPROVAL_RULE:
        yield ("spec", "when"), spec["when"], False


def compile_problems(catalog: Catalog) -> Iterator[Diagnostic]:
    for kind in (POLICY, APPROVAL_RULE):
        for entity in catalog.of_kind(kind):
            for path, source, template in sources(entity):
                problem = sandbox.problem(source, template, _NAMES[kind])
                if problem:
                    what = "message template" if template else "expression"
                    yield entity.diagnostic(POLICY_UNSAFE if problem.unsafe else POLICY_INVALID,
                                            f"{kind} '{entity.name}': {what} {problem.message}",
                                            path)
