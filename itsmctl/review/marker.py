"""The hidden first line of a review comment: which commits it judged. It is how
`itsmctl github comment` recognises its own comment and never overwrites the review of a
newer head with an older one."""

from __future__ import annotations

import re

COMMENT_LIMIT = 65_536  # GitHub's limit on a comment body, in characters
PREFIX = "<!-- itsmctl:review"
_MARKER = re.compile(r"<!-- itsmctl:review base=([0-9a-f]{40}) head=([0-9a-f]{40}|worktree) -->")


def marker(base: str, head: str) -> str:
    return f"{PREFIX} base={base} head={head} -->"


def parse_marker(body: str) -> tuple[str, str] | None:
    """(base, head) of a body whose first line is a review marker."""
    first = body.split("\n", 1)[0].strip()
    found = _MARKER.fullmatch(first)
    return (found.group(1), found.group(2)) if found else None


def length(text: str) -> int:
    """A body's length as GitHub may count it, conservatively (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2
