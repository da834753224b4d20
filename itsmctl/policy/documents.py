"""The documents policies see: schema defaults applied, derived values made explicit,
and every reference replaced by the whole document it names (envelope included).

Each document is built once and shared, so `entity.spec.sla.spec.calendar` is the same
object wherever it is reached from: no copies, and cycles (a team owning a service that
names that team) cost nothing. Defaults and derived values are resolve.py's, the same as
the build targets see.
"""

from __future__ import annotations

from typing import Any

from itsmctl.model import Catalog
from itsmctl.resolve import resolved_spec

Documents = dict[str, dict[str, dict[str, Any]]]


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
        source, current = entity.ref, docs[entity.kind][entity.name]
        current["spec"] = resolved_spec(catalog, entity, lookup)
    index = {ref: [by[k] for k in sorted(by)] for ref, by in referenced_by.items()}
    return docs, index
