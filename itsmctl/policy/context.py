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
        self._same: frozenset[str] | None = None  # what is taken over from `reuse`
        # (document, both ways) -> how many references around it are filled (None: all)
        self._radius: dict[tuple[str, bool], int | None] = {}
        for entity in catalog:
            self.documents.setdefault(entity.kind, {})[entity.name] = {
                "apiVersion": entity.document.data.get("apiVersion"), "kind": entity.kind,
                "metadata": entity.metadata, "spec": None}

    def _lookup(self, kind: str, name: str) -> Any:
        return self.documents.get(kind, {}).get(name)

    def _fill(self, entity: Entity) -> None:
        if entity.ref in self._filled:
            return
        self._filled.add(entity.ref)
        document = self.documents[entity.kind][entity.name]
        if self._reuse is not None and entity.ref in self._taken_over():
            document["spec"] = self._reuse[0][entity.kind][entity.name]["spec"]
        else:
            document["spec"] = resolved_spec(self.catalog, entity, self._lookup)

    def _taken_over(self) -> frozenset[str]:
        if self._same is None:
            self._same = self._reuse[1]() if self._reuse is not None else frozenset()
        return self._same

    def everything(self) -> Documents:
        """Every document complete."""
        if not self._complete:
            for entity in self.catalog:
                self._fill(entity)
            self._complete = True
        return self.documents

    def _covered(self, ref: str, radius: int | None, both_ways: bool) -> bool:
        """Whether all within `radius` references of `ref` is filled already (following
        references backwards too when `both_ways`)."""
        for way in ((True, False) if not both_ways else (True,)):
            done = self._radius.get((ref, way), -1)
            if done is None or (radius is not None and radius <= done):
                return True
        return False

    def around(self, ref: str, depth: int | None, both_ways: bool = False) -> None:
        """Fill the documents within `depth` references of `ref` (None: all it reaches),
        following references backwards too when `both_ways`. A document reached with
        what is around it filled already (within as many references as are left) is not
        walked through again: the policies of a pull request's base ask about many
        neighbours of the few documents it changes."""
        if self._complete or self._covered(ref, depth, both_ways):
            return
        graph = graph_of(self.catalog)
        frontier, seen, hops = [ref], {ref}, 0
        walked: list[tuple[str, int | None]] = []  # recorded once all is filled
        while frontier:
            following = []
            for current in frontier:
                kind, name = split_ref(current)
                entity = self.catalog.get(kind, name)
                if entity is not None:
                    self._fill(entity)
                left = None if depth is None else depth - hops
                if left == 0 or self._covered(current, left, both_ways):
                    continue
                walked.append((current, left))
                near = graph.targets(current, derived=True)
                if both_ways:
                    near = [*near, *self.referrers_of(current)]
                for other in near:
                    if other not in seen:
                        seen.add(other)
                        following.append(other)
            frontier = following
            hops += 1
        for current, left in walked:
            self._radius[(current, both_ways)] = left
