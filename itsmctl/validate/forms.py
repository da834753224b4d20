"""Request forms: unique field names, options exactly for choice fields."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.typed import CatalogItem
from itsmctl.validate.context import Context
from itsmctl.validate.names import DUPLICATE_NAME

FORM_OPTIONS = Rule("form-options", Severity.ERROR,
                    "A form field has options but is not a choice, or a choice without options.")
RULES = (FORM_OPTIONS, DUPLICATE_NAME)


def check(ctx: Context) -> Iterator[Diagnostic]:
    for item in ctx.catalog.typed(CatalogItem).values():
        seen: set[str] = set()
        for i, field in enumerate(item.form):
            where = ("spec", "form", i)
            if field.name in seen:
                yield item.diagnostic(DUPLICATE_NAME,
                                      f"form field '{field.name}' is defined twice",
                                      (*where, "name"))
            seen.add(field.name)
            if field.type == "choice" and not field.options:
                yield item.diagnostic(FORM_OPTIONS,
                                      f"choice field '{field.name}' has no options",
                                      (*where, "type"))
            elif field.type != "choice" and field.options is not None:
                yield item.diagnostic(
                    FORM_OPTIONS,
                    f"field '{field.name}' is {field.type}: options are only for choice",
                    (*where, "options"), key=True)
