"""Perl literals for RT's configuration files and scrip code: deterministic, and safe for
any string (single quotes, with backslashes and quotes escaped)."""

from __future__ import annotations

from collections.abc import Mapping


def string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def literal(value: object, indent: int = 0) -> str:
    """A Perl expression for JSON-like data: dicts become hash references, lists array
    references."""
    pad, inner = "    " * indent, "    " * (indent + 1)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return string(value)
    if value is None:
        return "undef"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [f"{inner}{string(str(k))} => {literal(v, indent + 1)},"
                 for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        if all(isinstance(v, str | int | float) for v in value):
            return "[" + ", ".join(literal(v) for v in value) + "]"
        return "[\n" + "\n".join(f"{inner}{literal(v, indent + 1)}," for v in value) \
            + f"\n{pad}]"
    raise TypeError(f"no Perl literal for {type(value).__name__}")


def set_option(name: str, value: Mapping[str, object]) -> str:
    """`Set(%Name, ...);` for a hash option of RT's site configuration."""
    body = literal(value)
    return f"Set(%{name}, %{{ {body} }});\n" if value else f"Set(%{name}, ());\n"
