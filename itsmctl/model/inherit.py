"""Values a document does not write but takes from another one (docs/format.md, "Inherited
values"), written once, field by field.

The typed model, the resolved documents that policies and build targets see, and the
reference graph all take inherited values from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from itsmctl.kinds import CATALOG_ITEM, CATEGORY, SERVICE
from itsmctl.model.catalog import Catalog

Spec = dict[str, Any]
Source = Callable[[Catalog, Spec], Any]  # the inherited value, or None


def _owner(catalog: Catalog, spec: Spec) -> Any:
    return spec.get("owner")


def _service(catalog: Catalog, spec: Spec) -> Spec | None:
    service = catalog.get(SERVICE, spec.get("service"))
    return service.spec if service is not None else None


def _service_sla(catalog: Catalog, spec: Spec) -> Any:
    service = _service(catalog, spec)
    return service.get("sla") if service is not None else None


def _service_support_group(catalog: Catalog, spec: Spec) -> Any:
    service = _service(catalog, spec)
    return value(catalog, SERVICE, service, "supportGroup") if service is not None else None


def _service_request_workflow(catalog: Catalog, spec: Spec) -> Any:
    service = _service(catalog, spec)
    return service.get("workflows", {}).get("request") if service is not None else None


def _parent_group(catalog: Catalog, spec: Spec) -> Any:
    """The nearest ancestor's assignment group (a parent cycle ends the search)."""
    seen: set[str] = set()
    parent = catalog.get(CATEGORY, spec.get("parent"))
    while parent is not None and parent.name not in seen:
        seen.add(parent.name)
        if "assignmentGroup" in parent.spec:
            return parent.spec["assignmentGroup"]
        parent = catalog.get(CATEGORY, parent.spec.get("parent"))
    return None


# kind -> (field, where its value comes from when the document does not set it), in the
# order the fields are added to a resolved document
INHERITED: dict[str, tuple[tuple[str, Source], ...]] = {
    SERVICE: (("supportGroup", _owner),),
    CATALOG_ITEM: (("sla", _service_sla), ("fulfillmentGroup", _service_support_group),
                   ("workflow", _service_request_workflow)),
    CATEGORY: (("assignmentGroup", _parent_group),),
}

# A workflow state's SLA clock when the state does not set one, by its category.
STATE_CLOCK = {"pending": "paused", "resolved": "stopped", "closed": "stopped",
               "cancelled": "stopped"}


def value(catalog: Catalog, kind: str, spec: Spec, field: str) -> Any:
    """A field's value: the document's own, else the inherited one (None: neither)."""
    if field in spec:
        return spec[field]
    for name, source in INHERITED.get(kind, ()):
        if name == field:
            return source(catalog, spec)
    return None


def inherited(catalog: Catalog, kind: str, spec: Spec) -> dict[str, Any]:
    """The fields this document inherits (those it does not set itself)."""
    out = {}
    for field, source in INHERITED.get(kind, ()):
        if field not in spec:
            found = source(catalog, spec)
            if found is not None:
                out[field] = found
    return out


def state_clock(state: dict[str, Any]) -> str:
    """running | paused | stopped: the state's own, else its category's."""
    return str(state.get("sla", STATE_CLOCK.get(state["category"], "running")))
