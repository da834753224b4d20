"""JSON Schemas (draft 2020-12) of every kind: built here, exported to a repo's schemas/."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from itsmctl import API_VERSION
from itsmctl.kinds import KIND_NAMES
from itsmctl.schemas.build import (
    COMMON_DEFS,
    NAME_PATTERN,
    Schema,
    array,
    boolean,
    enum,
    obj,
    string,
    string_map,
    text,
)
from itsmctl.schemas.kinds import KIND_SPECS

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
            "review": obj(
                "How pull requests are reviewed (`itsmctl review`, `itsmctl codeowners`); "
                "read from the pull request's base.",
                {"cab": {"type": "string", "pattern": NAME_PATTERN,
                         "description": "The Team that approval rules mean by `role: cab` "
                                        "(the change advisory board); it also owns the "
                                        "policies and these settings in CODEOWNERS."},
                 "keepApprovalsOnPush": boolean(
                     "Whether an approval given on an older head commit still counts "
                     "after new commits are pushed (GitHub's 'dismiss stale approvals' "
                     "off).", default=False)},
            ),
            "rules": {
                "type": "object",
                "description": "Built-in rules turned off, or given another severity, by rule "
                               "id (`itsmctl rules` lists them). Rules whose failure means a "
                               "document cannot be read cannot be changed.",
                "propertyNames": {"pattern": "^[a-z][a-z0-9-]*$",
                                  "x-error": "a rule id such as waiver-unused"},
                "additionalProperties": enum(
                    "off, or the severity its findings get (unquoted, YAML reads off as "
                    "false: both turn the rule off).", ["off", False, "error", "warning", "info"]),
            },
            "targets": {
                "type": "object",
                "description": "Settings per build target, by target name.",
                "propertyNames": {"pattern": NAME_PATTERN},
                "additionalProperties": {"type": "object", "description": "Target settings."},
            },
        },
    ),
}


_EXPECTATION = obj(
    "A finding the case expects.",
    {
        "policy": {"type": "string", "pattern": NAME_PATTERN, "description": "The policy's name."},
        "entity": string("The document the finding is about, as Kind/name.",
                         pattern=r"^[A-Za-z]+/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
        "severity": enum("The finding's severity (default: any).", ["error", "warning", "info"]),
        "suppressed": boolean("Whether a waiver suppresses the finding.", default=False),
        "message": string("Text the finding's message must contain."),
    },
    required=["policy", "entity"],
)
_DOCUMENTS = {"type": "array", "items": {"type": "object"},
              "description": "Documents (full envelopes) added to the fixtures; one with the "
                             "kind and name of a fixture document replaces it."}
_FIXTURES = array("Files or folders of documents, relative to this file.",
                  {"type": "string", "minLength": 1})
_NOW = string("The instant policies see as now (a date or ISO date-time).", minLength=10)

POLICY_TEST_SCHEMA: Schema = {
    "$schema": DIALECT,
    "title": "itsmctl policy test file (*.test.yaml)",
    **obj(
        "Unit tests for policies, run by `itsmctl policy test`.",
        {
            "policies": array("The policies whose findings the cases compare (default: all).",
                              {"type": "string", "pattern": NAME_PATTERN}, unique=True),
            "fixtures": _FIXTURES,
            "documents": _DOCUMENTS,
            "now": _NOW,
            "cases": array("The test cases.", obj(
                "One case: a small catalog and the findings expected on it.",
                {
                    "name": text("What the case shows."),
                    "fixtures": _FIXTURES,
                    "documents": _DOCUMENTS,
                    "remove": array("Fixture documents left out of this case, as Kind/name.",
                                    {"type": "string", "pattern": r"^[A-Za-z]+/[a-z0-9-]+$"}),
                    "policies": array("Overrides the file's policies for this case.",
                                      {"type": "string", "pattern": NAME_PATTERN}, unique=True),
                    "now": _NOW,
                    "expect": {
                        "oneOf": [{"const": "none"}, array("The findings.", _EXPECTATION,
                                                           minItems=1)],
                        "description": "`none`, or the list of findings expected "
                                       "(all of them: an extra finding fails the case).",
                        "x-error": "expect is `none` or a list of {policy, entity}",
                    },
                },
                required=["name", "expect"],
            ), minItems=1),
        },
        required=["cases"],
    ),
}


def exported() -> dict[str, str]:
    """File name -> file text, exactly as `itsmctl schema export` writes them."""
    files = {file_name(kind): document_schema(kind) for kind in KIND_NAMES}
    files["itsmctl.schema.json"] = any_document_schema()
    files["itsmctl-config.schema.json"] = CONFIG_SCHEMA
    files["itsmctl-policy-test.schema.json"] = POLICY_TEST_SCHEMA
    return {name: json.dumps(schema, indent=2, sort_keys=True) + "\n"
            for name, schema in sorted(files.items())}
