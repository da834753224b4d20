"""The schemas: valid 2020-12, documented, committed fresh."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from itsmctl.schemas import exported
from tests.helpers import ROOT


def _properties(schema: Any, path: str = "") -> list[tuple[str, Any]]:
    out = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            out.append((f"{path}.{name}", sub))
        for key, sub in schema.items():
            if key != "properties":
                out += _properties(sub, f"{path}/{key}")
        for name, sub in schema.get("properties", {}).items():
            out += _properties(sub, f"{path}.{name}")
    elif isinstance(schema, list):
        for item in schema:
            out += _properties(item, path)
    return out


def test_committed_schemas_are_fresh() -> None:
    files = exported()
    committed = {p.name: p.read_text() for p in (ROOT / "schemas").glob("*.json")}
    assert committed == files, "run: itsmctl schema export"


def test_schemas_are_valid_and_every_property_is_described() -> None:
    for name, text in exported().items():
        schema = json.loads(text)
        jsonschema.Draft202012Validator.check_schema(schema)
        for where, prop in _properties(schema):
            if "if" in where:
                continue
            assert "description" in prop, f"{name}: {where}"
