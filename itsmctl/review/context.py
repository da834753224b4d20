"""The `change` an approval rule's `when` sees (docs/review.md, "What an approval rule
sees"): one per document the pull request adds, removes, modifies or moves, and one for
the settings file (kind `Settings`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsmctl import kinds
from itsmctl.diff import ADDED, REMOVED, SETTINGS, Change
from itsmctl.model.catalog import Catalog
from itsmctl.model.ownership import owning_teams
from itsmctl.model.references import Referrers, dependants
from itsmctl.model.typed import Service
from itsmctl.policy.context import Documents

_OWN_SERVICES = {kinds.CHANGE_REQUEST: "services", kinds.STANDARD_CHANGE: "services"}


@dataclass(frozen=True)
class Side:
    """One version as the change context reads it."""

    catalog: Catalog
    documents: Documents  # resolved
    referrers: Referrers  # who names a document (in either version, for a comparison)

    def document(self, change: Change, before: bool) -> Any:
        """The resolved document (the data as written, for one that is not valid)."""
        if change.kind == SETTINGS:
            return None
        resolved = self.documents.get(change.kind, {}).get(change.name)
        if resolved is not None:
            return resolved
        written = change.before if before else change.after
        return written.data if written is not None else None


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _services(change: Change, specs: list[Any], base: Side, head: Side) -> list[str]:
    """The services the change is about: a service itself; the services of a change
    request, standard change or request item; for any other document, the services that
    reach it through references (an SLA: the services on it)."""
    if change.kind == kinds.SERVICE:
        return [change.name]
    if change.kind in _OWN_SERVICES:
        return sorted({s for spec in specs for s in _names(spec.get(_OWN_SERVICES[change.kind]))})
    if change.kind == kinds.CATALOG_ITEM:
        return sorted({spec["service"] for spec in specs if isinstance(spec.get("service"), str)})
    if change.kind == SETTINGS:
        return []
    reached = dependants(head.referrers, [change.ref])
    return sorted(name for kind, _, name in (r.partition("/") for r in reached)
                  if kind == kinds.SERVICE)


def _tiers(services: list[str], base: Side, head: Side) -> list[int]:
    found = set()
    for name in services:
        service = head.catalog.typed(Service).get(name) or base.catalog.typed(Service).get(name)
        if service is not None and service.tier is not None:
            found.add(service.tier)
    return sorted(found)


def change_context(change: Change, base: Side, head: Side,
                   settings: tuple[Any, Any] = (None, None)) -> dict[str, Any]:
    """The `change` variable for one change."""
    if change.kind == SETTINGS:
        before, after = settings
    else:
        before = base.document(change, True) if change.action != ADDED else None
        after = head.document(change, False) if change.action != REMOVED else None
    current = after if after is not None else before
    spec = current.get("spec") if isinstance(current, dict) and change.kind != SETTINGS \
        else current
    spec = spec if isinstance(spec, dict) else {}
    metadata = current.get("metadata") if isinstance(current, dict) and \
        change.kind != SETTINGS else {"name": change.name}
    written = [(side.catalog, d.data.get("spec")) for side, d in ((base, change.before),
               (head, change.after)) if d is not None and isinstance(d.data, dict)]
    owners = sorted({team for catalog, data in written
                     for team in owning_teams(catalog, change.kind, change.name, data)})
    plain = [d.data["spec"] for d in (change.before, change.after)
             if d is not None and isinstance(d.data, dict) and isinstance(d.data.get("spec"), dict)]
    services = _services(change, plain, base, head)
    return {
        "kind": change.kind, "name": change.name, "action": change.action,
        "path": change.path, "previousPath": change.previous_path,
        "fields": [f.path for f in change.fields],
        "before": before, "after": after,
        "metadata": metadata if isinstance(metadata, dict) else {"name": change.name},
        "spec": spec, "services": services, "tiers": _tiers(services, base, head),
        "owners": owners,
    }
