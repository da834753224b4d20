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
from itsmctl.model.documents import Document
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


def validate(documents: list[Document], config: Config, today: dt.date,
             checks: Collection[str] | None = None) -> tuple[Catalog, list[Diagnostic]]:
    """The catalog of the documents that pass their schema, and every problem found;
    `checks` limits the semantic checks to those named (keys of CHECKS)."""
    unique = unique_documents(documents)
    diagnostics = list(unique.diagnostics)
    catalog = Catalog()
    for document in unique.documents:
        entity, problems = validate_document(document)
        diagnostics.extend(problems)
        key = envelope_name(document)
        if entity is not None:
            catalog.add(entity)
        elif key is not None:
            catalog.invalid[ref(*key)] = document
    names = Names(unique.names, catalog.priority_levels())
    diagnostics.extend(check_references(catalog, names, diagnostics))
    context = Context(catalog, today, config)
    for name, semantic in CHECKS.items():
        if checks is None or name in checks:
            diagnostics.extend(semantic.check(context))
    return catalog, diagnostics
