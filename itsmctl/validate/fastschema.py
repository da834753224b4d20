"""A compiled yes/no validator for the subset of JSON Schema that itsmctl's schemas use.

Why: `jsonschema` walks every keyword of every document through generic machinery,
which alone would cost more than parsing a large catalog. Nearly all documents are
valid, so they are answered here in a few microseconds; only documents this says
are invalid go to `jsonschema` for its precise error messages. A property test keeps
the two verdicts identical. A keyword this module does not know raises `Unsupported`
at compile time, and the caller then uses `jsonschema` for everything.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = {
    "$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples",
    "deprecated", "readOnly", "writeOnly",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


_END = re.compile(r"(?<!\\)\$")


@functools.cache
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """A schema's `pattern` as JSON Schema means it (ECMA-262): `$` is the end of the
    text. In Python it also matches before a final newline, which would let "name\n"
    pass as a name."""
    return re.compile(_END.sub(r"\\Z", pattern))


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not implement."""


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "number": _is_number,
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool))
    or (isinstance(x, float) and x.is_integer()),
}


def _json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it: true is not 1, 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _unique(items: list[Any]) -> bool:
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if _json_equal(a, b):
                return False
    return True


def _is_date(x: Any) -> bool:
    if not isinstance(x, str):
        return True
    if not _DATE.match(x):
        return False
    try:
        datetime.date.fromisoformat(x)
    except ValueError:
        return False
    return True


_FORMATS: dict[str, Check] = {
    "date": _is_date,
    "email": lambda x: not isinstance(x, str) or "@" in x,
}


class Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self._refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        checks: list[Check] = []
        for keyword in schema:
            if keyword in _ANNOTATIONS or keyword.startswith("x-"):
                continue
            builder = getattr(self, "_k_" + keyword.lstrip("$"), None)
            if builder is None:
                if keyword in ("then", "else", "minItems", "maxItems", "uniqueItems",
                               "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                               "minLength", "maxLength", "properties", "required",
                               "additionalProperties", "propertyNames"):
                    continue  # handled together with their partner keyword below
                raise Unsupported(keyword)
            check = builder(schema)
            if check is not None:
                checks.append(check)
        for group in (self._object, self._array, self._number, self._string, self._if):
            check = group(schema)
            if check is not None:
                checks.append(check)
        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]

        def all_of(x: Any) -> bool:
            for check in checks:  # noqa: SIM110 - a plain loop is faster on this hot path
                if not check(x):
                    return False
            return True

        return all_of

    # single keywords -----------------------------------------------------------------
    def _k_type(self, schema: dict[str, Any]) -> Check:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        tests = [_TYPES[name] for name in names]
        if len(tests) == 1:
            return tests[0]
        return lambda x: any(test(x) for test in tests)

    def _k_enum(self, schema: dict[str, Any]) -> Check:
        values = list(schema["enum"])
        if all(isinstance(v, str) for v in values):
            allowed = frozenset(values)
            return lambda x: isinstance(x, str) and x in allowed
        return lambda x: any(_json_equal(x, v) for v in values)

    def _k_const(self, schema: dict[str, Any]) -> Check:
        value = schema["const"]
        return lambda x: _json_equal(x, value)

    def _k_pattern(self, schema: dict[str, Any]) -> Check:
        search = ecma_pattern(schema["pattern"]).search
        return lambda x: not isinstance(x, str) or search(x) is not None

    def _k_format(self, schema: dict[str, Any]) -> Check | None:
        return _FORMATS.get(schema["format"])  # unknown formats only annotate

    def _k_ref(self, schema: dict[str, Any]) -> Check:
        target = schema["$ref"]
        if not target.startswith("#/"):
            raise Unsupported(f"$ref {target}")
        if target not in self._refs:
            node: Any = self.root
            for part in target[2:].split("/"):
                node = node[part]
            self._refs[target] = lambda x: True  # placeholder while compiling cycles
            self._refs[target] = self.compile(node)
        refs = self._refs
        return lambda x: refs[target](x)

    def _k_allOf(self, schema: dict[str, Any]) -> Check:
        checks = [self.compile(s) for s in schema["allOf"]]
        return lambda x: all(check(x) for check in checks)

    def _k_anyOf(self, schema: dict[str, Any]) -> Check:
        checks = [self.compile(s) for s in schema["anyOf"]]
        return lambda x: any(check(x) for check in checks)

    def _k_oneOf(self, schema: dict[str, Any]) -> Check:
        checks = [self.compile(s) for s in schema["oneOf"]]
        return lambda x: sum(1 for check in checks if check(x)) == 1

    def _k_not(self, schema: dict[str, Any]) -> Check:
        check = self.compile(schema["not"])
        return lambda x: not check(x)

    def _k_items(self, schema: dict[str, Any]) -> Check:
        check = self.compile(schema["items"])
        return lambda x: not isinstance(x, list) or all(check(item) for item in x)

    def _k_if(self, schema: dict[str, Any]) -> None:
        return None  # compiled by _if with then/else

    # keyword groups --------------------------------------------------------------------
    def _object(self, schema: dict[str, Any]) -> Check | None:
        if not any(k in schema for k in ("properties", "required", "additionalProperties",
                                          "propertyNames")):
            return None
        props = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra_schema = schema.get("additionalProperties", True)
        extra: Check | None = None if extra_schema is True else self.compile(extra_schema)
        names_schema = schema.get("propertyNames", True)
        names: Check | None = None
        if names_schema is not True and any(
            not (k in _ANNOTATIONS or k.startswith("x-")) for k in names_schema
        ):
            names = self.compile(names_schema)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for key in required:
                if key not in x:
                    return False
            for key, value in x.items():
                if names is not None and not names(key):
                    return False
                prop = props.get(key)
                if prop is not None:
                    if not prop(value):
                        return False
                elif extra is not None and not extra(value):
                    return False
            return True

        return check

    def _array(self, schema: dict[str, Any]) -> Check | None:
        low, high = schema.get("minItems"), schema.get("maxItems")
        unique = schema.get("uniqueItems", False)
        if low is None and high is None and not unique:
            return None

        def check(x: Any) -> bool:
            if not isinstance(x, list):
                return True
            if low is not None and len(x) < low:
                return False
            if high is not None and len(x) > high:
                return False
            return not unique or _unique(x)

        return check

    def _number(self, schema: dict[str, Any]) -> Check | None:
        bounds = [(k, schema[k]) for k in ("minimum", "maximum", "exclusiveMinimum",
                                           "exclusiveMaximum") if k in schema]
        if not bounds:
            return None
        tests: dict[str, Callable[[Any, Any], bool]] = {
            "minimum": lambda x, b: x >= b, "maximum": lambda x, b: x <= b,
            "exclusiveMinimum": lambda x, b: x > b, "exclusiveMaximum": lambda x, b: x < b,
        }
        pairs = [(tests[k], b) for k, b in bounds]
        return lambda x: not _is_number(x) or all(test(x, b) for test, b in pairs)

    def _string(self, schema: dict[str, Any]) -> Check | None:
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low is None and high is None:
            return None
        return lambda x: not isinstance(x, str) or (
            (low is None or len(x) >= low) and (high is None or len(x) <= high)
        )

    def _if(self, schema: dict[str, Any]) -> Check | None:
        if "if" not in schema:
            return None
        condition = self.compile(schema["if"])
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda x: then(x) if condition(x) else otherwise(x)


def compile_schema(schema: dict[str, Any]) -> Check:
    return Compiler(schema).compile(schema)
