"""The validation pipeline: envelope -> schema -> unique names -> references -> semantics.

A document that fails its schema goes no further (no cascades of noise), but its name
still counts when resolving references to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic
from itsmctl.kinds import ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Document, Entity
from itsmctl.validate import (
    calendars,
    change_requests,
    changes,
    cycles,
    forms,
    matrix,
    services,
    slas,
    teams,
    workflows,
)
from itsmctl.validate.context import Context, SemanticCheck
from itsmctl.validate.names import unique_documents
from itsmctl.validate.references import Names, check_references
from itsmctl.validate.schema import envelope_name, validate_document

CHECKS: dict[str, SemanticCheck] = {
    "cycles": cycles,
    "workflows": workflows,
    "slas": slas,
    "matrix": matrix,
    "calendars": calendars,
    "services": services,
    "changes": changes,
    "change-requests": change_requests,
    "forms": forms,
    "teams": teams,
}


# id(document) -> (document, its entity or None, its schema problems): a document shared by
# two loads (itsmctl.load.ParseCache) is checked against its schema once
SchemaMemo = dict[int, tuple[Document, "Entity | None", list[Diagnostic]]]


def _schema_checked(document: Document, memo: SchemaMemo | None
                    ) -> tuple[Entity | None, list[Diagnostic]]:
    if memo is None:
        return validate_document(document)
    hit = memo.get(id(document))
    if hit is None or hit[0] is not document:
        entity, problems = validate_document(document)
        hit = memo[id(document)] = (document, entity, problems)
    return hit[1], hit[2]


def validate(documents: list[Document], config: Config, today: dt.date,
             checks: Collection[str] | None = None, memo: SchemaMemo | None = None
             ) -> tuple[Catalog, list[Diagnostic]]:
    """The catalog of the documents that pass their schema, and every problem found;
    `checks` limits the semantic checks to those named (keys of CHECKS); with `memo`, a
    document already checked against its schema (shared by two loads) is not again."""
    unique = unique_documents(documents)
    diagnostics = list(unique.diagnostics)
    catalog = Catalog()
    for document in unique.documents:
        entity, problems = _schema_checked(document, memo)
        diagnostics.extend(problems)
        if entity is not None:
            catalog.add(entity)
        elif (key := envelope_name(document)) is not None:
            catalog.invalid[ref(*key)] = document
    names = Names(unique.names, catalog.priority_levels())
    diagnostics.extend(check_references(catalog, names, diagnostics))
    context = Context(catalog, today, config)
    for name, semantic in CHECKS.items():
        if checks is None or name in checks:
            diagnostics.extend(semantic.check(context))
    return catalog, diagnostics
