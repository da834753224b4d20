"""SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from itsmctl import __version__
from itsmctl.diagnostics import Diagnostic, Result, Severity
from itsmctl.rules import rule as lookup_rule

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule_id: str, texts: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
    rule = lookup_rule(rule_id)
    title, description = texts.get(rule_id, (rule.description, None))
    out: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id.replace("/", "-"),
        "shortDescription": {"text": title},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
    }
    if description:
        out["fullDescription"] = {"text": description.strip()}
    return out


def _result(d: Diagnostic, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": d.rule,
        "ruleIndex": index,
        "level": _LEVELS[d.severity],
        "message": {"text": d.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(d.path, safe="/"), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": d.line, "startColumn": d.column},
            }
        }],
    }
    if d.suppressed:
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if d.justification:
            suppression["justification"] = f"waiver {d.waiver}: {d.justification}"
        result["suppressions"] = [suppression]
    return result


def render(result: Result, color: bool = False) -> str:
    diagnostics = result.sorted()
    rule_ids = sorted({d.rule for d in diagnostics})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "itsmctl",
                "version": __version__,
                "rules": [_rule(r, result.rule_texts) for r in rule_ids],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {
                "text": "The root of the catalog repository."}}},
            "results": [_result(d, index[d.rule]) for d in diagnostics],
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
