"""The documents policies see: defaults applied, and every reference replaced by the
whole document it names (envelope included).

Each document is built once and shared, so `entity.spec.sla.spec.calendar` is the same
object wherever it is reached from: no copies, and cycles (a team owning a service that
names that team) cost nothing.
"""

from __future__ import annotations

from typing import Any

from itsmctl.model import Catalog
from itsmctl.resolve import apply_defaults, derive
from itsmctl.schemas import document_schema
from itsmctl.validate.references import KEYS, PRIORITY_LEVEL, ref_fields, values_at

Documents = dict[str, dict[str, dict[str, Any]]]


def _set(root: Any, path: tuple[str | int, ...], value: Any) -> None:
    for step in path[:-1]:
        root = root[step]
    root[path[-1]] = value


def resolved_documents(catalog: Catalog) -> tuple[Documents, dict[str, list[dict[str, Any]]]]:
    """Every entity as a resolved document by kind and name, and who references whom."""
    docs: Documents = {}
    for entity in catalog:
        schema = document_schema(entity.kind)
        spec = apply_defaults(entity.spec, schema["properties"]["spec"], schema)
        derive(catalog, entity, spec)
        docs.setdefault(entity.kind, {})[entity.name] = {
            "apiVersion": entity.document.data.get("apiVersion"), "kind": entity.kind,
            "metadata": entity.metadata, "spec": spec,
        }
    referenced_by: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, by_name in docs.items():
        fields = [f for f in ref_fields(kind) if f.target != PRIORITY_LEVEL
                  and f.pattern[-1] != KEYS]
        for name, doc in by_name.items():
            for field in fields:
                for path, value, _is_key in list(values_at(doc, field.pattern)):
                    if not isinstance(value, str) or value in field.except_values:
                        continue
                    target_kind, _, target_name = (value.partition("/") if field.target == "*"
                                                   else (field.target, "/", value))
                    target = docs.get(target_kind, {}).get(target_name)
                    if target is not None:
                        _set(doc, path, target)
                        referenced_by.setdefault(f"{target_kind}/{target_name}", {})[
                            f"{kind}/{name}"] = doc
    index = {ref: [by[k] for k in sorted(by)] for ref, by in referenced_by.items()}
    return docs, index
