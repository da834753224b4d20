"""References between documents, found from the schemas' `x-reference` annotations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Catalog, Entity
from itsmctl.schemas import document_schema
from itsmctl.validate.schema import did_you_mean

ITEM, VALUES, KEYS = "[]", "{}", "{keys}"
PRIORITY_LEVEL = "PriorityLevel"


@dataclass(frozen=True)
class RefField:
    """A place in a kind's documents that names another document."""

    pattern: tuple[str, ...]  # field names, ITEM (each list item), VALUES, KEYS
    target: str  # a kind, PRIORITY_LEVEL, or "*" for Kind/name strings
    except_values: frozenset[str] = frozenset()


def _walk(schema: Any, root: dict[str, Any], pattern: tuple[str, ...],
          out: list[RefField]) -> None:
    if not isinstance(schema, dict):
        return
    if "x-reference" in schema:
        out.append(RefField(pattern, schema["x-reference"],
                            frozenset(schema.get("x-reference-except", ()))))
    for name, sub in schema.get("properties", {}).items():
        _walk(sub, root, (*pattern, name), out)
    if isinstance(schema.get("items"), dict):
        _walk(schema["items"], root, (*pattern, ITEM), out)
    if isinstance(schema.get("additionalProperties"), dict):
        _walk(schema["additionalProperties"], root, (*pattern, VALUES), out)
    names = schema.get("propertyNames")
    if isinstance(names, dict) and "x-reference" in names:
        out.append(RefField((*pattern, KEYS), names["x-reference"]))


@cache
def ref_fields(kind: str) -> tuple[RefField, ...]:
    schema = document_schema(kind)
    out: list[RefField] = []
    _walk(schema["properties"]["spec"], schema, ("spec",), out)
    return tuple(out)


Path = tuple[str | int, ...]


def values_at(data: Any, pattern: tuple[str, ...],
              prefix: Path = ()) -> Iterator[tuple[Path, Any, bool]]:
    """(path, value, is_key) for every value a pattern reaches in a document."""
    if not pattern:
        yield prefix, data, False
        return
    step, rest = pattern[0], pattern[1:]
    if step == ITEM:
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from values_at(item, rest, (*prefix, index))
    elif step == VALUES:
        if isinstance(data, dict):
            for key, value in data.items():
                yield from values_at(value, rest, (*prefix, key))
    elif step == KEYS:
        if isinstance(data, dict):
            for key in data:
                yield (*prefix, key), key, True
    elif isinstance(data, dict) and step in data:
        yield from values_at(data[step], rest, (*prefix, step))


def references(entity: Entity) -> Iterator[tuple[tuple[str | int, ...], str, Any, bool]]:
    """(path, target kind, value, is_key) for every reference an entity makes."""
    data = {"spec": entity.spec}
    for field in ref_fields(entity.kind):
        for path, value, is_key in values_at(data, field.pattern):
            if value in field.except_values:
                continue
            yield path, field.target, value, is_key


class Names:
    """Every name that a reference may resolve to: documents whose envelope is sound."""

    def __init__(self, names: dict[str, set[str]], levels: list[str]) -> None:
        self.names = names
        self.levels = levels

    def exists(self, target: str, value: Any) -> bool:
        if target == PRIORITY_LEVEL:
            return not self.levels or value in self.levels
        if target == "*":
            kind, _, name = str(value).partition("/")
            return name in self.names.get(kind, set())
        return value in self.names.get(target, set())

    def candidates(self, target: str) -> list[str]:
        if target == PRIORITY_LEVEL:
            return self.levels
        if target == "*":
            return [f"{k}/{n}" for k, names in self.names.items() for n in names]
        return sorted(self.names.get(target, set()))


def _label(target: str) -> str:
    return {PRIORITY_LEVEL: "priority level", "*": "document"}.get(target, target)


def check_references(catalog: Catalog, names: Names) -> Iterator[Diagnostic]:
    for entity in catalog:
        for path, target, value, is_key in references(entity):
            if names.exists(target, value):
                continue
            hint = did_you_mean(str(value), names.candidates(target))
            yield entity.diagnostic(
                "unknown-reference", f"unknown {_label(target)} '{value}'{hint}", path,
                key=is_key)
