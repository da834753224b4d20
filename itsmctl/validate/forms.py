"""Request forms: unique field names, options exactly for choice fields."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.validate.context import Context

RULES = ("form-options", "duplicate-name")


def check(ctx: Context) -> Iterator[Diagnostic]:
    for item in ctx.catalog.of_kind("CatalogItem"):
        seen: set[str] = set()
        for i, field in enumerate(item.spec.get("form", [])):
            where = ("spec", "form", i)
            if field["name"] in seen:
                yield item.diagnostic("duplicate-name",
                                      f"form field '{field['name']}' is defined twice",
                                      (*where, "name"))
            seen.add(field["name"])
            if field["type"] == "choice" and not field.get("options"):
                yield item.diagnostic("form-options",
                                      f"choice field '{field['name']}' has no options",
                                      (*where, "type"))
            elif field["type"] != "choice" and "options" in field:
                yield item.diagnostic(
                    "form-options",
                    f"field '{field['name']}' is {field['type']}: options are only for choice",
                    (*where, "options"), key=True)
