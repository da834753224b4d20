"""JSON Schemas (draft 2020-12) of every kind: built here, exported to a repo's schemas/."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from itsmctl import API_VERSION
from itsmctl.schemas.build import COMMON_DEFS, NAME_PATTERN, Schema, obj, string, string_map
from itsmctl.schemas.kinds import KIND_NAMES, KIND_SPECS

DIALECT = "https://json-schema.org/draft/2020-12/schema"

METADATA: Schema = obj(
    "Identity and descriptive data common to every document.",
    {
        "name": {"$ref": "#/$defs/name",
                 "description": "The document's name, unique per kind; references use it."},
        "title": string("A display name."),
        "description": string("What it is, for people."),
        "labels": string_map("Key/value labels (string values) for grouping and policies."),
        "annotations": string_map("Free key/value data for integrations (string values)."),
    },
    required=["name"],
)


def _envelope(kind: str, spec: Schema) -> Schema:
    return obj(
        f"An itsmctl {kind} document.",
        {
            "apiVersion": {"const": API_VERSION, "description": "Always itsmctl/v1."},
            "kind": {"const": kind, "description": "The kind of document."},
            "metadata": METADATA,
            "spec": spec,
        },
        required=["apiVersion", "kind", "metadata", "spec"],
    )


def file_name(kind: str) -> str:
    return f"{kind.lower()}.schema.json"


@cache
def document_schema(kind: str) -> Schema:
    """The self-contained schema of one kind's documents."""
    return {
        "$schema": DIALECT,
        "title": kind,
        **_envelope(kind, copy.deepcopy(KIND_SPECS[kind])),
        "$defs": copy.deepcopy(COMMON_DEFS),
    }


@cache
def any_document_schema() -> Schema:
    """One schema for any document, dispatching on `kind` (for editors and other tools)."""
    defs: dict[str, Any] = copy.deepcopy(COMMON_DEFS)
    branches = []
    for kind in KIND_NAMES:
        defs[kind] = _envelope(kind, copy.deepcopy(KIND_SPECS[kind]))
        branches.append({
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {"$ref": f"#/$defs/{kind}"},
        })
    return {
        "$schema": DIALECT,
        "title": "itsmctl document",
        "description": "Any itsmctl/v1 document; the `kind` field selects the schema.",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {"kind": {"enum": KIND_NAMES, "description": "The kind of document."}},
        "allOf": branches,
        "$defs": defs,
    }


CONFIG_SCHEMA: Schema = {
    "$schema": DIALECT,
    "title": "itsmctl.yaml",
    **obj(
        "Repository settings for itsmctl (all optional).",
        {
            "paths": obj(
                "Where documents live, relative to the repository root.",
                {
                    key: {"type": "array", "items": {"type": "string", "minLength": 1},
                          "description": f"Folders of {what} documents.", "default": [key]}
                    for key, what in (("catalog", "catalog"), ("policies", "policy"),
                                      ("changes", "change request"))
                },
            ),
            "defaultTimezone": string("The IANA timezone for plain dates.",
                                      default="UTC"),
            "forge": obj(
                "The forge that hosts the repository.",
                {"type": {"enum": ["github"], "description": "The forge's kind."},
                 "repository": string("owner/name on the forge.")},
            ),
            "targets": {
                "type": "object",
                "description": "Settings per build target, by target name.",
                "propertyNames": {"pattern": NAME_PATTERN},
                "additionalProperties": {"type": "object", "description": "Target settings."},
            },
        },
    ),
}


def exported() -> dict[str, str]:
    """File name -> file text, exactly as `itsmctl schema export` writes them."""
    files = {file_name(kind): document_schema(kind) for kind in KIND_NAMES}
    files["itsmctl.schema.json"] = any_document_schema()
    files["itsmctl-config.schema.json"] = CONFIG_SCHEMA
    return {name: json.dumps(schema, indent=2, sort_keys=True) + "\n"
            for name, schema in sorted(files.items())}
