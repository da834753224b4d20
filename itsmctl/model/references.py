"""References between documents, found from the schemas' `x-reference` annotations, and
the one reference graph: the references each document makes and receives."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from itsmctl.kinds import ANY_DOCUMENT, PRIORITY_LEVEL, ref, split_ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Entity
from itsmctl.model.inherit import INHERITED, inherited
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
    """Every reference an entity writes, in document order (computed once per entity)."""
    found: list[Reference] | None = entity.memo.get("references")
    if found is None:
        found = entity.memo["references"] = _found(entity.spec, entity.kind, False)
    return found


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
        self._inherited: dict[str, list[Reference]] = {}  # by document, as asked for
        self._all_inherited = False
        self._received: dict[bool, dict[str, list[str]]] = {}
        self._targets: dict[tuple[str, bool], list[str]] = {}

    def _inherited_by(self, source: str) -> list[Reference]:
        found = self._inherited.get(source)
        if found is None:
            kind, name = split_ref(source)
            entity = self._catalog.get(kind, name)
            extra = inherited(self._catalog, kind, entity.spec) if entity is not None else {}
            found = self._inherited[source] = _found(extra, kind, True) if extra else []
        return found

    def inherited(self) -> dict[str, list[Reference]]:
        """The references each document inherits (those that inherit any)."""
        if not self._all_inherited:
            for source in self.written:
                self._inherited_by(source)
            self._all_inherited = True
        return {source: found for source, found in self._inherited.items() if found}

    def made(self, source: str, derived: bool = False) -> list[Reference]:
        """The references `source` writes (with `derived`, and those it inherits)."""
        written = self.written.get(source, [])
        return written + self._inherited_by(source) if derived else written

    def targets(self, source: str, derived: bool = False) -> list[str]:
        """The documents `source` names, sorted (with `derived`: inherited ones too)."""
        key = (source, derived)
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = sorted(
                {r.target for r in self.made(source, derived) if r.target is not None})
        return found

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


Referrers = Callable[[str], Sequence[str]]  # a document -> those naming it, sorted


def dependants(referrers: Referrers, changed: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Every document that reaches one of `changed` through references (inherited ones
    included; `referrers` says who names whom), and the path it was reached by: the
    changed document first, then each document in between (breadth first, so a shortest
    path; ties go to the first in sorted order). The changed documents are not listed."""
    start = sorted(set(changed))
    via: dict[str, tuple[str, ...]] = {}
    seen = set(start)
    frontier: list[tuple[str, tuple[str, ...]]] = [(ref, (ref,)) for ref in start]
    while frontier:
        following: list[tuple[str, tuple[str, ...]]] = []
        for target, path in frontier:
            for referrer in referrers(target):
                if referrer not in seen:
                    seen.add(referrer)
                    via[referrer] = path
                    following.append((referrer, (*path, referrer)))
        frontier = following
    return via


def _distances(referrers: Referrers, targets: Callable[[str], Iterable[str]],
               sources: frozenset[str], both_ways: bool, radius: int | None
               ) -> dict[str, int]:
    """For every document within `radius` references of one of `sources` (naming it,
    directly or through others; with `both_ways`, also named by it): the fewest references
    it takes."""
    distance = dict.fromkeys(sources, 0)
    frontier = sorted(sources)
    hops = 0
    while frontier and (radius is None or hops < radius):
        hops += 1
        following = []
        for target in frontier:
            near = list(referrers(target))
            if both_ways:
                near += targets(target)
            for other in near:
                if other not in distance:
                    distance[other] = hops
                    following.append(other)
        frontier = following
    return distance


_FAR = 1 << 30


def _envelope(entity: Entity) -> dict[str, Any]:
    """A document's fields besides its metadata and spec (apiVersion, kind)."""
    return {k: v for k, v in entity.document.data.items() if k not in ("metadata", "spec")}


class Difference:
    """What differs between two versions of a catalog whose loads share the Entity objects
    of identical documents (itsmctl.load.ParseCache), and how far each entity is from it,
    in references (inherited ones included)."""

    def __init__(self, before: Catalog, after: Catalog) -> None:
        self.graphs = [graph_of(before), graph_of(after)]
        shared, spec, metadata, appeared, envelope = set(), set(), set(), set(), set()
        for entity in before:
            twin = after.get(entity.kind, entity.name)
            if twin is None:
                appeared.add(entity.ref)
                continue
            if twin is entity:
                shared.add(entity.ref)
            else:
                if twin.metadata != entity.metadata:
                    metadata.add(entity.ref)
                if twin.spec != entity.spec:
                    spec.add(entity.ref)
                if _envelope(twin) != _envelope(entity):
                    envelope.add(entity.ref)
            if entity.kind in INHERITED and inherited(before, entity.kind, entity.spec) \
                    != inherited(after, twin.kind, twin.spec):
                spec.add(entity.ref)
        appeared.update(e.ref for e in after if before.get(e.kind, e.name) is None)
        self.shared = frozenset(shared - spec)  # the same, and so is what it inherits
        self.spec_changed, self.metadata_changed = frozenset(spec), frozenset(metadata)
        # in both versions with the same envelope (apiVersion), but not the same: what
        # differs is their spec (or what it inherits), their metadata, or only their text
        self.rewritten = frozenset(e.ref for e in before if e.ref not in appeared
                                   and e.ref not in self.shared and e.ref not in envelope)
        self.appeared = frozenset(appeared)
        # Who names whom in `after`, from `before`'s index: only the documents that are not
        # the same (with the same inherited values) name other documents than they did.
        self._before, self._after = self.graphs
        self._named_after: dict[str, set[str]] = {}
        for entity in after:
            if entity.ref not in self.shared:
                for target in self._after.targets(entity.ref, True):
                    self._named_after.setdefault(target, set()).add(entity.ref)
        self._cache: dict[tuple[str, bool], list[str]] = {}
        self._distances: dict[tuple[frozenset[str], bool], tuple[int | None,
                                                                  dict[str, int]]] = {}
        self._resolve_same: frozenset[str] | None = None
        self._differing: dict[tuple[int, frozenset[str], bool], frozenset[str]] = {}

    def referrers_after(self, target: str) -> list[str]:
        """Who names `target` in the second version (written or inherited references)."""
        key = (target, False)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = sorted(
                {r for r in self._before.referrers(target, True) if r in self.shared}
                | self._named_after.get(target, set()))
        return found

    def referrers_either(self, target: str) -> list[str]:
        """Who names `target` in either version."""
        key = (target, True)
        found = self._cache.get(key)
        if found is None:
            before = self._before.referrers(target, True)
            extra = self._named_after.get(target)
            found = self._cache[key] = sorted(set(before) | extra) if extra else before
        return found

    def _targets_either(self, source: str) -> set[str]:
        """Unordered: distances do not depend on the order neighbours are visited in."""
        return {*self._before.targets(source, True), *self._after.targets(source, True)}

    def _distance(self, sources: frozenset[str], both_ways: bool, radius: int | None
                  ) -> dict[str, int]:
        known = self._distances.get((sources, both_ways))
        if known is None or (known[0] is not None and (radius is None or radius > known[0])):
            known = (radius, _distances(self.referrers_either, self._targets_either, sources,
                                        both_ways, radius))
            self._distances[(sources, both_ways)] = known
        return known[1]

    def differing_within(self, depth: int, keys: frozenset[str], both_ways: bool
                         ) -> frozenset[str]:
        """The entities for which an expression reading `keys` (spec, metadata) of the
        documents within `depth` references (`both_ways`: of those naming them too) may
        find something different: any not the same object in both versions, any with such
        a document that differs within `depth`, or one named at `depth + 1` that exists in
        only one version. Every other entity reads the same in both."""
        key = (depth, keys, both_ways)
        found = self._differing.get(key)
        if found is not None:
            return found
        content = (self.spec_changed if "spec" in keys or both_ways else frozenset()) | \
            (self.metadata_changed if "metadata" in keys else frozenset())
        # a neighbour that names other documents changes who names them: one more step
        limit = depth + 1 if both_ways else depth
        near = {r for r, d in self._distance(content, both_ways, depth + 2).items()
                if d <= limit} if content else set()
        near |= {r for r, d in self._distance(self.appeared, both_ways, depth + 2).items()
                 if d <= depth + 1} if self.appeared else set()
        found = self._differing[key] = frozenset(near)
        return found

    def resolve_same(self) -> frozenset[str]:
        """The entities whose resolved documents are the same in both versions: the same
        object, reaching nothing that differs."""
        if self._resolve_same is None:
            differ = self.spec_changed | self.metadata_changed | self.appeared
            reached = self._distance(differ, False, None)
            self._resolve_same = frozenset(r for r in self.shared if r not in reached)
        return self._resolve_same
