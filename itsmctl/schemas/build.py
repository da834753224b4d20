"""Small builders for JSON Schema fragments, so each kind reads like its documentation.

`x-reference: Kind` marks a field that names another document; reference resolution
is driven by these annotations, so the schema stays the one source of truth.
"""

from __future__ import annotations

from typing import Any

from itsmctl.kinds import TICKET_TYPES

Schema = dict[str, Any]

NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
DURATION_PATTERN = r"^(?=[0-9])([0-9]{1,4}w)?([0-9]{1,5}d)?([0-9]{1,6}h)?([0-9]{1,7}m)?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def obj(description: str, properties: dict[str, Schema], required: list[str] | None = None,
        **extra: Any) -> Schema:
    schema: Schema = {
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema


def string(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


def text(description: str) -> Schema:
    """A string that must say something (not empty, not only blanks)."""
    return {"type": "string", "description": description, "minLength": 1, "pattern": r"\S"}


def boolean(description: str, default: bool | None = None) -> Schema:
    schema: Schema = {"type": "boolean", "description": description}
    if default is not None:
        schema["default"] = default
    return schema


def enum(description: str, values: list[Any], default: Any = None) -> Schema:
    schema: Schema = {"enum": values, "description": description}
    if default is not None:
        schema["default"] = default
    return schema


def array(description: str, items: Schema, unique: bool = False, **extra: Any) -> Schema:
    schema: Schema = {"type": "array", "description": description, "items": items, **extra}
    if unique:
        schema["uniqueItems"] = True
    return schema


def ref(kind: str, description: str) -> Schema:
    return {"$ref": "#/$defs/name", "x-reference": kind, "description": description}


def refs(kind: str, description: str, item: str | None = None) -> Schema:
    return array(description, ref(kind, item or f"The name of a {kind}."), unique=True)


def defn(name: str, description: str) -> Schema:
    return {"$ref": f"#/$defs/{name}", "description": description}


def duration(description: str) -> Schema:
    return defn("duration", description)


def string_map(description: str) -> Schema:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": {"type": "string"},
    }


def deref(schema: Schema, root: Schema) -> tuple[Schema, str | None]:
    """A local `$ref` to `#/$defs/x` merged with its siblings, and the def's name."""
    if "$ref" in schema and schema["$ref"].startswith("#/$defs/"):
        name = schema["$ref"][8:]
        return {**root["$defs"][name], **{k: v for k, v in schema.items() if k != "$ref"}}, name
    return schema, None


COMMON_DEFS: dict[str, Schema] = {
    "name": {
        "type": "string",
        "description": "A name: lowercase letters, digits and '-', at most 63 characters.",
        "pattern": NAME_PATTERN,
        "x-error": "a name is 1-63 lowercase letters, digits and '-', starting and ending "
                   "with a letter or digit",
    },
    "duration": {
        "type": "string",
        "description": "A duration such as 15m, 4h, 1h30m, 2d or 1w (d = 24 h, w = 7 d).",
        "pattern": DURATION_PATTERN,
        "x-error": "a duration is like 15m, 4h, 1h30m, 2d or 1w (weeks, days, hours, minutes, "
                   "in that order; at most 9999w)",
    },
    "date": {
        "type": "string",
        "description": "A calendar date, YYYY-MM-DD.",
        "pattern": DATE_PATTERN,
        "format": "date",
        "x-error": "a date is YYYY-MM-DD",
    },
    "datetime": {
        "type": "string",
        "description": "An ISO 8601 date-time with an offset, e.g. 2026-12-24T18:00:00+01:00.",
        "pattern": DATETIME_PATTERN,
        "x-error": "a date-time is ISO 8601 with an offset, e.g. 2026-12-24T18:00:00+01:00",
    },
    "dateOrDatetime": {
        "type": "string",
        "description": "A date (a whole day) or an ISO 8601 date-time with an offset.",
        "pattern": f"({DATE_PATTERN})|({DATETIME_PATTERN})",
        "x-error": "expected a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset",
    },
    "handle": {
        "type": "string",
        "description": "A user name on the forge (GitHub), without the '@'.",
        "pattern": r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$",
        "x-error": "a forge handle is a user name like jdoe, without '@'",
    },
    "ticketType": {
        "enum": TICKET_TYPES,
        "description": "A ticket type: incident, request, problem or change.",
    },
    "expression": {
        "type": "string",
        "minLength": 1,
        "description": "A sandboxed Jinja2 expression, e.g. entity.spec.tier == 1.",
    },
}
