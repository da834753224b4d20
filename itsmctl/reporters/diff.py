"""`itsmctl diff` output: Terraform-style text, Markdown (a table and a diff block), JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import click

from itsmctl.diff import ADDED, MODIFIED, MOVED, REMOVED, Change, Diff
from itsmctl.diff.fields import FieldChange
from itsmctl.reporters.markdown import code, fence, table

SYMBOLS = {ADDED: "+", REMOVED: "-", MODIFIED: "~", MOVED: ">"}
COLORS = {ADDED: "green", REMOVED: "red", MODIFIED: "yellow", MOVED: "cyan"}


def value(data: Any) -> str:
    """A field's value on one line, as JSON (strings quoted)."""
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "), default=str)


def summary(counts: dict[str, int]) -> str:
    """'3 added, 2 modified, 1 removed, 1 moved'."""
    return ", ".join(f"{counts[action]} {action}" for action in (ADDED, MODIFIED, REMOVED, MOVED))


def where(change: Change) -> str:
    if change.previous_path is not None:
        return f"{change.previous_path} -> {change.path}"
    return change.path


def field_line(item: FieldChange) -> str:
    if item.action == ADDED:
        return f"+ {item.path}: {value(item.after)}"
    if item.action == REMOVED:
        return f"- {item.path}: {value(item.before)}"
    return f"~ {item.path}: {value(item.before)} -> {value(item.after)}"


def text(diff: Diff, color: bool = False) -> str:
    def paint(line: str, action: str) -> str:
        return click.style(line, fg=COLORS[action]) if color else line

    lines = []
    for change in diff.changes:
        lines.append(paint(f"{SYMBOLS[change.action]} {change.ref}  {where(change)}",
                           change.action))
        for item in change.fields:
            lines.append("    " + paint(field_line(item), item.action))
    if lines:
        lines.append("")
    lines.append(summary(diff.counts()) if diff.changes else "No changes.")
    return "\n".join(lines) + "\n"


def diff_block(changes: Sequence[Change]) -> str:
    """The changes as a ```diff block: entities added (+) and removed (-), and for each
    one modified or moved a hunk header with its fields (- before, + after)."""
    lines = []
    for change in changes:
        if change.action in (ADDED, REMOVED):
            lines.append(f"{SYMBOLS[change.action]} {change.ref}  ({where(change)})")
            continue
        lines.append(f"@@ {SYMBOLS[change.action]} {change.ref}  {where(change)} @@")
        for item in change.fields:
            if item.action != ADDED:
                lines.append(f"-   {item.path}: {value(item.before)}")
            if item.action != REMOVED:
                lines.append(f"+   {item.path}: {value(item.after)}")
    return fence("\n".join(lines), "diff")


def changes_table(changes: Sequence[Change]) -> str:
    rows = [[code(SYMBOLS[c.action]), code(c.kind), code(c.name), code(where(c)),
             str(len(c.fields)) if c.fields else ""] for c in changes]
    return table(["", "Kind", "Name", "File", "Fields"], rows)


def markdown(diff: Diff, color: bool = False) -> str:
    if not diff.changes:
        return "No changes.\n"
    out = f"**{summary(diff.counts())}**\n\n{changes_table(diff.changes)}"
    if any(c.fields for c in diff.changes):
        out += "\n" + diff_block(diff.changes)
    return out


def jsonfmt(diff: Diff, color: bool = False) -> str:
    return json.dumps(diff.to_json(), indent=2, ensure_ascii=False, default=str) + "\n"


RENDERERS: dict[str, Callable[[Diff, bool], str]] = {
    "text": text, "markdown": markdown, "json": jsonfmt}
