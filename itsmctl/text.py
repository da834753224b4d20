"""Small text helpers every layer uses: suggestions, field paths, counts."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

FieldPath = tuple[str | int, ...]


def did_you_mean(word: str, candidates: Sequence[str]) -> str:
    """' (did you mean 'x'?)' for the closest candidate, or ''."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def format_field(path: Sequence[str | int]) -> str:
    """('spec', 'links', 0, 'url') -> 'spec.links[0].url': how people name a field."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_field(text: str) -> FieldPath:
    """'spec.targets.P1' or 'spec.members.0' -> ('spec', 'targets', 'P1') / (..., 0)."""
    return tuple(int(p) if p.isdigit() else p for p in text.split(".") if p)


def json_path(path: Sequence[str | int]) -> str:
    """('spec', 'links', 0) -> '$.spec.links[0]' (the jsonPath of JSON and SARIF output)."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def agree(count: int, one: str, many: str) -> str:
    """The verb form that agrees with `count` things: agree(1, 'owns', 'own')."""
    return one if count == 1 else many


def parse_percent(text: object) -> float:
    """'75%' (an escalation threshold) -> 75.0."""
    return float(str(text).strip().removesuffix("%"))


# Characters a one-line text format cannot show as they are: controls (newlines, escape
# sequences that would drive the terminal, NUL), line and paragraph separators, and the
# invisible formatting characters that reorder what is shown (bidirectional overrides).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u2028\u2029\u200b-\u200f\u202a-\u202e"
                          "\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100
                                else f"\\u{ord(char):04x}")


def printable(text: str) -> str:
    """`text` on one line, with every character that would break or disguise the line
    written as an escape (a newline as \\n, ESC as \\x1b, U+202E as \\u202e)."""
    return _UNPRINTABLE.sub(_escape, text)

