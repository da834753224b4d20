"""The documents policies see: schema defaults applied, derived values made explicit,
and every reference replaced by the whole document it names (envelope included).

Each document is built once and shared, so `entity.spec.sla.spec.calendar` is the same
object wherever it is reached from: no copies, and cycles (a team owning a service that
names that team) cost nothing. The walk over each kind's schema is compiled once into
nested closures, so resolving thousands of documents does not re-read the schema.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

from itsmctl.model import Catalog
from itsmctl.resolve import derive
from itsmctl.schemas import document_schema
from itsmctl.schemas.build import deref

Documents = dict[str, dict[str, dict[str, Any]]]
Lookup = Callable[[str, str], Any]
Transform = Callable[[Any, Lookup], Any]


def _identity(value: Any, lookup: Lookup) -> Any:
    return value


def _compile(schema: Any, root: dict[str, Any], depth: int = 0) -> Transform:
    """A function that applies defaults and substitutes references below `schema`;
    `_identity` where there is nothing to do (the value is then shared, not copied)."""
    schema, _ = deref(schema, root)
    if not isinstance(schema, dict) or depth > 32:
        return _identity
    target = schema.get("x-reference")
    if isinstance(target, str) and target != "PriorityLevel":
        keep = frozenset(schema.get("x-reference-except", ()))
        if target == "*":
            def any_kind(value: Any, lookup: Lookup) -> Any:
                if not isinstance(value, str) or "/" not in value:
                    return value
                found = lookup(*value.split("/", 1))
                return value if found is None else found
            return any_kind

        def one_kind(value: Any, lookup: Lookup) -> Any:
            if not isinstance(value, str) or value in keep:
                return value
            found = lookup(target, value)
            return value if found is None else found
        return one_kind
    if "properties" in schema:
        fields = {key: _compile(sub, root, depth + 1) for key, sub in schema["properties"].items()}
        defaults = {}
        for key, sub in schema["properties"].items():
            field, _ = deref(sub, root)
            if "default" in field:
                defaults[key] = field["default"]
        active = {key: f for key, f in fields.items() if f is not _identity}
        if not active and not defaults:
            return _identity

        def obj(value: Any, lookup: Lookup) -> Any:
            if not isinstance(value, dict):
                return value
            out = {key: (active[key](item, lookup) if key in active else item)
                   for key, item in value.items()}
            for key, default in defaults.items():
                if key not in out:
                    out[key] = copy.deepcopy(default)
            return out
        return obj
    if isinstance(schema.get("additionalProperties"), dict):
        values = _compile(schema["additionalProperties"], root, depth + 1)
        if values is _identity:
            return _identity
        return lambda value, lookup: ({k: values(v, lookup) for k, v in value.items()}
                                      if isinstance(value, dict) else value)
    if isinstance(schema.get("items"), dict):
        items = _compile(schema["items"], root, depth + 1)
        if items is _identity:
            return _identity
        return lambda value, lookup: ([items(v, lookup) for v in value]
                                      if isinstance(value, list) else value)
    return _identity


@cache
def spec_transform(kind: str) -> Transform:
    schema = document_schema(kind)
    return _compile(schema["properties"]["spec"], schema)


def resolved_documents(catalog: Catalog) -> tuple[Documents, dict[str, list[dict[str, Any]]]]:
    """Every entity as a resolved document by kind and name, and who references whom."""
    docs: Documents = {}
    for entity in catalog:
        docs.setdefault(entity.kind, {})[entity.name] = {
            "apiVersion": entity.document.data.get("apiVersion"), "kind": entity.kind,
            "metadata": entity.metadata, "spec": None,
        }
    referenced_by: dict[str, dict[str, dict[str, Any]]] = {}
    source = ""
    current: dict[str, Any] = {}

    def lookup(kind: str, name: str) -> Any:
        target = docs.get(kind, {}).get(name)
        if target is None:
            return None
        referenced_by.setdefault(f"{kind}/{name}", {})[source] = current
        return target

    for entity in catalog:
        spec = dict(entity.spec)
        derive(catalog, entity, spec)  # derived values are references too: resolve after
        source, current = entity.ref, docs[entity.kind][entity.name]
        current["spec"] = spec_transform(entity.kind)(spec, lookup)
    index = {ref: [by[k] for k in sorted(by)] for ref, by in referenced_by.items()}
    return docs, index
