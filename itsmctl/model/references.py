"""References between documents, found from the schemas' `x-reference` annotations, and
the one reference graph: the references each document makes and receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from itsmctl.kinds import ANY_DOCUMENT, PRIORITY_LEVEL, ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Entity
from itsmctl.model.inherit import inherited
from itsmctl.schemas import document_schema
from itsmctl.text import FieldPath

ITEM, VALUES, KEYS = "[]", "{}", "{keys}"


@dataclass(frozen=True)
class RefField:
    """A place in a kind's documents that names another document."""

    pattern: tuple[str, ...]  # field names, ITEM (each list item), VALUES, KEYS
    target: str  # a kind, PRIORITY_LEVEL, or ANY_DOCUMENT for Kind/name strings
    except_values: frozenset[str] = frozenset()


def _walk(schema: Any, pattern: tuple[str, ...], out: list[RefField]) -> None:
    if not isinstance(schema, dict):
        return
    if "x-reference" in schema:
        out.append(RefField(pattern, schema["x-reference"],
                            frozenset(schema.get("x-reference-except", ()))))
    for name, sub in schema.get("properties", {}).items():
        _walk(sub, (*pattern, name), out)
    if isinstance(schema.get("items"), dict):
        _walk(schema["items"], (*pattern, ITEM), out)
    if isinstance(schema.get("additionalProperties"), dict):
        _walk(schema["additionalProperties"], (*pattern, VALUES), out)
    names = schema.get("propertyNames")
    if isinstance(names, dict) and "x-reference" in names:
        out.append(RefField((*pattern, KEYS), names["x-reference"]))


@cache
def ref_fields(kind: str) -> tuple[RefField, ...]:
    schema = document_schema(kind)
    out: list[RefField] = []
    _walk(schema["properties"]["spec"], ("spec",), out)
    return tuple(out)


class Reference(NamedTuple):
    """One value that names something: a document, a priority level, or Kind/name."""

    path: FieldPath
    kind: str  # the kind it names, PRIORITY_LEVEL or ANY_DOCUMENT
    value: Any
    is_key: bool = False
    derived: bool = False  # inherited (itsmctl.model.inherit), not written

    @property
    def target(self) -> str | None:
        """'Kind/name' of the document it names; None for a priority level."""
        if self.kind == PRIORITY_LEVEL:
            return None
        if self.kind == ANY_DOCUMENT:
            return str(self.value)
        return ref(self.kind, str(self.value))


Emit = Callable[[Any, FieldPath, list[Reference], bool], None]


def _emitter(pattern: tuple[str, ...], target: str, exclude: frozenset[str]) -> Emit:
    """A function appending a Reference for every value `pattern` reaches (compiled once
    per kind: a walk of plain loops and lookups, no generators)."""
    if not pattern:
        def leaf(data: Any, path: FieldPath, out: list[Reference], derived: bool) -> None:
            if not (isinstance(data, str) and data in exclude):
                out.append(Reference(path, target, data, False, derived))
        return leaf
    step, inner = pattern[0], _emitter(pattern[1:], target, exclude)
    if step == ITEM:
        def items(data: Any, path: FieldPath, out: list[Reference], derived: bool) -> None:
            if isinstance(data, list):
                for index, item in enumerate(data):
                    inner(item, (*path, index), out, derived)
        return items
    if step == VALUES:
        def values(data: Any, path: FieldPath, out: list[Reference], derived: bool) -> None:
            if isinstance(data, dict):
                for key, value in data.items():
                    inner(value, (*path, key), out, derived)
        return values
    if step == KEYS:
        def keys(data: Any, path: FieldPath, out: list[Reference], derived: bool) -> None:
            if isinstance(data, dict):
                for key in data:
                    out.append(Reference((*path, key), target, key, True, derived))
        return keys

    def field(data: Any, path: FieldPath, out: list[Reference], derived: bool) -> None:
        if isinstance(data, dict) and step in data:
            inner(data[step], (*path, step), out, derived)
    return field


@cache
def _emitters(kind: str) -> tuple[Emit, ...]:
    return tuple(_emitter(f.pattern[1:], f.target, f.except_values) for f in ref_fields(kind))


def _found(spec: dict[str, Any], kind: str, derived: bool) -> list[Reference]:
    out: list[Reference] = []
    for emit in _emitters(kind):
        emit(spec, ("spec",), out, derived)
    return out


def references(entity: Entity) -> list[Reference]:
    """Every reference an entity writes, in document order."""
    return _found(entity.spec, entity.kind, False)


def written_references(kind: str, spec: Any) -> list[Reference]:
    """The references a document of `kind` writes, whatever shape its spec has (for a
    document that failed its schema: only the values where references belong)."""
    return _found(spec, kind, False) if isinstance(spec, dict) else []


class ReferenceGraph:
    """Who names whom: the references each document writes and (marked `derived`) the
    ones it inherits, and for each document the documents naming it. What a command does
    not ask for is not computed: `check` needs the written references only."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.written: dict[str, list[Reference]] = {
            entity.ref: references(entity) for entity in catalog}
        self._inherited: dict[str, list[Reference]] | None = None
        self._received: dict[bool, dict[str, list[str]]] = {}

    def inherited(self) -> dict[str, list[Reference]]:
        if self._inherited is None:
            catalog = self._catalog
            self._inherited = {}
            for entity in catalog:
                extra = inherited(catalog, entity.kind, entity.spec)
                if extra:
                    self._inherited[entity.ref] = _found(extra, entity.kind, True)
        return self._inherited

    def made(self, source: str, derived: bool = False) -> list[Reference]:
        """The references `source` writes (with `derived`, and those it inherits)."""
        written = self.written.get(source, [])
        return written + self.inherited().get(source, []) if derived else written

    def targets(self, source: str, derived: bool = False) -> list[str]:
        """The documents `source` names, sorted (with `derived`: inherited ones too)."""
        return sorted({r.target for r in self.made(source, derived) if r.target is not None})

    def referrers(self, target: str, derived: bool = False) -> list[str]:
        """The documents naming `target`, sorted (with `derived`: by inheritance too)."""
        if derived not in self._received:
            index: dict[str, set[str]] = {}
            for source in self.written:
                for reference in self.made(source, derived):
                    if reference.target is not None:
                        index.setdefault(reference.target, set()).add(source)
            self._received[derived] = {t: sorted(s) for t, s in index.items()}
        return self._received[derived].get(target, [])


def graph_of(catalog: Catalog) -> ReferenceGraph:
    """The catalog's reference graph, built once."""
    return catalog.memo("references", lambda: ReferenceGraph(catalog))
