"""GitHub-flavoured Markdown built safely from untrusted text (a pull request writes the
names, paths and messages shown): escaped so that nothing in it formats, links, mentions
or breaks a table, and code spans and fences that nothing inside can close."""

from __future__ import annotations

import re
from collections.abc import Sequence

from itsmctl.text import printable

_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_BACKTICKS = re.compile(r"`+")


def escape(text: object) -> str:
    """Plain text in Markdown (a table cell, a list item): one line, no formatting, no
    HTML, no @mentions, no control or invisible formatting characters (escaped)."""
    out = printable(" ".join(str(text).split()))
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _SPECIAL.sub(r"\\\1", out)
    return out.replace("@", "@\u2060")  # a word joiner: shown as written, never a mention


def code(text: object) -> str:
    """An inline code span that nothing inside can close (table-safe), on one line with
    control and invisible formatting characters escaped."""
    value = printable(" ".join(str(text).split())).replace("|", "\\|")
    longest = max((len(m) for m in _BACKTICKS.findall(value)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def fence(body: str, language: str = "") -> str:
    """A fenced code block that no line of `body` can close."""
    longest = max((len(m) for m in re.findall(r"^\s*(`{3,})", body, re.M)), default=2)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{body.rstrip(chr(10))}\n{ticks}\n"


def details(summary: str, body: str, open_: bool = False) -> str:
    """A folded part; `summary` is Markdown already escaped."""
    state = " open" if open_ else ""
    return f"<details{state}><summary>{summary}</summary>\n\n{body.rstrip()}\n\n</details>\n"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; cells are Markdown already escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
