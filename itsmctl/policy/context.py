"""The documents policies see: schema defaults applied, inherited values made explicit,
and every reference replaced by the whole document it names (envelope included).

Each document is built once and shared, so `entity.spec.sla.spec.calendar` is the same
object wherever it is reached from: no copies, and cycles (a team owning a service that
names that team) cost nothing. Defaults and inherited values are the model's
(itsmctl.model.resolve), the same as the build targets see.
"""

from __future__ import annotations

from typing import Any

from itsmctl.kinds import split_ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.references import graph_of
from itsmctl.model.resolve import resolved_spec

Documents = dict[str, dict[str, dict[str, Any]]]


def resolved_documents(catalog: Catalog, reuse: tuple[Documents, frozenset[str]] | None = None
                       ) -> tuple[Documents, dict[str, list[dict[str, Any]]]]:
    """Every entity as a resolved document by kind and name, and for each document the
    documents naming it (by writing or inheriting a reference), sorted. With `reuse`
    (another version's documents, and the entities that resolve the same in both), those
    entities' documents are taken over instead of built again."""
    docs: Documents = {}
    built = []
    for entity in catalog:
        shared = reuse[0].get(entity.kind, {}).get(entity.name) \
            if reuse is not None and entity.ref in reuse[1] else None
        if shared is None:
            shared = {"apiVersion": entity.document.data.get("apiVersion"), "kind": entity.kind,
                      "metadata": entity.metadata, "spec": None}
            built.append(entity)
        docs.setdefault(entity.kind, {})[entity.name] = shared

    def lookup(kind: str, name: str) -> Any:
        return docs.get(kind, {}).get(name)

    for entity in built:
        docs[entity.kind][entity.name]["spec"] = resolved_spec(catalog, entity, lookup)
    graph = graph_of(catalog)
    index: dict[str, list[dict[str, Any]]] = {}
    for entity in catalog:
        referrers = graph.referrers(entity.ref, derived=True)
        if referrers:
            index[entity.ref] = [docs[kind][name]
                                 for kind, name in map(split_ref, referrers)]
    return docs, index
