"""The documents policies see: schema defaults applied, inherited values made explicit,
and every reference replaced by the whole document it names (envelope included).

Each document is built once and shared, so `entity.spec.sla.spec.calendar` is the same
object wherever it is reached from: no copies, and cycles (a team owning a service that
names that team) cost nothing. Defaults and inherited values are the model's
(itsmctl.model.resolve), the same as the build targets see.

A `Resolver` makes every document's envelope at once and fills in its `spec` on demand:
all of them for `check`, only the few a pull request's changes can reach when the base is
judged after the head (whose documents it takes over where they cannot differ).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from itsmctl.kinds import split_ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Entity
from itsmctl.model.references import Referrers, graph_of
from itsmctl.model.resolve import resolved_spec

Documents = dict[str, dict[str, dict[str, Any]]]


class ReferringDocuments(Mapping[str, list[dict[str, Any]]]):
    """For each document, the documents naming it (by writing or inheriting a reference),
    sorted; built per document when a policy asks (`referenced_by`)."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._found: dict[str, list[dict[str, Any]]] = {}

    def __getitem__(self, target: str) -> list[dict[str, Any]]:
        if target not in self._found:
            resolver = self._resolver
            self._found[target] = [resolver.documents[kind][name] for kind, name in
                                   map(split_ref, resolver.referrers_of(target))
                                   if name in resolver.documents.get(kind, {})]
        return self._found[target]

    def __iter__(self) -> Iterator[str]:
        return iter(e.ref for e in self._resolver.catalog)

    def __len__(self) -> int:
        return len(self._resolver.catalog)


class Resolver:
    """The resolved documents of a catalog. With `reuse` (another version's documents and
    a function giving the entities that resolve the same in both), those entities' specs
    are taken over instead of built again."""

    def __init__(self, catalog: Catalog, reuse: tuple[Documents, Any] | None = None,
                 referrers: Referrers | None = None) -> None:
        self.catalog = catalog
        graph = graph_of(catalog)
        # who names a document (derived references too): the graph's own index, or what a
        # comparison with another version gives without building it (Difference)
        self.referrers_of: Referrers = referrers or (
            lambda target: graph.referrers(target, derived=True))
        self.documents: Documents = {}
        self.referrers = ReferringDocuments(self)
        self._reuse = reuse
        self._filled: set[str] = set()
        self._complete = False
        self._around: dict[tuple[str, bool], int | None] = {}  # filled so far, by start
        self._closed: set[str] = set()  # documents filled with everything they reach
        for entity in catalog:
            self.documents.setdefault(entity.kind, {})[entity.name] = {
                "apiVersion": entity.document.data.get("apiVersion"), "kind": entity.kind,
                "metadata": entity.metadata, "spec": None}

    def _lookup(self, kind: str, name: str) -> Any:
        return self.documents.get(kind, {}).get(name)

    def _fill(self, entity: Entity, same: frozenset[str] = frozenset()) -> None:
        if entity.ref in self._filled:
            return
        self._filled.add(entity.ref)
        document = self.documents[entity.kind][entity.name]
        if self._reuse is not None and entity.ref in same:
            document["spec"] = self._reuse[0][entity.kind][entity.name]["spec"]
        else:
            document["spec"] = resolved_spec(self.catalog, entity, self._lookup)

    def everything(self) -> Documents:
        """Every document complete."""
        if not self._complete:
            same = self._reuse[1]() if self._reuse is not None else frozenset()
            for entity in self.catalog:
                self._fill(entity, same)
            self._complete = True
        return self.documents

    def around(self, ref: str, depth: int | None, both_ways: bool = False) -> None:
        """Fill the documents within `depth` references of `ref` (None: all it reaches),
        following references backwards too when `both_ways`."""
        if self._complete:
            return
        key = (ref, both_ways)
        done = self._around.get(key, -1)
        if ref in self._closed or done is None or (depth is not None and depth <= done):
            return
        self._around[key] = depth
        graph = graph_of(self.catalog)
        frontier, seen, hops = [ref], {ref}, 0
        while frontier:
            following = []
            for current in frontier:
                kind, name = split_ref(current)
                entity = self.catalog.get(kind, name)
                if entity is not None:
                    self._fill(entity)
                if (depth is not None and hops >= depth) or \
                        (current in self._closed and not both_ways):
                    continue
                near = graph.targets(current, derived=True)
                if both_ways:
                    near = [*near, *self.referrers_of(current)]
                for other in near:
                    if other not in seen:
                        seen.add(other)
                        following.append(other)
            frontier = following
            hops += 1
        if depth is None and not both_ways:
            self._closed |= seen  # all each of them reaches is filled too

