"""The resolved catalog: schema defaults applied, inherited values made explicit,
references listed both ways. What build targets and reports start from."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

from itsmctl.model import Catalog, Entity
from itsmctl.schemas import document_schema
from itsmctl.schemas.build import deref
from itsmctl.validate.references import references

_STATE_CLOCK = {"pending": "paused", "resolved": "stopped", "closed": "stopped",
                "cancelled": "stopped"}


Lookup = Callable[[str, str], Any]
Transform = Callable[[Any, Lookup], Any]


def _no_lookup(kind: str, name: str) -> Any:
    return None


def _identity(value: Any, lookup: Lookup) -> Any:
    return value


def _compile(schema: Any, root: dict[str, Any], depth: int = 0) -> Transform:
    """A function that applies defaults below `schema`, and replaces each reference by
    what `lookup(kind, name)` returns for it (None: keep the name); `_identity` where
    there is nothing to do, so that value is shared, not copied."""
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
    """The compiled walk over one kind's spec schema (built once per process)."""
    schema = document_schema(kind)
    return _compile(schema["properties"]["spec"], schema)


def resolved_spec(catalog: Catalog, entity: Entity, lookup: Lookup = _no_lookup) -> Any:
    """The entity's spec with derived values explicit and schema defaults applied; with a
    `lookup`, references replaced by what it returns (policies see whole documents).
    The entity's own data is never changed."""
    spec = dict(entity.spec)
    derive(catalog, entity, spec)  # derived values are references too: transform after
    return spec_transform(entity.kind)(spec, lookup)


def _inherited_group(catalog: Catalog, category: Entity) -> str | None:
    seen = set()
    current: Entity | None = category
    while current is not None and current.name not in seen:
        seen.add(current.name)
        if "assignmentGroup" in current.spec:
            return str(current.spec["assignmentGroup"])
        current = catalog.get("Category", current.spec.get("parent"))
    return None


def derive(catalog: Catalog, entity: Entity, spec: dict[str, Any]) -> None:
    """Values that default to another document's (documented in the schemas)."""
    if entity.kind == "Service":
        spec.setdefault("supportGroup", spec["owner"])
    elif entity.kind == "CatalogItem":
        service = catalog.get("Service", spec["service"])
        if service is not None:
            for field, source in (("sla", "sla"),
                                  ("fulfillmentGroup", "supportGroup"), ("workflow", None)):
                value = (service.spec.get("workflows", {}).get("request") if source is None
                         else service.spec.get(source) or service.spec.get("owner"))
                if value is not None and field not in spec:
                    spec[field] = value
    elif entity.kind == "Category":
        group = _inherited_group(catalog, entity)
        if group is not None:
            spec["assignmentGroup"] = group
    elif entity.kind == "Workflow":
        spec["states"] = [{**state, "sla": state.get("sla", _STATE_CLOCK.get(state["category"],
                                                                              "running"))}
                          for state in spec["states"]]


def resolved_entities(catalog: Catalog) -> dict[str, dict[str, dict[str, Any]]]:
    referenced_by: dict[str, set[str]] = {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    refs_of: dict[str, list[str]] = {}
    for entity in catalog:
        targets = set()
        for _path, target, value, _is_key in references(entity):
            if target == "*":
                targets.add(str(value))
            elif target != "PriorityLevel":
                targets.add(f"{target}/{value}")
        refs_of[entity.ref] = sorted(targets)
        for target in targets:
            referenced_by.setdefault(target, set()).add(entity.ref)
    for entity in catalog:
        out.setdefault(entity.kind, {})[entity.name] = {
            "metadata": entity.metadata,
            "spec": resolved_spec(catalog, entity),
            "references": refs_of[entity.ref],
            "referencedBy": sorted(referenced_by.get(entity.ref, ())),
            "source": f"{entity.document.path}:{entity.document.line}",
        }
    return out
