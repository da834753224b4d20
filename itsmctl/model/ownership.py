"""Which teams own a document: who approves a change to it (`role: owner` in approval
rules) and whom CODEOWNERS names for its file.

A service is owned by its `owner`; a request item by its service's owner; a standard-
change template by its `owner`; a change request by the owners of its services; a team by
itself. Other kinds (SLAs, calendars, workflows, windows, freezes, the priority matrix,
categories, policies) are shared: no one team owns them, and the approval rules and the
CAB decide who approves.
"""

from __future__ import annotations

from typing import Any

from itsmctl import kinds
from itsmctl.model.catalog import Catalog


def _service_owner(catalog: Catalog, name: Any) -> list[str]:
    service = catalog.get(kinds.SERVICE, name)
    owner = service.spec.get("owner") if service is not None else None
    return [owner] if isinstance(owner, str) else []


def owning_teams(catalog: Catalog, kind: str, name: str, spec: Any) -> list[str]:
    """The teams owning a document of `kind` named `name` with this `spec`, as `catalog`
    names them (sorted; the teams need not exist)."""
    if not isinstance(spec, dict):
        return []
    found: list[str] = []
    if kind in (kinds.SERVICE, kinds.STANDARD_CHANGE) and isinstance(spec.get("owner"), str):
        found = [spec["owner"]]
    elif kind == kinds.CATALOG_ITEM:
        found = _service_owner(catalog, spec.get("service"))
    elif kind == kinds.CHANGE_REQUEST and isinstance(spec.get("services"), list):
        found = [t for service in spec["services"] for t in _service_owner(catalog, service)]
    elif kind == kinds.TEAM:
        found = [name]
    return sorted(set(found))
