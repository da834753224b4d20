"""The registry of rule ids, gathered from the modules that report them.

Each rule is defined (id, default severity, one-line description) next to the code that
reports it; this module lists those modules, so `itsmctl rules`, SARIF and the docs see
every rule. Ids are a public contract: add, never rename (docs/diagnostics.md).
"""

from __future__ import annotations

from typing import Protocol

from itsmctl import load, sources, yamlio
from itsmctl.changes import gate
from itsmctl.diagnostics import Rule, Severity
from itsmctl.policy import compile, evaluate, testing, waivers
from itsmctl.validate import CHECKS, names, references, schema


class DefinesRules(Protocol):
    @property
    def RULES(self) -> tuple[Rule, ...]: ...


RULE_MODULES: list[DefinesRules] = [yamlio, sources, load, schema, names, references,
                                    *CHECKS.values(), compile, evaluate, waivers, testing,
                                    gate]


def _gather() -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for module in RULE_MODULES:
        for rule in module.RULES:
            if out.setdefault(rule.id, rule) != rule:
                raise AssertionError(f"rule {rule.id} is defined twice")
    return dict(sorted(out.items()))


RULES: dict[str, Rule] = _gather()
POLICY_RULE_PREFIX = "policy/"


def rule(rule_id: str) -> Rule:
    """Look up a rule; `policy/<name>` ids are the organisation's own policies."""
    if rule_id in RULES:
        return RULES[rule_id]
    if rule_id.startswith(POLICY_RULE_PREFIX):
        return Rule(rule_id, Severity.ERROR,
                    f"A finding of the organisation's policy '{rule_id[7:]}'.")
    raise KeyError(rule_id)
