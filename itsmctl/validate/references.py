"""Every reference names something that exists (a document whose envelope is sound, or a
level of the priority matrix)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.kinds import ANY_DOCUMENT, PRIORITY_LEVEL, ref, split_ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.references import graph_of
from itsmctl.text import did_you_mean

UNKNOWN_REFERENCE = Rule("unknown-reference", Severity.ERROR,
                         "A reference names a document (or state, level) that does not exist.")
RULES = (UNKNOWN_REFERENCE,)


class Names:
    """Every name that a reference may resolve to: documents whose envelope is sound."""

    def __init__(self, names: dict[str, set[str]], levels: list[str]) -> None:
        self.names = names
        self.levels = levels

    def exists(self, target: str, value: Any) -> bool:
        if target == PRIORITY_LEVEL:
            return not self.levels or value in self.levels
        if target == ANY_DOCUMENT:
            kind, name = split_ref(str(value))
            return name in self.names.get(kind, set())
        return value in self.names.get(target, set())

    def candidates(self, target: str) -> list[str]:
        if target == PRIORITY_LEVEL:
            return self.levels
        if target == ANY_DOCUMENT:
            return [ref(k, n) for k, names in self.names.items() for n in names]
        return sorted(self.names.get(target, set()))


def _label(target: str) -> str:
    return {PRIORITY_LEVEL: "priority level", ANY_DOCUMENT: "document"}.get(target, target)


def check_references(catalog: Catalog, names: Names) -> Iterator[Diagnostic]:
    graph = graph_of(catalog)
    for entity in catalog:
        for reference in graph.written[entity.ref]:
            if names.exists(reference.kind, reference.value):
                continue
            hint = did_you_mean(str(reference.value), names.candidates(reference.kind))
            yield entity.diagnostic(
                UNKNOWN_REFERENCE, f"unknown {_label(reference.kind)} '{reference.value}'{hint}",
                reference.path, key=reference.is_key)
