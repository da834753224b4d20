"""The Catalog: entities by kind and name, and views derived from them once per run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol, TypeVar

from itsmctl.kinds import PRIORITY_MATRIX
from itsmctl.model.documents import Document, Entity

T = TypeVar("T")
K = TypeVar("K", bound="TypedKind")


class TypedKind(Protocol):
    """A typed form of one kind (itsmctl.model.typed), built from a valid entity."""

    KIND: ClassVar[str]

    @classmethod
    def build(cls: type[K], entity: Entity, catalog: Catalog) -> K: ...


class Catalog:
    def __init__(self) -> None:
        self.entities: dict[str, dict[str, Entity]] = {}
        # documents whose envelope is sound but whose spec failed its schema, by Kind/name:
        # they still resolve by name, and what depends on them is not judged by policy
        self.invalid: dict[str, Document] = {}
        self._memo: dict[str, Any] = {}

    def add(self, entity: Entity) -> None:
        self.entities.setdefault(entity.kind, {})[entity.name] = entity
        self._memo.clear()

    def of_kind(self, kind: str) -> list[Entity]:
        return list(self.entities.get(kind, {}).values())

    def get(self, kind: str, name: Any) -> Entity | None:
        if not isinstance(name, str):
            return None
        return self.entities.get(kind, {}).get(name)

    def __iter__(self) -> Iterator[Entity]:
        for kind in sorted(self.entities):
            yield from (self.entities[kind][n] for n in sorted(self.entities[kind]))

    def __len__(self) -> int:
        return sum(len(v) for v in self.entities.values())

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """A value derived from the whole catalog, computed once (until an entity is added)."""
        if key not in self._memo:
            self._memo[key] = build()
        value: T = self._memo[key]
        return value

    def typed(self, cls: type[K]) -> dict[str, K]:
        """Every entity of `cls.KIND` in its typed form, by name, in document order."""
        return self.memo(f"typed:{cls.KIND}", lambda: {
            e.name: cls.build(e, self) for e in self.of_kind(cls.KIND)})

    def priority_levels(self) -> list[str]:
        matrices = self.of_kind(PRIORITY_MATRIX)
        if len(matrices) != 1:
            return []
        return [level["name"] for level in matrices[0].spec.get("levels", [])]
