"""Size limits of the policy sandbox: no filter, method or operator may build a value
larger than MAX_SIZE (characters, items or, for integers, bits).

Values are bounded before they are built wherever the size can be known in advance
(repetition, joining, replacing, formatting, concatenation, serialisation), and every
result is checked after; iterators are counted as they are consumed. Methods of text,
lists and mappings are limited to an allow-list of those that cannot build much.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

MAX_SIZE = 100_000  # characters, items, int bits; also the largest integer argument


class LimitExceeded(Exception):
    """An expression ran past the time budget or tried to build an oversized value."""


def size(value: Any, budget: int = MAX_SIZE) -> int:
    """Roughly how large `value` is (characters of text, items of collections, each
    other value 1), counting no further than past `budget`; shared and cyclic parts
    count once."""
    seen: set[int] = set()
    total = 0
    stack = [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            total += len(item)
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        else:
            total += 1
    return total


def refuse(what: str) -> LimitExceeded:
    return LimitExceeded(f"{what} would build a value larger than {MAX_SIZE:,}")


def check_int(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
        shown = value if value.bit_length() < 64 else f"of {value.bit_length()} bits"
        raise LimitExceeded(f"argument {shown} is too large")


def check_args(args: Iterable[Any], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        check_int(value)


class _Counted:
    """An iterator that refuses to yield more than MAX_SIZE items."""

    def __init__(self, items: Iterator[Any]) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        self.count += 1
        if self.count > MAX_SIZE:
            raise refuse("an iteration")
        return next(self.items)


def bounded(value: Any) -> Any:
    """`value` if it is within the limits (iterators: counted as they are consumed)."""
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        if len(value) > MAX_SIZE:
            raise refuse("a result")
    elif isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_SIZE:
            raise refuse("a number")
    elif isinstance(value, Iterator):
        return _Counted(value)
    return value


def _check_total(items: list[Any], what: str, extra: int = 0, each: int = 0) -> None:
    """Refuse when the items' sizes (plus `each` per item and `extra`) pass the limit;
    stops counting as soon as they do."""
    total = extra
    for item in items:
        total += size(item, MAX_SIZE - total) + each
        if total > MAX_SIZE:
            raise refuse(what)


def _materialised(items: Any) -> list[Any]:
    """An iterable as a list, refusing past MAX_SIZE items."""
    if isinstance(items, (list, tuple)):
        return list(items)
    out = []
    for item in items:
        out.append(item)
        if len(out) > MAX_SIZE:
            raise refuse("an iteration")
    return out


# --- filters -------------------------------------------------------------------------------

def _join_filter(f: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(f)
    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = _materialised(value)
        _check_total(items, "join", each=len(str(d)))
        return f(eval_ctx, items, d, attribute)
    return join


def _sized_input(name: str, f: Callable[..., Any], position: int) -> Callable[..., Any]:
    """A filter whose output grows with the size of its input (serialising, summing)."""
    @functools.wraps(f)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if len(args) > position and size(args[position]) > MAX_SIZE:
            raise refuse(name)
        return f(*args, **kwargs)
    return guarded


def _sum_filter(f: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(f)
    def guarded(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        items = _materialised(iterable)
        if any(isinstance(i, (str, bytes, list, tuple)) for i in items):
            _check_total(items, "sum", extra=size(start))
        return f(environment, items, attribute, start)
    return guarded


_PRECHECKED = {"join": _join_filter, "sum": _sum_filter}
_SIZED_INPUT = {"tojson": 1, "string": 0}  # the input's position among the arguments


def guard_filter(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    """A filter with its arguments and its result within the limits."""
    inner = _PRECHECKED[name](f) if name in _PRECHECKED else \
        _sized_input(name, f, _SIZED_INPUT[name]) if name in _SIZED_INPUT else f

    @functools.wraps(f)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check_args(args, kwargs)
        return bounded(inner(*args, **kwargs))
    return guarded


# --- methods -------------------------------------------------------------------------------

SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({
        "capitalize", "casefold", "center", "count", "endswith", "find", "format",
        "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit",
        "islower", "isnumeric", "isspace", "istitle", "isupper", "join", "ljust", "lower",
        "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
        "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith",
        "strip", "swapcase", "title", "upper", "zfill"}),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
}


def safe_method(obj: Any, attribute: str) -> bool:
    """Whether a method of text, a list or a mapping is one that cannot build much."""
    for kind, names in SAFE_METHODS.items():
        if isinstance(obj, kind):
            return attribute in names
    return True


def precheck_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
    """Refuse a call that would build an oversized value; the arguments to call with
    (an iterable to join is materialised once)."""
    check_args(args, kwargs)
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, (str, bytes)):
        if name == "join" and args:
            items = _materialised(args[0])
            _check_total(items, "join", each=len(owner))
            return (items, *args[1:])
        if name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            count = len(owner) + 1 if not old else owner.count(old)
            if len(owner) + count * max(0, len(new) - len(old)) > MAX_SIZE:
                raise refuse("replace")
    return args


_WIDTH = re.compile(r"\d+")


def precheck_format(template: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a str.format whose result can be oversized: widths and precisions past the
    limit, or fields times their largest value past it."""
    largest = max((size(v) for v in (*args, *kwargs.values())), default=0)
    total = len(template)
    try:
        for _literal, field, spec, _conversion in string.Formatter().parse(template):
            if field is None:
                continue
            for number in _WIDTH.findall(spec or ""):
                if len(number) > 6 or int(number) > MAX_SIZE:
                    raise refuse("format")
            total += max(largest, 1)
            if total > MAX_SIZE:
                raise refuse("format")
    except ValueError:
        return  # the format call itself reports the mistake


# --- operators -----------------------------------------------------------------------------

def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) and not isinstance(value, bool) else 0


def precheck_binop(op: str, left: Any, right: Any) -> None:
    if op == "*":
        for value, times in ((left, right), (right, left)):
            length = _length(value)
            if length is not None and isinstance(times, int) and length * times > MAX_SIZE:
                raise refuse("repetition")
        if _bits(left) + _bits(right) > MAX_SIZE:
            raise refuse("multiplication")
    elif op == "**":
        if isinstance(right, (int, float)) and abs(right) > 1000:
            raise LimitExceeded("exponent too large")
        if isinstance(right, int) and _bits(left) * abs(right) > MAX_SIZE:
            raise refuse("a power")
    elif op == "+":
        a, b = _length(left), _length(right)
        if a is not None and b is not None and a + b > MAX_SIZE:
            raise refuse("concatenation")


def concat(values: Iterable[Any]) -> str:
    """`a ~ b ~ c`: the text of each, joined, refused before it grows past the limit."""
    parts = []
    total = 0
    for value in values:
        if size(value) > MAX_SIZE:
            raise refuse("concatenation")
        text = str(value)
        total += len(text)
        if total > MAX_SIZE:
            raise refuse("concatenation")
        parts.append(text)
    return "".join(parts)
