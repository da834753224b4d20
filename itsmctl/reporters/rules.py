"""`itsmctl rules`: the registry of rule ids as a table, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from itsmctl.diagnostics import Rule

POLICY_ROW = ("policy/<name>", "the policy's", "A finding of the organisation's policy `<name>`.")


def render_text(rules: Sequence[Rule]) -> str:
    width = max(len(r.id) for r in rules)
    return "".join(f"{r.id:<{width}}  {r.severity.value:<7}  {r.description}\n" for r in rules)


def render_markdown(rules: Sequence[Rule]) -> str:
    lines = ["| rule | severity | meaning |", "|---|---|---|"]
    lines += [f"| `{r.id}` | {r.severity.value} | {r.description} |" for r in rules]
    lines.append("| `{}` | {} | {} |".format(*POLICY_ROW))
    return "\n".join(lines) + "\n"


def render_json(rules: Sequence[Rule]) -> str:
    return json.dumps([{"id": r.id, "severity": r.severity.value, "description": r.description}
                       for r in rules], indent=2) + "\n"


RENDERERS: dict[str, Callable[[Sequence[Rule]], str]] = {
    "text": render_text, "markdown": render_markdown, "json": render_json}
