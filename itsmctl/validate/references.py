"""Every reference names something that exists (a document whose envelope is sound, or a
level of the priority matrix)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.kinds import ANY_DOCUMENT, PRIORITY_LEVEL, ref, split_ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Document
from itsmctl.model.references import Reference, graph_of, written_references
from itsmctl.text import did_you_mean, json_path

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


def _unknown(document: Document, references: list[Reference], names: Names,
             skip: frozenset[str | None] = frozenset()) -> Iterator[Diagnostic]:
    for reference in references:
        if names.exists(reference.kind, reference.value) or json_path(reference.path) in skip:
            continue
        hint = did_you_mean(str(reference.value), names.candidates(reference.kind))
        yield document.diagnostic(
            UNKNOWN_REFERENCE, f"unknown {_label(reference.kind)} '{reference.value}'{hint}",
            reference.path, key=reference.is_key)


def check_references(catalog: Catalog, names: Names, problems: list[Diagnostic]
                     ) -> Iterator[Diagnostic]:
    """Every reference names something that exists: those of valid documents, and the
    text values where references belong in documents that failed their schema (except
    where the schema already reported the value: one error, one report)."""
    graph = graph_of(catalog)
    for entity in catalog:
        yield from _unknown(entity.document, graph.written[entity.ref], names)
    reported: dict[str, set[str | None]] = {}
    for problem in problems:
        reported.setdefault(problem.path, set()).add(problem.json_path)
    for document in catalog.invalid.values():
        kind, _ = document.identity()
        found = [r for r in written_references(str(kind), document.data.get("spec"))
                 if isinstance(r.value, str)]
        yield from _unknown(document, found, names,
                            frozenset(reported.get(document.path, ())))
