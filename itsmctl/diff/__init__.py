"""The semantic diff of a catalog between two versions (docs/review.md).

Documents are identified by (kind, metadata.name), never by file: one that moved to
another file is `moved` (with its field changes, if any), one whose name changed is
`removed` and `added`. The settings file is compared too, as the document `Settings`
`itsmctl.yaml`. Files with the same bytes on both sides are parsed once and not compared.

A file that cannot be read on one side (invalid YAML, too large, a broken link) holds no
documents there: the diff lists it as `unreadable` on that side, with the problem, so that
what it defines on the other side is never presented as simply added or removed. Settings
that cannot be used stop the diff with the side (BASE or HEAD, and its ref) named.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsmctl.config import CONFIG_FILE
from itsmctl.diagnostics import Diagnostic
from itsmctl.diff.fields import ADDED, MODIFIED, REMOVED, FieldChange, field_changes, same
from itsmctl.errors import FatalError
from itsmctl.kinds import KIND_NAMES, ref
from itsmctl.load import Loaded
from itsmctl.model.documents import Document
from itsmctl.pipeline import Shared, load_catalog
from itsmctl.sources import Revisions, Source, revisions
from itsmctl.text import printable

MOVED = "moved"
__all__ = ["ACTIONS", "ADDED", "MODIFIED", "MOVED", "REMOVED", "SETTINGS", "SETTINGS_NAME",
           "Change", "Diff", "FieldChange", "Unreadable", "by_identity", "changes",
           "comparable", "compare", "diff", "order", "settings_change", "unreadable"]
ACTIONS = (ADDED, MODIFIED, REMOVED, MOVED)
SETTINGS = "Settings"  # the kind a change to itsmctl.yaml has
SETTINGS_NAME = CONFIG_FILE


@dataclass(frozen=True)
class Change:
    kind: str
    name: str
    action: str  # added | removed | modified | moved
    path: str  # the file on HEAD (on BASE when removed)
    previous_path: str | None  # the file on BASE, when moved
    fields: tuple[FieldChange, ...] = ()
    before: Document | None = field(default=None, compare=False, repr=False)
    after: Document | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        return ref(self.kind, self.name)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "action": self.action,
                "path": self.path, "previousPath": self.previous_path,
                "fields": [f.to_json() for f in self.fields]}


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be read on one side: its documents are unknown there."""

    side: str  # BASE | HEAD
    ref: str  # the side's ref as given, or 'work tree'
    problem: Diagnostic  # where and why (rule id)

    @property
    def path(self) -> str:
        return self.problem.path

    def describe(self) -> str:
        """One line: which side, and the positioned problem."""
        return (f"{self.side} ({printable(self.ref)}): {self.problem.format()}; its documents "
                f"are not known on {self.side}")

    def to_json(self) -> dict[str, Any]:
        return {"side": self.side.lower(), "ref": self.ref, **self.problem.to_json()}


@dataclass(frozen=True)
class Diff:
    base: str  # the base commit's SHA
    head: str  # the head commit's SHA, or 'worktree'
    changes: tuple[Change, ...]
    unreadable: tuple[Unreadable, ...] = ()  # files that could not be read, on either side

    def uncertain(self, change: Change) -> Unreadable | None:
        """The unreadable file that makes `change` uncertain: a document removed whose file
        HEAD could not read, one added whose file BASE could not read."""
        side = {REMOVED: "HEAD", ADDED: "BASE"}.get(change.action)
        return next((u for u in self.unreadable if u.side == side and u.path == change.path),
                    None)

    def counts(self) -> dict[str, int]:
        return {action: sum(1 for c in self.changes if c.action == action)
                for action in (ADDED, MODIFIED, REMOVED, MOVED)}

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head,
                "changes": [c.to_json() for c in self.changes], "summary": self.counts(),
                "unreadable": [u.to_json() for u in self.unreadable]}


def order(kind: str, name: str) -> tuple[int, str, str]:
    rank = KIND_NAMES.index(kind) if kind in KIND_NAMES else len(KIND_NAMES)
    return (rank + (1 if kind == SETTINGS else 0), kind, name)


def by_identity(documents: Iterable[Document]) -> dict[tuple[str, str], Document]:
    """Documents by (kind, name), the first of each (as validation keeps it)."""
    out: dict[tuple[str, str], Document] = {}
    for document in documents:
        kind, name = document.identity()
        if kind is not None and name is not None:
            out.setdefault((kind, name), document)
    return out


def comparable(document: Document) -> Any:
    """What is compared: the document less its identity (kind and metadata.name)."""
    data = document.data
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if k != "kind"}
    if isinstance(out.get("metadata"), dict):
        out["metadata"] = {k: v for k, v in out["metadata"].items() if k != "name"}
    return out


def compare(before: dict[tuple[str, str], Document],
            after: dict[tuple[str, str], Document]) -> Iterator[Change]:
    """The document changes from `before` to `after` (both by identity), by kind then name."""
    for key in sorted(before.keys() | after.keys(), key=lambda k: order(*k)):
        old, new = before.get(key), after.get(key)
        if old is new:
            continue  # the same bytes at the same path: parsed once, nothing to compare
        if new is None:
            assert old is not None
            yield Change(*key, REMOVED, old.path, None, before=old)
        elif old is None:
            yield Change(*key, ADDED, new.path, None, after=new)
        else:
            fields = tuple(field_changes(comparable(old), comparable(new)))
            if old.path != new.path:
                yield Change(*key, MOVED, new.path, old.path, fields, old, new)
            elif fields:
                yield Change(*key, MODIFIED, new.path, None, fields, old, new)


def settings_change(old: Any, new: Any) -> Change | None:
    """The change to itsmctl.yaml, from its data as written on each side (None: absent)."""
    if same(old, new):
        return None
    if old is None:
        return Change(SETTINGS, SETTINGS_NAME, ADDED, CONFIG_FILE, None)
    if new is None:
        return Change(SETTINGS, SETTINGS_NAME, REMOVED, CONFIG_FILE, None)
    return Change(SETTINGS, SETTINGS_NAME, MODIFIED, CONFIG_FILE, None,
                  tuple(field_changes(old, new)))


def changes(base: Loaded, head: Loaded) -> tuple[Change, ...]:
    """Every document added, removed, modified or moved from `base` to `head`, by kind
    then name; then the settings file."""
    found = list(compare(by_identity(base.documents), by_identity(head.documents)))
    settings = settings_change(base.written_settings, head.written_settings)
    return tuple(found + ([settings] if settings is not None else []))


def unreadable(side: str, loaded: Loaded, other: Loaded) -> list[Unreadable]:
    """The files of `loaded` that could not be read (not the same bytes on `other`, where
    nothing changed), each with its first problem."""
    out: dict[str, Unreadable] = {}
    for problem in sorted(loaded.diagnostics):
        if problem.path == CONFIG_FILE or problem.path in out:
            continue  # settings warnings; one line per file
        blob = loaded.blobs.get(problem.path)
        if blob is not None and other.blobs.get(problem.path) == blob:
            continue
        out[problem.path] = Unreadable(side, loaded.label, problem)
    return list(out.values())


def _load(side: str, source: Source, shared: Shared, require: bool) -> Loaded:
    try:
        return load_catalog(source, shared=shared, require=require)
    except FatalError as error:
        raise FatalError(f"{side} ({printable(source.label)}): {error.message}",
                         error.hint) from error


def diff(root: Path, base: str, head: str | None = None) -> Diff:
    """`itsmctl diff BASE [HEAD]`: each side read with its own settings."""
    sides: Revisions = revisions(root, base, head)
    shared = Shared()
    old = _load("BASE", sides.base, shared, require=False)  # a first catalog: all new
    new = _load("HEAD", sides.head, shared, require=not old.files)
    problems = unreadable("BASE", old, new) + unreadable("HEAD", new, old)
    return Diff(sides.base.sha, sides.head_label, changes(old, new), tuple(problems))
