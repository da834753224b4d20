"""`itsmctl explain`: the schema's documentation for a kind or field, like kubectl explain."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.kinds import ANY_DOCUMENT, KIND_NAMES, PRIORITY_LEVEL
from itsmctl.schemas import document_schema
from itsmctl.schemas.build import deref
from itsmctl.text import did_you_mean

Schema = dict[str, Any]


def type_label(schema: Schema, root: Schema) -> str:
    schema, defname = deref(schema, root)
    if "x-reference" in schema and schema["x-reference"] not in (ANY_DOCUMENT, PRIORITY_LEVEL):
        return f"<{schema['x-reference']} name>"
    if "enum" in schema:  # the allowed values, named type or not (as kubectl shows an enum)
        return "<" + " | ".join(str(v) for v in schema["enum"]) + ">"
    if defname and defname not in ("name",):
        return f"<{defname}>"
    if "const" in schema:
        return f"<{schema['const']}>"
    kind = schema.get("type")
    if kind == "array":
        return "<[]" + type_label(schema.get("items", {}), root)[1:]
    if kind == "object":
        if "properties" in schema:
            return "<Object>"
        extra = schema.get("additionalProperties")
        return "<map[string]" + type_label(extra, root)[1:] if isinstance(extra, dict) \
            else "<map>"
    if "anyOf" in schema:
        return "<" + " | ".join(type_label(s, root)[1:-1] for s in schema["anyOf"]) + ">"
    return f"<{kind or 'any'}>"


def _children(schema: Schema, root: Schema) -> tuple[Schema, list[str]]:
    schema, _ = deref(schema, root)
    while schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        schema, _ = deref(schema["items"], root)
    if "properties" not in schema and isinstance(schema.get("additionalProperties"), dict):
        inner, _ = deref(schema["additionalProperties"], root)
        if "properties" in inner:
            schema = inner
    return schema, list(schema.get("required", []))


def _summary(kind: str) -> str:
    """What a kind is: its spec's description (the envelope's says only 'An itsmctl ...
    document.')."""
    return str(document_schema(kind)["properties"]["spec"].get("description", ""))


def _describe(schema: Schema, root: Schema) -> str:
    schema, _ = deref(schema, root)
    text = str(schema.get("description", ""))
    if "default" in schema:
        text += f" Default: {json.dumps(schema['default'])}."  # as YAML and JSON write it
    return text


def list_kinds() -> str:
    """Every kind with its one-line description (`itsmctl explain` without a field)."""
    lines = ["KINDS:"]
    for kind in KIND_NAMES:
        summary = _summary(kind)
        lines.append(f"   {kind:<18} {summary.split('. ')[0].rstrip('.')}")
    lines += ["", "Explain one: itsmctl explain KIND[.field.path] (e.g. Service.spec.sla)"]
    return "\n".join(lines) + "\n"


def _kind(name: str) -> str:
    """A kind by its name, in any case."""
    by_lower = {kind.lower(): kind for kind in KIND_NAMES}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    raise FatalError(f"unknown kind '{name}'{did_you_mean(name, KIND_NAMES)}",
                     f"kinds: {', '.join(KIND_NAMES)}")


def explain(field: str | None, recursive: bool = False) -> str:
    if not field:
        return list_kinds()
    name, *parts = field.split(".")
    kind = _kind(name)
    root = document_schema(kind)
    schema: Schema = root
    for i, part in enumerate(parts):
        container, _ = _children(schema, root)
        properties = container.get("properties", {})
        if part not in properties:
            where = ".".join([kind, *parts[:i]])
            raise FatalError(f"field '{part}' does not exist in {where}"
                             f"{did_you_mean(part, list(properties))}")
        schema = properties[part]
    lines = [f"KIND:     {kind}", "VERSION:  itsmctl/v1"]
    if parts:
        lines.append(f"FIELD:    {'.'.join(parts)} {type_label(schema, root)}")
    lines += ["", "DESCRIPTION:"]
    description = _describe(schema, root) if parts else _summary(kind)
    lines += textwrap.wrap(description, 76, initial_indent="    ",
                           subsequent_indent="    ") or ["    (none)"]
    container, required = _children(schema, root)
    if container.get("properties"):
        lines += ["", "FIELDS:"]
        lines += _fields(container, root, required, recursive, 1)
    return "\n".join(lines) + "\n"


def _fields(schema: Schema, root: Schema, required: list[str], recursive: bool,
            depth: int) -> list[str]:
    out = []
    pad = "   " * depth
    for name, sub in schema.get("properties", {}).items():
        flag = " -required-" if name in required else ""
        out.append(f"{pad}{name}\t{type_label(sub, root)}{flag}")
        if recursive:
            inner, inner_required = _children(sub, root)
            if inner.get("properties") and inner is not schema:
                out += _fields(inner, root, inner_required, recursive, depth + 1)
        else:
            for line in textwrap.wrap(_describe(sub, root), 72):
                out.append(f"{pad}  {line}")
            out.append("")
    return out
