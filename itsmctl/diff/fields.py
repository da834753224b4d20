"""Field-level changes between two versions of a document's data.

Mappings are compared key by key; a list whose items all carry a distinct `name` is
compared item by item by that name (`spec.states[name=resolved].sla`), any other list by
position (`spec.dependsOn[2]`). Where one side lacks a field, the change is `added` or
`removed` with the whole value; otherwise `modified`, down to the scalar that differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

ADDED, REMOVED, MODIFIED = "added", "removed", "modified"
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. spec.targets.P1.resolution
    before: Any  # None when added
    after: Any  # None when removed
    action: str  # added | removed | modified

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after,
                "action": self.action}


def _key(prefix: str, key: Any) -> str:
    text = str(key)
    if _PLAIN_KEY.match(text):
        return f"{prefix}.{text}" if prefix else text
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'{prefix}["{quoted}"]'


def _named(items: list[Any]) -> dict[str, Any] | None:
    """The items by name, when every item is a mapping with a distinct string `name`."""
    if not items or not all(isinstance(i, dict) and isinstance(i.get("name"), str)
                            for i in items):
        return None
    by_name = {item["name"]: item for item in items}
    return by_name if len(by_name) == len(items) else None


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values: `true` is not `1`, nor `1` `1.0`, at any depth (Python's `==`
    says they are)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def field_changes(before: Any, after: Any, path: str = "") -> Iterator[FieldChange]:
    """The changes from `before` to `after`, in document order (before's, then after's)."""
    if same(before, after):
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            where = _key(path, key)
            if key not in after:
                yield FieldChange(where, before[key], None, REMOVED)
            elif key not in before:
                yield FieldChange(where, None, after[key], ADDED)
            else:
                yield from field_changes(before[key], after[key], where)
        return
    if isinstance(before, list) and isinstance(after, list):
        old, new = _named(before), _named(after)
        if old is not None and new is not None:
            for name in [*old, *(n for n in new if n not in old)]:
                where = f"{path}[name={name}]"
                if name not in new:
                    yield FieldChange(where, old[name], None, REMOVED)
                elif name not in old:
                    yield FieldChange(where, None, new[name], ADDED)
                else:
                    yield from field_changes(old[name], new[name], where)
            return
        for index in range(max(len(before), len(after))):
            where = f"{path}[{index}]"
            if index >= len(after):
                yield FieldChange(where, before[index], None, REMOVED)
            elif index >= len(before):
                yield FieldChange(where, None, after[index], ADDED)
            else:
                yield from field_changes(before[index], after[index], where)
        return
    yield FieldChange(path or "$", before, after, MODIFIED)
