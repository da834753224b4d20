"""Documents (what was read, and where) and Entities (documents that passed their schema)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from yaml.nodes import Node

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.kinds import ref
from itsmctl.text import FieldPath, json_path
from itsmctl.yamlio import compose_all, find_node, node_position


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

    def identity(self) -> tuple[str | None, str | None]:
        """(kind, name) as far as the envelope gives them."""
        data = self.data if isinstance(self.data, dict) else {}
        kind, metadata = data.get("kind"), data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        return (kind if isinstance(kind, str) else None, name if isinstance(name, str) else None)

    def diagnostic(self, rule: Rule, message: str, path: Sequence[str | int] = (),
                   key: bool = False, severity: Severity | None = None) -> Diagnostic:
        line, column = self.locate(path, key)
        kind, name = self.identity()
        return Diagnostic(
            path=self.path, line=line, column=column, rule=rule.id, message=message,
            severity=severity or rule.severity, kind=kind, name=name,
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
    # what is derived from this entity alone (its references), computed once even when two
    # catalogs share the entity (a pull request's base and head)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def ref(self) -> str:
        return ref(self.kind, self.name)

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or self.name)

    def diagnostic(self, rule: Rule, message: str, path: FieldPath = (), key: bool = False,
                   severity: Severity | None = None) -> Diagnostic:
        return self.document.diagnostic(rule, message, path, key, severity)
