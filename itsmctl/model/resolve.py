"""The resolved catalog: schema defaults applied, inherited values made explicit,
references listed both ways. What build targets and policies start from."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

from itsmctl.kinds import ANY_DOCUMENT, PRIORITY_LEVEL, WORKFLOW
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Entity
from itsmctl.model.inherit import inherited, state_clock
from itsmctl.model.references import graph_of
from itsmctl.schemas import document_schema
from itsmctl.schemas.build import deref

Lookup = Callable[[str, str], Any]
Transform = Callable[[Any, Lookup], Any]


def _no_lookup(kind: str, name: str) -> Any:
    return None


def _identity(value: Any, lookup: Lookup) -> Any:
    return value


def _reference(target: str, keep: frozenset[str]) -> Transform:
    if target == ANY_DOCUMENT:
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


def _compile(schema: Any, root: dict[str, Any], depth: int = 0) -> Transform:
    """A function that applies defaults below `schema`, and replaces each reference by
    what `lookup(kind, name)` returns for it (None: keep the name); `_identity` where
    there is nothing to do, so that value is shared, not copied."""
    schema, _ = deref(schema, root)
    if not isinstance(schema, dict) or depth > 32:
        return _identity
    target = schema.get("x-reference")
    if isinstance(target, str) and target != PRIORITY_LEVEL:
        return _reference(target, frozenset(schema.get("x-reference-except", ())))
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
    """The compiled walk over one kind's spec schema (built once per process)."""
    schema = document_schema(kind)
    return _compile(schema["properties"]["spec"], schema)


def derived_spec(catalog: Catalog, entity: Entity) -> dict[str, Any]:
    """The entity's spec with its inherited values explicit (a new dict)."""
    spec = dict(entity.spec)
    spec.update(inherited(catalog, entity.kind, entity.spec))
    if entity.kind == WORKFLOW:
        spec["states"] = [{**state, "sla": state_clock(state)} for state in spec["states"]]
    return spec


def resolved_spec(catalog: Catalog, entity: Entity, lookup: Lookup = _no_lookup) -> Any:
    """The entity's spec with inherited values explicit and schema defaults applied; with
    a `lookup`, references replaced by what it returns (policies see whole documents).
    The entity's own data is never changed."""
    return spec_transform(entity.kind)(derived_spec(catalog, entity), lookup)


def resolved_entities(catalog: Catalog) -> dict[str, dict[str, dict[str, Any]]]:
    """Every entity resolved, with the references it writes and receives (the bundle)."""
    graph = graph_of(catalog)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for entity in catalog:
        out.setdefault(entity.kind, {})[entity.name] = {
            "metadata": entity.metadata,
            "spec": resolved_spec(catalog, entity),
            "references": graph.targets(entity.ref),
            "referencedBy": graph.referrers(entity.ref),
            "source": f"{entity.document.path}:{entity.document.line}",
        }
    return out
