"""The resolved catalog: schema defaults applied, inherited values made explicit,
references listed both ways. What build targets and reports start from."""

from __future__ import annotations

import copy
from typing import Any

from itsmctl.model import Catalog, Entity
from itsmctl.schemas import document_schema
from itsmctl.schemas.build import deref
from itsmctl.validate.references import references

_STATE_CLOCK = {"pending": "paused", "resolved": "stopped", "closed": "stopped",
                "cancelled": "stopped"}


def apply_defaults(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> Any:
    schema, _ = deref(schema, root)
    if isinstance(value, dict) and "properties" in schema:
        out = {}
        for key, sub in schema["properties"].items():
            if key in value:
                out[key] = apply_defaults(value[key], sub, root)
                continue
            field, _ = deref(sub, root)
            if "default" in field:
                out[key] = copy.deepcopy(field["default"])
        for key in value:
            out.setdefault(key, value[key])
        return out
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        return {k: apply_defaults(v, schema["additionalProperties"], root)
                for k, v in value.items()}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(v, schema["items"], root) for v in value]
    return value


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
        schema = document_schema(entity.kind)
        spec = apply_defaults(entity.spec, schema["properties"]["spec"], schema)
        derive(catalog, entity, spec)
        out.setdefault(entity.kind, {})[entity.name] = {
            "metadata": entity.metadata,
            "spec": spec,
            "references": refs_of[entity.ref],
            "referencedBy": sorted(referenced_by.get(entity.ref, ())),
            "source": f"{entity.document.path}:{entity.document.line}",
        }
    return out
