"""Small text helpers every layer uses: suggestions, field paths, counts."""

from __future__ import annotations

import difflib
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


def parse_percent(text: object) -> float:
    """'75%' (an escalation threshold) -> 75.0."""
    return float(str(text).strip().removesuffix("%"))
