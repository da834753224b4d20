"""One document per kind and name; the names references may resolve to."""

from __future__ import annotations

from dataclasses import dataclass, field

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.documents import Document
from itsmctl.validate.schema import envelope_name

DUPLICATE_NAME = Rule("duplicate-name", Severity.ERROR, "Two documents of one kind share a "
                      "name, or a list repeats a name that must be unique.")
RULES = (DUPLICATE_NAME,)


@dataclass
class Unique:
    documents: list[Document] = field(default_factory=list)  # the first of each name
    names: dict[str, set[str]] = field(default_factory=dict)  # kind -> names
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _where(document: Document) -> str:
    line, column = document.locate(("metadata", "name"))
    return f"{document.path}:{line}:{column}"


def _duplicate(key: tuple[str, str], first: Document, again: Document) -> list[Diagnostic]:
    """A duplicate is reported at both places, each pointing to the other, so that
    checking either file alone shows it."""
    what = f"duplicate {key[0]} '{key[1]}'"
    return [again.diagnostic(DUPLICATE_NAME, f"{what} (first defined at {_where(first)})",
                             ("metadata", "name")),
            first.diagnostic(DUPLICATE_NAME, f"{what} (defined again at {_where(again)})",
                             ("metadata", "name"))]


def unique_documents(documents: list[Document]) -> Unique:
    """Documents without a second of the same kind and name (reported), and every name
    whose envelope is sound, even where the spec is not."""
    out = Unique()
    first: dict[tuple[str, str], Document] = {}
    for document in documents:
        key = envelope_name(document)
        if key is not None and key in first:
            out.diagnostics.extend(_duplicate(key, first[key], document))
            continue
        if key is not None:
            first[key] = document
            out.names.setdefault(key[0], set()).add(key[1])
        out.documents.append(document)
    return out
