"""The validation pipeline: envelope -> schema -> unique names -> references -> semantics.

A document that fails its schema goes no further (no cascades of noise), but its name
still counts when resolving references to it.
"""

from __future__ import annotations

import datetime as dt

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Catalog, Document
from itsmctl.validate import (
    calendars,
    changes,
    cycles,
    forms,
    matrix,
    policies,
    services,
    slas,
    teams,
    workflows,
)
from itsmctl.validate.context import Context, SemanticCheck
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
    "forms": forms,
    "policies": policies,
    "teams": teams,
}


def validate(documents: list[Document], config: Config, today: dt.date
             ) -> tuple[Catalog, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    catalog = Catalog()
    names: dict[str, set[str]] = {}
    first: dict[tuple[str, str], Document] = {}
    for document in documents:
        key = envelope_name(document)
        if key is not None and key in first:
            other = first[key]
            line, column = other.locate(("metadata", "name"))
            diagnostics.append(document.diagnostic(
                "duplicate-name",
                f"duplicate {key[0]} '{key[1]}' (first defined at {other.path}:{line}:{column})",
                ("metadata", "name")))
            continue
        if key is not None:
            first[key] = document
            names.setdefault(key[0], set()).add(key[1])
        entity, problems = validate_document(document)
        diagnostics.extend(problems)
        if entity is not None:
            catalog.add(entity)
    diagnostics.extend(check_references(catalog, Names(names, catalog.priority_levels())))
    context = Context(catalog, today, config)
    for semantic in CHECKS.values():
        diagnostics.extend(semantic.check(context))
    return catalog, diagnostics
