"""The sandboxed Jinja2 language of policy expressions and message templates.

A pull request is untrusted input, and policies travel in pull requests. So on top of
Jinja2's `ImmutableSandboxedEnvironment` (no attribute starting with '_', no mutation,
no unsafe callables):
- no globals at all (`lipsum`, `cycler`, `joiner`, `namespace`, `range` are the usual
  footholds of sandbox escapes), and an allow-list of filters;
- no statements in templates that read files (`include`, `import`, `extends`), recurse
  (`macro`, `call`, recursive loops) or build values (`set`), checked before compiling;
- arithmetic that would build huge values (`'x' * 10**9`, `2 ** 10**9`, `'%099999d' % 1`)
  and calls with huge numeric arguments (`'x'.ljust(10**9)`) are refused;
- a wall-clock budget per policy (`time_limit`) and a cap on rendered message length.
Undefined values are strict, so a typo is an error, not a silent pass.
"""

from __future__ import annotations

import datetime as dt
import operator
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from itsmctl.kinds import ref
from itsmctl.policy import limits
from itsmctl.policy.limits import LimitExceeded
from itsmctl.text import did_you_mean, parse_percent
from itsmctl.timecalc import parse_duration

MAX_MESSAGE = 2_000  # characters of a rendered message
MAX_SOURCE = 10_000  # characters of one expression or template
TIME_LIMIT = 10.0  # seconds one policy may spend over the whole catalog

POLICY_NAMES = frozenset({"entity", "catalog", "today", "now"})
APPROVAL_NAMES = frozenset({"change", "catalog", "today", "now"})
# Jinja2's default globals: named so the diagnostic can say why they are missing.
_ESCAPE_GLOBALS = frozenset({"lipsum", "cycler", "joiner", "namespace", "range", "dict",
                             "self", "config", "request", "os", "__builtins__"})
REFERENCED_BY = "itsmctl:referenced-by"  # a context key templates cannot name


def minutes(value: Any) -> float:
    """A duration ('1h30m', docs/format.md) as minutes."""
    return parse_duration(str(value)).total_seconds() / 60


def hours(value: Any) -> float:
    return minutes(value) / 60


def percent(value: Any) -> float:
    """'75%' (an escalation threshold) as the number 75."""
    return parse_percent(value)


def days_until(context: Any, value: Any) -> int:
    """Days from the run's `today` to a date (negative when it is past)."""
    day = dt.date.fromisoformat(str(value)[:10])
    today = context.get("today")
    return (day - (today if isinstance(today, dt.date) else dt.date.today())).days


def referenced_by(context: Any, value: Any, kind: str | None = None) -> list[Any]:
    """The documents whose references name this one (optionally of one kind), sorted."""
    index: Mapping[str, list[Any]] = context.get(REFERENCED_BY) or {}
    if not isinstance(value, Mapping):
        return []
    name = ref(str(value.get("kind")), str(value.get("metadata", {}).get("name")))
    return [d for d in index.get(name, ()) if kind is None or d.get("kind") == kind]


def _replace(value: Any, old: str, new: str, count: int = -1) -> str:
    text = str(value)
    limits.precheck_call(text.replace, (str(old), str(new)), {})
    return text.replace(old, new, count)


# Filters that are handed the template context first (Jinja2's pass_context, applied when
# the environment is built, so that importing this module does not import Jinja2).
CONTEXT_FILTERS = frozenset({"days_until", "referenced_by"})
OWN_FILTERS: dict[str, Callable[..., Any]] = {
    "minutes": minutes, "hours": hours, "percent": percent, "days_until": days_until,
    "referenced_by": referenced_by, "replace": _replace,
}
# Jinja2's built-in filters that cannot build unbounded values or reach outside.
SAFE_BUILTIN_FILTERS = frozenset({
    "abs", "attr", "batch", "capitalize", "count", "d", "default", "dictsort", "first",
    "float", "groupby", "int", "items", "join", "last", "length", "list", "lower", "map",
    "max", "min", "reject", "rejectattr", "round", "select", "selectattr", "sort", "string",
    "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
})
_FORBIDDEN_STATEMENTS = {
    "Include": "include reads files", "Import": "import reads files",
    "FromImport": "import reads files", "Extends": "extends reads files",
    "Macro": "macros can recurse", "CallBlock": "call blocks can recurse",
    "Assign": "set is not available; write the value inline",
    "AssignBlock": "set is not available; write the value inline",
    "FilterBlock": "filter blocks are not available", "Block": "blocks are not available",
    "With": "with is not available",
}


@cache
def environment() -> Any:
    """The one policy environment of the process."""
    from jinja2 import StrictUndefined, pass_context
    from jinja2.compiler import CodeGenerator, Frame
    from jinja2.exceptions import SecurityError
    from jinja2.nodes import Concat
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class BoundedCodeGenerator(CodeGenerator):
        def visit_Concat(self, node: Concat, frame: Frame) -> None:
            # `a ~ b` through limits.concat, which refuses an oversized result
            self.write("environment.concat((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class PolicyEnvironment(ImmutableSandboxedEnvironment):
        code_generator_class = BoundedCodeGenerator
        intercepted_binops = frozenset({"*", "**", "%", "+"})
        concat = staticmethod(limits.concat)

        def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
            if op == "%" and isinstance(left, str):
                raise SecurityError("printf-style formatting of strings is not available")
            limits.precheck_binop(op, left, right)
            return limits.bounded(_BINOPS[op](left, right))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            args = limits.precheck_call(__obj, args, kwargs)
            return limits.bounded(super().call(__context, __obj, *args, **kwargs))

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            return (super().is_safe_attribute(obj, attr, value)
                    and (not callable(value) or limits.safe_method(obj, attr)))

        def wrap_str_format(self, value: Any) -> Any:
            wrapped = super().wrap_str_format(value)
            if wrapped is None:
                return None
            template, is_map = value.__self__, value.__name__ == "format_map"

            def bounded_format(*args: Any, **kwargs: Any) -> Any:
                fields = args[0] if is_map and args and isinstance(args[0], Mapping) else kwargs
                limits.precheck_format(template, () if is_map else args, fields)
                return limits.bounded(wrapped(*args, **kwargs))
            return bounded_format

        def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
            # Jinja2 returns an undefined value (so `x._y is defined` is merely false);
            # an attempt on a private attribute or a refused method is reported.
            raise SecurityError(f"access to {attribute!r} of a {type(obj).__name__} is refused")

        def getattr(self, obj: Any, attribute: str) -> Any:
            # Data wins over methods for documents: `spec.items` is the field, not dict.items.
            if type(obj) is dict and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    env = PolicyEnvironment(undefined=StrictUndefined, autoescape=False)
    env.globals.clear()
    filters = {name: f for name, f in env.filters.items() if name in SAFE_BUILTIN_FILTERS}
    filters.update({name: pass_context(f) if name in CONTEXT_FILTERS else f
                    for name, f in OWN_FILTERS.items()})
    env.filters = {name: limits.guard_filter(name, f) for name, f in filters.items()}
    return env


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul, "**": operator.pow, "%": operator.mod, "+": operator.add}


@dataclass(frozen=True)
class Problem:
    """Why a source cannot be used: it is wrong, or (`unsafe`) the sandbox refuses it."""

    unsafe: bool
    message: str


def _parse_expression(source: str) -> Any:
    """An expression's syntax tree (raises TemplateSyntaxError), as Jinja2's
    `compile_expression` parses it."""
    from jinja2 import TemplateSyntaxError
    from jinja2.parser import Parser

    parser = Parser(environment(), source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        raise TemplateSyntaxError("unexpected text after the expression",
                                  parser.stream.current.lineno)
    return expr


def _syntax(source: str, template: bool) -> tuple[Any, Problem | None]:
    from jinja2 import TemplateSyntaxError, nodes

    env = environment()
    try:
        if template:
            return env.parse(source), None
        tree = nodes.Template([nodes.Output([_parse_expression(source)])])
        tree.set_environment(env)
        return tree, None
    except TemplateSyntaxError as error:
        where = f"line {error.lineno} of the expression: " if error.lineno and error.lineno > 1 \
            else ""
        return None, Problem(False, f"does not compile: {where}{error.message}")


def _unsafe(tree: Any) -> Iterator[str]:
    from jinja2 import nodes

    for node in tree.find_all(nodes.Node):
        name = type(node).__name__
        if name in _FORBIDDEN_STATEMENTS:
            yield f"'{name.lower()}' is not allowed ({_FORBIDDEN_STATEMENTS[name]})"
        elif isinstance(node, nodes.For) and node.recursive:
            yield "recursive loops are not allowed"
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            yield f"attribute '{node.attr}' starts with '_'; such attributes are refused"
        elif (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
              and isinstance(node.arg.value, str) and node.arg.value.startswith("_")):
            yield f"item '{node.arg.value}' starts with '_'; such attributes are refused"
        elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name in _ESCAPE_GLOBALS:
            yield f"'{node.name}' is not available in policies (a known sandbox-escape route)"


def _unknown_names(tree: Any, names: frozenset[str]) -> list[str]:
    from jinja2 import meta

    return sorted(meta.find_undeclared_variables(tree) - names - _ESCAPE_GLOBALS)


def _unknown_filter_or_test(tree: Any) -> Problem | None:
    from jinja2 import nodes
    from jinja2.filters import FILTERS as DEFAULT_FILTERS

    env = environment()
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        is_filter = isinstance(node, nodes.Filter)
        table = env.filters if is_filter else env.tests
        if node.name in table:
            continue
        what = "filter" if is_filter else "test"
        if is_filter and node.name in DEFAULT_FILTERS:
            return Problem(False, f"uses filter '{node.name}', which is not available in "
                                  "policies (docs/policies.md lists the filters)")
        return Problem(False, f"uses unknown {what} '{node.name}'"
                              f"{did_you_mean(node.name, sorted(table))}")
    return None


@cache
def problem(source: str, template: bool, names: frozenset[str] = POLICY_NAMES) -> Problem | None:
    """The first reason this expression (or template) cannot run, or None."""
    if len(source) > MAX_SOURCE:
        return Problem(False, f"is {len(source)} characters; the limit is {MAX_SOURCE}")
    tree, syntax = _syntax(source, template)
    if syntax is not None:
        return syntax
    for reason in _unsafe(tree):
        return Problem(True, f"is unsafe: {reason}")
    missing = _unknown_filter_or_test(tree)
    if missing is not None:
        return missing
    unknown = _unknown_names(tree, names)
    if unknown:
        hint = did_you_mean(unknown[0], sorted(names))
        return Problem(False,
                       f"uses unknown name '{unknown[0]}'{hint}; available: "
                       + ", ".join(sorted(names)))
    return None


# What an expression may do and still read only a bounded part of its entity's resolved
# document (see `reach`): filters and string methods that neither turn a document into
# text nor compare two documents.
HOP_KEYS = frozenset({"spec", "metadata"})
_SHALLOW_FILTERS = frozenset({
    "abs", "attr", "batch", "count", "d", "days_until", "default", "first", "float",
    "groupby", "hours", "int", "last", "length", "list", "map", "max", "min", "minutes",
    "percent", "referenced_by", "reject", "rejectattr", "round", "select", "selectattr",
    "sort", "sum", "unique",
})
_SHALLOW_METHODS = frozenset({"get", "keys", "startswith", "endswith", "split", "strip",
                              "lstrip", "rstrip", "lower", "upper", "isdigit"})
_ENTITY_NAMES = frozenset({"entity", "today", "now"})


@dataclass(frozen=True)
class Reach:
    """How far an expression can read from its `entity` (see `reach`)."""

    depth: int  # references crossed: 0 reads the entity's own fields
    keys: frozenset[str]  # which parts of documents it reads: spec, metadata
    reverse: bool = False  # it also crosses references backwards (`referenced_by`)

    def __or__(self, other: Reach) -> Reach:
        return Reach(max(self.depth, other.depth), self.keys | other.keys,
                     self.reverse or other.reverse)


def _constant(node: Any) -> bool:
    from jinja2 import nodes

    if isinstance(node, nodes.Const):
        return True
    if isinstance(node, (nodes.List, nodes.Tuple)):
        return all(_constant(item) for item in node.items)
    if isinstance(node, nodes.Dict):
        return all(_constant(pair.key) and _constant(pair.value) for pair in node.items)
    return False


def _bounded(node: Any) -> bool:
    """Whether one node keeps the expression's reading bounded (see `reach`)."""
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name in _ENTITY_NAMES
    if isinstance(node, nodes.Getattr):
        return node.attr not in ("values", "items", "copy")
    if isinstance(node, nodes.Getitem):
        return _constant(node.arg)
    if isinstance(node, (nodes.Filter, nodes.Test, nodes.Call)):
        arguments = [*node.args, *(k.value for k in node.kwargs)]
        if node.dyn_args is not None or node.dyn_kwargs is not None \
                or not all(_constant(a) for a in arguments):
            return False
        if isinstance(node, nodes.Filter):
            named = [a.value for a in node.args[:1] if node.name in ("map",)
                     and isinstance(a, nodes.Const) and isinstance(a.value, str)]
            return node.name in _SHALLOW_FILTERS and all(n in _SHALLOW_FILTERS for n in named)
        if isinstance(node, nodes.Call):
            return isinstance(node.node, nodes.Getattr) and node.node.attr in _SHALLOW_METHODS
        return True
    if isinstance(node, nodes.Compare):
        operands = [node.expr, *(op.expr for op in node.ops)]
        return sum(not _constant(o) for o in operands) <= 1
    return not isinstance(node, nodes.Concat)


def _hop_keys(node: Any) -> list[str]:
    """The names spec/metadata in a node's constant string arguments ('spec.tier')."""
    from jinja2 import nodes

    values = [*node.args, *(k.value for k in node.kwargs)] if isinstance(
        node, (nodes.Filter, nodes.Test, nodes.Call)) else []
    return [part for value in values if isinstance(value, nodes.Const)
            and isinstance(value.value, str) for part in value.value.split(".")
            if part in HOP_KEYS]


def _chain(node: Any, keys: set[str], memo: dict[int, int]) -> int:
    """How many times spec/metadata are crossed to make this value: its attribute
    chain, through filters, method calls, conditionals and operators."""
    from jinja2 import nodes

    if id(node) in memo:
        return memo[id(node)]
    inner = 0
    if isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Slice)):
        inner = _chain(node.node, keys, memo) if hasattr(node, "node") else 0
        name = node.attr if isinstance(node, nodes.Getattr) else (
            node.arg.value if isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const) else None)
        if name in HOP_KEYS:
            keys.add(str(name))
            inner += 1
    elif isinstance(node, (nodes.Filter, nodes.Test)):
        found = _hop_keys(node)
        keys.update(found)
        # referenced_by reaches documents one reference away, as `.spec.<reference>` would
        backwards = node.name == "referenced_by" or any(
            isinstance(a, nodes.Const) and a.value == "referenced_by" for a in node.args)
        inner = (_chain(node.node, keys, memo) if node.node is not None else 0) + len(found) \
            + backwards
    elif isinstance(node, nodes.Call):
        found = _hop_keys(node)
        keys.update(found)
        receiver = node.node.node if isinstance(node.node, nodes.Getattr) else node.node
        inner = _chain(receiver, keys, memo) + len(found)
    else:
        inner = max((_chain(child, keys, memo) for child in node.iter_child_nodes()),
                    default=0)
    memo[id(node)] = inner
    return inner


@cache
def reach(source: str) -> Reach | None:
    """How far an expression can read from its `entity`: how many references deep (0: the
    entity's own fields, and whether the documents they name exist; 1: the fields of those
    documents too; ...), which parts of documents (spec, metadata), and whether it follows
    references backwards (`referenced_by`). None when that cannot be bounded: it reads
    `catalog`, turns a value into text, or compares two values that are not constants
    (comparing two documents reads everything they reach).

    Reading a document's fields takes one `spec` or `metadata` per document crossed
    (written as attributes, items, or in dotted attribute strings such as selectattr's;
    `referenced_by` crosses one reference backwards as `.spec.<reference>` crosses one
    forwards), so the depth is the most of them along one chain of values, less the
    entity's own. Two versions of a catalog in which nothing an entity reaches within that
    bound differs give such an expression the same answer."""
    from jinja2 import nodes

    try:
        tree = _parse_expression(source)
    except Exception:
        return None
    every = (tree, *tree.find_all(nodes.Node))
    if not all(_bounded(node) for node in every):
        return None
    keys: set[str] = set()
    backwards = any((isinstance(n, nodes.Filter) and n.name == "referenced_by") or
                    (isinstance(n, nodes.Const) and n.value == "referenced_by") for n in every)
    memo: dict[int, int] = {}
    deepest = max(_chain(node, keys, memo) for node in every)
    return Reach(max(0, deepest - 1), frozenset(keys), backwards)


class Expression:
    """A compiled expression. Evaluate it in a Scope: one Jinja2 context per entity,
    shared by all the expressions judged on that entity (a context per call is most
    of the cost of `compile_expression`'s callables)."""

    __slots__ = ("template",)

    def __init__(self, template: Any) -> None:
        self.template = template


class Scope:
    __slots__ = ("context", "variables")

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables
        self.context: Any = None

    def evaluate(self, expression: Expression) -> Any:
        if self.context is None:
            self.context = expression.template.new_context(self.variables)
        for _ in expression.template.root_render_func(self.context):
            pass  # jinja2.utils.consume, without an import statement on this hot path
        return self.context.vars.pop("result")


@cache
def compiled_expression(source: str) -> Expression:
    """Compile once per process (the same steps as Jinja2's `compile_expression`)."""
    from jinja2 import nodes

    body = [nodes.Assign(nodes.Name("result", "store"), _parse_expression(source), lineno=1)]
    return Expression(environment().from_string(nodes.Template(body, lineno=1)))


@cache
def compiled_template(source: str) -> Any:
    return environment().from_string(source)


def render(source: str, context: Mapping[str, Any]) -> str:
    """A message, cut at MAX_MESSAGE characters: rendering stops there (a template that
    would write more is not run to its end)."""
    parts: list[str] = []
    total = 0
    generator = compiled_template(source).generate(context)
    try:
        for part in generator:
            parts.append(part)
            total += len(part)
            if total > MAX_MESSAGE:
                break
    finally:
        generator.close()
    text = "".join(parts)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def describe(error: BaseException) -> str:
    """A one-line account of why an evaluation failed, for the finding's message."""
    from jinja2.exceptions import SecurityError, UndefinedError

    if isinstance(error, UndefinedError):
        return str(error.message or "undefined value")
    if isinstance(error, SecurityError):
        return f"refused by the sandbox: {error}"
    if isinstance(error, RecursionError):
        return "nesting too deep"
    if isinstance(error, LimitExceeded):
        return str(error)
    return f"{type(error).__name__}: {error}"


def stops_policy(error: BaseException) -> bool:
    """Errors that stop a whole policy (the sandbox refused, a limit was hit), unlike
    those that only make one assertion fail."""
    from jinja2.exceptions import SecurityError

    return isinstance(error, (SecurityError, LimitExceeded, RecursionError))


def _on_alarm(signum: int, frame: Any) -> None:
    raise LimitExceeded("time limit exceeded")


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` of wall-clock time (main thread, POSIX);
    elsewhere the caller's own elapsed-time checks between entities are the limit."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
