"""`itsmctl diff` output: Terraform-style text, Markdown (a table and a diff block), JSON.

A pull request writes the names, paths, mapping keys and values shown: in text and in the
diff block every one of them is on its line with its control and invisible formatting
characters escaped (`text.printable`), so nothing can start a line of its own."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import click

from itsmctl.diff import ADDED, MODIFIED, MOVED, REMOVED, Change, Diff
from itsmctl.diff.fields import FieldChange
from itsmctl.reporters.markdown import code, escape, fence, table
from itsmctl.text import agree, plural, printable

SYMBOLS = {ADDED: "+", REMOVED: "-", MODIFIED: "~", MOVED: ">"}
COLORS = {ADDED: "green", REMOVED: "red", MODIFIED: "yellow", MOVED: "cyan"}


def value(data: Any) -> str:
    """A field's value on one line, as JSON (strings quoted), nothing in it unprintable."""
    return printable(json.dumps(data, ensure_ascii=False, separators=(", ", ": "), default=str))


def summary(counts: dict[str, int]) -> str:
    """'3 added, 2 modified, 1 removed, 1 moved'."""
    return ", ".join(f"{counts[action]} {action}" for action in (ADDED, MODIFIED, REMOVED, MOVED))


def where(change: Change) -> str:
    if change.previous_path is not None:
        return f"{printable(change.previous_path)} -> {printable(change.path)}"
    return printable(change.path)


def entity(change: Change) -> str:
    return printable(change.ref)


def field_line(item: FieldChange) -> str:
    path = printable(item.path)
    if item.action == ADDED:
        return f"+ {path}: {value(item.after)}"
    if item.action == REMOVED:
        return f"- {path}: {value(item.before)}"
    return f"~ {path}: {value(item.before)} -> {value(item.after)}"


def caveat(diff: Diff, change: Change) -> str:
    """'' or, for a change an unreadable file makes uncertain, why."""
    problem = diff.uncertain(change)
    if problem is None:
        return ""
    return (f"  (unreadable on {problem.side} [{problem.problem.rule}]: not known to be "
            f"{change.action})")


def unreadable_summary(diff: Diff) -> str:
    count = len(diff.unreadable)
    sides = " and ".join(sorted({u.side for u in diff.unreadable}))
    return (f"{plural(count, 'file')} could not be read on {sides}: the documents in "
            f"{agree(count, 'it', 'them')} are not compared") if count else ""


def text(diff: Diff, color: bool = False) -> str:
    def paint(line: str, action: str) -> str:
        return click.style(line, fg=COLORS[action]) if color else line

    lines = []
    for change in diff.changes:
        lines.append(paint(f"{SYMBOLS[change.action]} {entity(change)}  {where(change)}"
                           f"{caveat(diff, change)}", change.action))
        for item in change.fields:
            lines.append("    " + paint(field_line(item), item.action))
    if lines:
        lines.append("")
    lines.append(summary(diff.counts()) if diff.changes else "No changes.")
    if diff.unreadable:
        lines.append(unreadable_summary(diff))
    return "\n".join(lines) + "\n"


def diff_block(changes: Sequence[Change]) -> str:
    """The changes as a ```diff block: entities added (+) and removed (-), and for each
    one modified or moved a hunk header with its fields (- before, + after)."""
    lines = []
    for change in changes:
        if change.action in (ADDED, REMOVED):
            lines.append(f"{SYMBOLS[change.action]} {entity(change)}  ({where(change)})")
            continue
        lines.append(f"@@ {SYMBOLS[change.action]} {entity(change)}  {where(change)} @@")
        for item in change.fields:
            path = printable(item.path)
            if item.action != ADDED:
                lines.append(f"-   {path}: {value(item.before)}")
            if item.action != REMOVED:
                lines.append(f"+   {path}: {value(item.after)}")
    return fence("\n".join(lines), "diff")


def changes_table(changes: Sequence[Change]) -> str:
    rows = [[code(SYMBOLS[c.action]), code(c.kind), code(c.name), code(where(c)),
             str(len(c.fields)) if c.fields else ""] for c in changes]
    return table(["", "Kind", "Name", "File", "Fields"], rows)


def unreadable_list(diff: Diff) -> str:
    """The files that could not be read, one list item each (Markdown)."""
    out = ""
    for u in diff.unreadable:
        at = f"{u.path}:{u.problem.line}:{u.problem.column}"
        out += (f"- {u.side} ({code(u.ref)}): {code(at)} {escape(u.problem.message)} "
                f"{code(u.problem.rule)}\n")
    return out


def markdown(diff: Diff, color: bool = False) -> str:
    out = ""
    if diff.unreadable:
        out = (f"**Warning: {escape(unreadable_summary(diff))}**; what they define may show "
               f"as added or removed:\n\n{unreadable_list(diff)}\n")
    if not diff.changes:
        return out + "No changes.\n"
    out += f"**{summary(diff.counts())}**\n\n{changes_table(diff.changes)}"
    if any(c.fields for c in diff.changes):
        out += "\n" + diff_block(diff.changes)
    return out


_RAW_IN_JSON = re.compile("[\x7f-\x9f\u061c\u2028\u2029\u200b-\u200f\u202a-\u202e"
                          "\u2066-\u2069\ufeff]")


def safe_json(text: str) -> str:
    """JSON text with the characters json.dumps leaves raw that a terminal or viewer would
    act on (C1 controls, bidirectional overrides, separators) written as \\u escapes: the
    same JSON, nothing invisible in it."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def jsonfmt(diff: Diff, color: bool = False) -> str:
    return safe_json(json.dumps(diff.to_json(), indent=2, ensure_ascii=False,
                                default=str)) + "\n"


RENDERERS: dict[str, Callable[[Diff, bool], str]] = {
    "text": text, "markdown": markdown, "json": jsonfmt}
