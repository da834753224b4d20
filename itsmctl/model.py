"""Documents (what was read, and where) and the Catalog of entities built from them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import Node

from itsmctl.diagnostics import Diagnostic, Severity
from itsmctl.rules import rule as lookup_rule
from itsmctl.yamlio import JsonPath, compose_all, find_node, node_position


class SourceFile:
    """A file's text; its YAML nodes are composed again only when a position is needed."""

    __slots__ = ("_nodes", "_positions", "path", "text")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._nodes: list[Node] | None = None
        self._positions: list[Node] | None = None

    def nodes(self) -> list[Node]:
        """The documents' nodes with their YAML tags (for hints about how YAML read them)."""
        if self._nodes is None:
            self._nodes = compose_all(self.text)[0]
        return self._nodes

    def position_nodes(self) -> list[Node]:
        """The same nodes, cheaper: for line:col lookups only."""
        if self._nodes is not None:
            return self._nodes
        if self._positions is None:
            self._positions = compose_all(self.text, positions_only=True)[0]
        return self._positions


def json_path(path: Sequence[str | int]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@dataclass
class Document:
    file: SourceFile
    index: int
    data: Any
    line: int
    column: int

    @property
    def path(self) -> str:
        return self.file.path

    def locate(self, path: Sequence[str | int] = (), key: bool = False) -> tuple[int, int]:
        """1-based line:col of the value (or key) at a JSON path inside this document."""
        if not path:
            return self.line, self.column
        nodes = self.file.position_nodes()
        if self.index >= len(nodes):
            return self.line, self.column
        return node_position(find_node(nodes[self.index], path, key=key))

    def diagnostic(self, rule: str, message: str, path: Sequence[str | int] = (),
                   key: bool = False, severity: Severity | None = None) -> Diagnostic:
        line, column = self.locate(path, key)
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        metadata = self.data.get("metadata") if isinstance(self.data, dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
        return Diagnostic(
            path=self.path, line=line, column=column, rule=rule, message=message,
            severity=severity or lookup_rule(rule).severity,
            kind=kind if isinstance(kind, str) else None,
            name=name if isinstance(name, str) else None,
            json_path=json_path(path) if path else None,
        )


@dataclass
class Entity:
    """A document that passed its schema: the unit every later stage works on."""

    kind: str
    name: str
    document: Document
    metadata: dict[str, Any]
    spec: dict[str, Any]

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or self.name)

    def diagnostic(self, rule: str, message: str, path: JsonPath = (), key: bool = False,
                   severity: Severity | None = None) -> Diagnostic:
        return self.document.diagnostic(rule, message, path, key, severity)


@dataclass
class Catalog:
    entities: dict[str, dict[str, Entity]] = field(default_factory=dict)

    def add(self, entity: Entity) -> None:
        self.entities.setdefault(entity.kind, {})[entity.name] = entity

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

    def priority_levels(self) -> list[str]:
        matrices = self.of_kind("PriorityMatrix")
        if len(matrices) != 1:
            return []
        return [level["name"] for level in matrices[0].spec.get("levels", [])]
