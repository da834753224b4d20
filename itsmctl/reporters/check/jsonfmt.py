"""A JSON list of diagnostics (docs/diagnostics.md#json)."""

from __future__ import annotations

import json

from itsmctl.diagnostics import Result


def render(result: Result, color: bool = False) -> str:
    return json.dumps([d.to_json() for d in result.sorted()], indent=2, ensure_ascii=False) + "\n"
