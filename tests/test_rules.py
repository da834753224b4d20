"""The rule registry is complete: every rule the source defines is registered, none is
defined twice, and no diagnostic names its rule by a string literal."""

from __future__ import annotations

import ast
from pathlib import Path

from itsmctl.rules import RULE_MODULES, RULES
from itsmctl.validate import CHECKS
from tests.helpers import ROOT

SOURCES = sorted((ROOT / "itsmctl").rglob("*.py"))


def _calls(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def test_every_defined_rule_is_registered_once() -> None:
    defined: dict[str, list[str]] = {}
    for path in SOURCES:
        for call in _calls(path):
            rule_id = _literal(call.args[0]) if _name(call) == "Rule" and call.args else None
            if rule_id is not None:
                defined.setdefault(rule_id, []).append(str(path.relative_to(ROOT)))
    assert sorted(defined) == sorted(RULES)
    assert {rule: places for rule, places in defined.items() if len(places) > 1} == {}


def test_no_diagnostic_names_its_rule_by_a_literal() -> None:
    found = []
    for path in SOURCES:
        for call in _calls(path):
            name = _name(call)
            rule = (call.args[0] if name == "diagnostic" and call.args else
                    call.args[3] if name == "Diagnostic" and len(call.args) > 3 else None)
            keyword = next((k.value for k in call.keywords if k.arg == "rule"), None)
            for node in (rule, keyword):
                if _literal(node) is not None:
                    found.append(f"{path.relative_to(ROOT)}:{call.lineno}: {_literal(node)}")
    assert found == []


def test_every_check_reports_registered_rules_and_is_gathered() -> None:
    for name, module in CHECKS.items():
        assert module in RULE_MODULES, name
        for rule in module.RULES:
            assert RULES[rule.id] is rule, (name, rule.id)
