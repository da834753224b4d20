"""What a change reaches without being changed itself: every entity that names a changed
one, directly or through others, by any reference (inherited ones included) — a calendar
reaches the SLAs on it, the services and request items on those, and the services that
depend on them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from itsmctl.diff import SETTINGS, Change, order
from itsmctl.kinds import split_ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.references import Referrers, dependants


@dataclass(frozen=True)
class Impact:
    kind: str
    name: str
    via: tuple[str, ...]  # Kind/name: the changed document first, then those in between

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "via": list(self.via)}


def impact(changes: Iterable[Change], referrers: Referrers, head: Catalog) -> list[Impact]:
    """The entities of `head` that reach a changed document through references
    (`referrers`: who names a document, in either version), each with the shortest path it
    was reached by; by kind, then name."""
    changed = {c.ref for c in changes if c.kind != SETTINGS}
    reached = dependants(referrers, changed)
    out = []
    for target, via in reached.items():
        kind, name = split_ref(target)
        if target not in changed and head.get(kind, name) is not None:
            out.append(Impact(kind, name, via))
    return sorted(out, key=lambda i: order(i.kind, i.name))
