"""Envelope and JSON Schema validation, with errors located at the offending key or value."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from itsmctl import API_VERSION
from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.kinds import KIND_NAMES
from itsmctl.model.documents import Document, Entity
from itsmctl.schemas import document_schema
from itsmctl.text import did_you_mean, format_field
from itsmctl.timecalc import moment, why_not_a_time
from itsmctl.validate.fastschema import Check, Unsupported, compile_schema, ecma_pattern
from itsmctl.yamlio import SCHEMA, scalar_at, yaml11_hint

E = Severity.ERROR
ENVELOPE = Rule("envelope", E,
                "A document lacks the common envelope (apiVersion, kind, metadata.name, spec).")
UNKNOWN_KIND = Rule("unknown-kind", E, "The document's kind is not one itsmctl knows.")
UNKNOWN_FIELD = Rule("unknown-field", E,
                     "A field the kind's schema does not define (often a typo).")
RULES = (ENVELOPE, UNKNOWN_KIND, SCHEMA, UNKNOWN_FIELD)

_TYPE_NAMES = {
    bool: "a boolean", int: "a number", float: "a number", str: "a string",
    list: "a list", dict: "a mapping", type(None): "null",
}
_EXPECTED = {
    "object": "a mapping", "array": "a list", "string": "a string", "boolean": "true or false",
    "integer": "a whole number", "number": "a number", "null": "null",
}


_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}


def _validator(schema: dict[str, Any]) -> Any:
    """jsonschema's validator for a schema, built once (schemas are never changed)."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        import jsonschema

        cls = jsonschema.validators.extend(jsonschema.validators.validator_for(schema),
                                           {"pattern": _pattern})
        cached = _VALIDATORS[id(schema)] = (schema, cls(schema, format_checker=cls.FORMAT_CHECKER))
    return cached[1]


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """jsonschema's `pattern`, with `$` meaning the end of the text (as fastschema)."""
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES[type(value)]
    return str(value)


def _where(path: Sequence[Any]) -> str:
    return f" in {format_field(path)}" if path else ""


_SHAPE = ("type", "const", "enum")


def _best(error: Any) -> Any:
    """For anyOf/oneOf, the most relevant sub-error. With a message of ours, that message
    unless the value has the shape of one branch and fails inside it (then that error)."""
    from jsonschema.exceptions import best_match

    while error.context:
        if "x-error" in error.schema:
            inside = [e for e in error.context if e.validator not in _SHAPE]
            if not inside:
                break
            error = best_match(inside)
        else:
            error = best_match(error.context)
    return error


def _diagnostics_for(document: Document, error: Any) -> Iterator[Diagnostic]:
    error = _best(error)
    path = tuple(error.absolute_path)
    value, validator, schema = error.instance, error.validator, error.schema
    custom = schema.get("x-error") if isinstance(schema, dict) else None

    if validator == "additionalProperties" and isinstance(value, dict):
        known = list(schema.get("properties", {}))
        for key in value:
            if key not in known:
                yield document.diagnostic(
                    UNKNOWN_FIELD,
                    f"unknown field '{key}'{_where(path)}{did_you_mean(key, known)}",
                    (*path, key), key=True)
        return
    if validator == "required" and isinstance(value, dict):
        for key in error.validator_value:
            if key not in value:
                yield document.diagnostic(
                    SCHEMA, f"missing required field '{key}'{_where(path)}", path, key=True)
        return
    if validator == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        got = _TYPE_NAMES.get(type(value), "a value")
        if not isinstance(value, (dict, list)):
            got += f" ({_show(value)})"
        wanted = " or ".join(_EXPECTED.get(str(n), str(n)) for n in names)
        message = f"expected {wanted}, got {got}"
        message += _yaml11(document, path, "string" in names)
    elif validator == "enum":
        options = [str(v) for v in error.validator_value if v is not None]
        message = f"{_show(value)} is not one of: {', '.join(options)}"
        if isinstance(value, str):
            message += did_you_mean(value, options)
        message += _yaml11(document, path, True)
    elif validator == "const":
        message = f"expected {_show(error.validator_value)}, got {_show(value)}"
    elif validator == "format" and isinstance(value, str) and _impossible_time(value):
        message = f"{_show(value)} is {_impossible_time(value)}"
    elif custom:
        message = f"{_show(value)}: {custom}" if not isinstance(value, dict) else custom
    elif validator == "pattern":
        message = f"{_show(value)} does not match {error.validator_value}"
    elif validator == "format":
        message = f"{_show(value)} is not a valid {error.validator_value}"
    elif validator == "minItems":
        message = f"needs at least {error.validator_value} item(s)"
    elif validator == "uniqueItems":
        message = "has duplicate items"
    elif validator == "minLength":
        least = error.validator_value
        message = "must not be empty" if least == 1 else f"needs at least {least} characters"
    elif validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        signs = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">",
                 "exclusiveMaximum": "<"}
        message = f"{_show(value)} must be {signs[validator]} {error.validator_value}"
    else:
        message = error.message
    prefix = f"{format_field(path)}: " if path else ""
    yield document.diagnostic(SCHEMA, f"{prefix}{message}", path)


def _impossible_time(value: str) -> str | None:
    """Why a date or date-time of the right shape is still not one (February 30th, the
    year 9999), or None."""
    try:
        moment(value)
    except ValueError as error:
        why = why_not_a_time(error)
        return None if why.startswith("not a date") else why
    return None


def _yaml11(document: Document, path: tuple[Any, ...], wanted_text: bool) -> str:
    if not wanted_text:
        return ""
    nodes = document.file.nodes()
    if document.index >= len(nodes):
        return ""
    node = scalar_at(nodes[document.index], path)
    hint = yaml11_hint(node) if node is not None else None
    return f"; {hint}" if hint else ""


_FAST: dict[int, tuple[dict[str, Any], Check | None]] = {}


def _fast(schema: dict[str, Any]) -> Check | None:
    """The compiled check of a schema (None where it uses what fastschema does not know)."""
    cached = _FAST.get(id(schema))
    if cached is None or cached[0] is not schema:
        try:
            check: Check | None = compile_schema(schema)
        except Unsupported:
            check = None
        cached = _FAST[id(schema)] = (schema, check)
    return cached[1]


def schema_diagnostics(document: Document, schema: dict[str, Any]) -> list[Diagnostic]:
    """Every schema error of a document: none when the compiled check passes it, else
    through jsonschema, for its precise errors (imported only then)."""
    fast = _fast(schema)
    if fast is not None and fast(document.data):
        return []
    validator = _validator(schema)
    found: list[Diagnostic] = []
    for error in validator.iter_errors(document.data):
        found.extend(_diagnostics_for(document, error))
    return list(dict.fromkeys(found))  # several branches may find the same mistake


def _envelope(document: Document) -> Diagnostic | None:
    data = document.data
    if not isinstance(data, dict):
        return document.diagnostic(
            ENVELOPE, "a document must be a mapping with apiVersion, kind, metadata and spec")
    version = data.get("apiVersion")
    if version is None:
        return document.diagnostic(ENVELOPE, f"missing apiVersion (expected {API_VERSION})")
    if version != API_VERSION:
        return document.diagnostic(
            ENVELOPE, f"unsupported apiVersion {_show(version)} (expected {API_VERSION})",
            ("apiVersion",))
    kind = data.get("kind")
    if not isinstance(kind, str):
        return document.diagnostic(ENVELOPE, "missing kind (a string such as Service)",
                                   ("kind",) if "kind" in data else ())
    if kind not in KIND_NAMES:
        return document.diagnostic(
            UNKNOWN_KIND, f"unknown kind '{kind}'{did_you_mean(kind, KIND_NAMES)}", ("kind",))
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and metadata.get("name") is not None \
            and not isinstance(metadata["name"], str):
        name = metadata["name"]
        got = _TYPE_NAMES.get(type(name), "a value")
        got += "" if isinstance(name, (dict, list)) else f" ({_show(name)})"
        message = f"metadata.name: expected a string, got {got}"
        return document.diagnostic(ENVELOPE, message + _yaml11(document, ("metadata", "name"),
                                                                True), ("metadata", "name"))
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        where = ("metadata",) if isinstance(metadata, dict) else ()
        return document.diagnostic(ENVELOPE, "missing metadata.name", where, key=True)
    return None


def envelope_name(document: Document) -> tuple[str, str] | None:
    """(kind, name) of a document whose envelope is sound, even if its spec is not."""
    if _envelope(document) is not None:
        return None
    return document.data["kind"], document.data["metadata"]["name"]


def validate_document(document: Document) -> tuple[Entity | None, list[Diagnostic]]:
    problem = _envelope(document)
    if problem:
        return None, [problem]
    kind = document.data["kind"]
    diagnostics = schema_diagnostics(document, document_schema(kind))
    if diagnostics:
        return None, diagnostics
    data = document.data
    entity = Entity(kind, data["metadata"]["name"], document, data["metadata"], data["spec"])
    return entity, []
