"""Safe YAML: libyaml parsing, our own node conversion, positions on demand.

Why our own conversion instead of `yaml.safe_load`: it lets one pass reject duplicate
keys, non-JSON tags and alias bombs, keeps dates as strings, and is faster than
PyYAML's constructor. Positions are not kept per value: the source text is kept, and
the file is composed again only when a diagnostic needs a `line:col`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from itsmctl.diagnostics import Rule, Severity

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing: pure Python, slower
    # The same documents are read alike (tests/test_yamlio.py runs the example catalog and
    # every fixture through both); only the wording of some syntax errors differs.
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 1024 * 1024
MAX_DOCUMENT_NODES = 200_000
MAX_DEPTH = 64
_SYNTAX_DEPTH_LIMIT = 256

JsonPath = tuple[str | int, ...]

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
_TIMESTAMP, _MERGE, _MAP, _SEQ = _T + "timestamp", _T + "merge", _T + "map", _T + "seq"
_YAML11_SURPRISES = {_BOOL: "a boolean", _INT: "a number", _FLOAT: "a number", _NULL: "null"}

_constructor = yaml.constructor.SafeConstructor()

E = Severity.ERROR
YAML_SYNTAX = Rule("yaml-syntax", E, "The file is not well-formed YAML.")
DUPLICATE_KEY = Rule("duplicate-key", E,
                     "A mapping repeats a key; YAML would silently keep only the last.")
YAML_TAG = Rule("yaml-tag", E,
                "A tag outside YAML's safe subset (custom or language-specific tags).")
YAML_TOO_LARGE = Rule("yaml-too-large", E, "A file over the size limit, or a document whose "
                      "aliases expand past the node limit.")
ENCODING = Rule("encoding", E, "The file is not valid UTF-8 text.")
# Reported here for mapping keys YAML allows and JSON does not; the schema stage reports
# the rest of it.
SCHEMA = Rule("schema", E, "A value does not match the kind's JSON Schema.")
RULES = (YAML_SYNTAX, DUPLICATE_KEY, YAML_TAG, YAML_TOO_LARGE, ENCODING, SCHEMA)


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading YAML, at a 1-based position."""

    rule: Rule
    message: str
    line: int
    column: int


@dataclass
class ParsedDocument:
    index: int
    data: Any
    line: int
    column: int


class _TooLarge(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.message, self.node = message, node


def _pos(node: Node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_T):] if tag.startswith(_T) else tag


class _Converter:
    """Turns one composed document into plain JSON-like Python values.

    Aliased collections are converted once and shared; the *expanded* size is still
    charged for every use, so a "billion laughs" document is refused after a bounded
    amount of work.
    """

    def __init__(self) -> None:
        self.problems: list[YamlProblem] = []
        self.size = 0
        self._done: dict[int, tuple[Any, int, int]] = {}  # value, expanded size, height
        self.height = 0  # of the value `convert` returned last
        self._active: set[int] = set()

    def problem(self, rule: Rule, message: str, node: Node) -> None:
        self.problems.append(YamlProblem(rule, message, *_pos(node)))

    def convert(self, node: Node, depth: int = 0) -> Any:
        if type(node) is ScalarNode:
            self.size += 1
            self.height = 0
            return self._scalar(node)
        key = id(node)
        cached = self._done.get(key)
        if cached is not None:
            self._charge(cached[1], node)
            self._check_depth(depth + cached[2], node)
            self.height = cached[2]
            return cached[0]
        if key in self._active:
            raise _TooLarge("recursive alias: a collection contains itself", node)
        self._check_depth(depth + 1, node)
        self._active.add(key)
        before = self.size
        self._charge(1, node)
        height = 0
        if type(node) is SequenceNode:
            if node.tag != _SEQ:
                self.problem(YAML_TAG, f"tag '{_tag_name(node.tag)}' is not allowed", node)
            value: Any = []
            for child in node.value:
                value.append(self.convert(child, depth + 1))
                height = max(height, self.height)
        else:
            value, height = self._mapping(node, depth)  # type: ignore[arg-type]
        self._active.discard(key)
        self.height = height + 1
        self._done[key] = (value, self.size - before, self.height)
        return value

    @staticmethod
    def _check_depth(depth: int, node: Node) -> None:
        if depth > MAX_DEPTH:
            raise _TooLarge(f"nesting deeper than {MAX_DEPTH} levels", node)

    def _charge(self, amount: int, node: Node) -> None:
        self.size += amount
        if self.size > MAX_DOCUMENT_NODES:
            raise _TooLarge(
                f"document expands to more than {MAX_DOCUMENT_NODES} nodes "
                "(aliases are expanded; is this an alias bomb?)",
                node,
            )

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag in (_STR, _TIMESTAMP):
            return node.value
        if tag == _INT:
            return _constructor.construct_yaml_int(node)
        if tag == _BOOL:
            return _constructor.construct_yaml_bool(node)
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            value = _constructor.construct_yaml_float(node)
            if value != value or value in (math.inf, -math.inf):  # .nan, .inf, 1e309
                self.problem(SCHEMA, f"{node.value} is not a finite number (JSON has no "
                                     "NaN or infinity)", node)
            return value
        self.problem(
            YAML_TAG,
            f"tag '{_tag_name(tag)}' is not allowed; only plain YAML values are accepted",
            node,
        )
        return node.value

    def _mapping(self, node: MappingNode, depth: int) -> tuple[dict[str, Any], int]:
        if node.tag != _MAP:
            self.problem(YAML_TAG, f"tag '{_tag_name(node.tag)}' is not allowed", node)
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        height = 0
        seen: dict[str, ScalarNode] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                height = max(height, self._merge(value_node, merged, depth))
                continue
            if type(key_node) is not ScalarNode:
                self.problem(SCHEMA, "a mapping key must be plain text", key_node)
                self.convert(value_node, depth + 1)
                continue
            key = key_node.value  # the literal text: `on:` is the key "on", not True
            if key in seen:
                line, _ = _pos(seen[key])
                self.problem(
                    DUPLICATE_KEY, f"duplicate key '{key}' (first defined on line {line})",
                    key_node,
                )
            seen[key] = key_node
            self.size += 1
            result[key] = self.convert(value_node, depth + 1)
            height = max(height, self.height)
        if merged:
            return {**merged, **result}, height
        return result, height

    def _merge(self, value_node: Node, into: dict[str, Any], depth: int) -> int:
        sources = value_node.value if type(value_node) is SequenceNode else [value_node]
        height = 0
        for source in reversed(sources):  # earlier sources win, as in YAML's merge spec
            value = self.convert(source, depth)
            height = max(height, self.height - 1)
            if not isinstance(value, dict):
                self.problem(SCHEMA, "'<<' merges only mappings", source)
                continue
            into.update(value)
        return height


_COMPACT_RUN = re.compile(r"(?:[-?:][ \t]+){32,}")
_DEEP_INDENT = re.compile(r"^[ \t]{256,}\S", re.M)


def _may_nest_deeply(text: str) -> bool:
    """A cheap upper bound: libyaml's composer recurses, and crashes on absurd nesting."""
    return (
        text.count("[") + text.count("{") > _SYNTAX_DEPTH_LIMIT
        or _COMPACT_RUN.search(text) is not None
        or _DEEP_INDENT.search(text) is not None
    )


def _nesting_problem(text: str) -> YamlProblem | None:
    """The exact check, through events (libyaml's parser does not recurse)."""
    depth = 0
    first_too_deep: Any = None  # where nesting first passes MAX_DEPTH (what is reported)
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, starts):
                depth += 1
                if depth > MAX_DEPTH and first_too_deep is None:
                    first_too_deep = event.start_mark
                if depth > _SYNTAX_DEPTH_LIMIT:
                    mark = first_too_deep
                    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    return YamlProblem(
                        YAML_TOO_LARGE, f"nesting deeper than {MAX_DEPTH} levels", line, column)
            elif isinstance(event, ends):
                depth -= 1
                if depth <= MAX_DEPTH:
                    first_too_deep = None
    except yaml.YAMLError:
        return None  # the composer reports the syntax error with its position
    return None


def _error_problem(error: yaml.YAMLError, text: str) -> YamlProblem:
    if isinstance(error, yaml.reader.ReaderError):
        line, column = position_of_offset(text, error.position)
        char = f"#x{error.character:04x}" if isinstance(error.character, int) else "a byte"
        return YamlProblem(ENCODING, f"character {char} is not allowed in YAML", line, column)
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.MarkedYAMLError) and mark is not None:
        message = error.problem or "invalid YAML"
        if error.context:
            message = f"{message} ({error.context})"
        return YamlProblem(YAML_SYNTAX, message, mark.line + 1, mark.column + 1)
    return YamlProblem(YAML_SYNTAX, str(error).strip() or "invalid YAML", 1, 1)


def position_of_offset(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def position_loader(base: type[Any]) -> type[Any]:
    """A loader that composes nodes for their positions only: tags are not resolved
    (resolving every scalar against YAML's implicit types is most of the cost), except
    `<<` merge keys, which position lookups follow."""

    class PositionLoader(base):  # type: ignore[misc]
        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            if kind is ScalarNode:
                return _MERGE if value == "<<" and implicit[0] else "tag:yaml.org,2002:str"
            return ("tag:yaml.org,2002:seq" if kind is SequenceNode
                    else "tag:yaml.org,2002:map")

    return PositionLoader


_PositionLoader = position_loader(_Loader)

# The composer asks Python for every node's tag (libyaml's too): for a plain scalar that is
# YAML 1.1's implicit types, regular expressions tried in turn. The answer depends on the
# kind of node and the text alone (safe loaders have no path resolvers), and a catalog
# repeats its values (kinds, names, enums, booleans), so it is memoised: a hit is one
# lookup in C, with no Python frame.
_resolved_tag = functools.lru_cache(maxsize=4096)(yaml.resolver.Resolver().resolve)
# It also tells the resolver where each node is, twice per node, for path resolvers, which
# safe loaders do not have: those calls go to functions in C that do nothing (a lookup
# in an empty dict, an empty tuple).
_NO_PATHS: dict[Any, Any] = {}
assert not _Loader.yaml_path_resolvers


def _quick(loader: Any, tags: bool) -> Any:
    """The loader without the Python calls it does not need (with `tags`, memoised)."""
    setattr(loader, "descend_resolver", _NO_PATHS.get)  # noqa: B010 (methods, here)
    setattr(loader, "ascend_resolver", tuple)  # noqa: B010
    if tags:
        setattr(loader, "resolve", _resolved_tag)  # noqa: B010
    return loader


def compose_all(text: str, positions_only: bool = False) -> tuple[list[Node], YamlProblem | None]:
    """Every document's root node, up to the first syntax error (which is returned).
    With `positions_only`, scalar tags are not resolved (see _PositionLoader)."""
    loader = _quick((_PositionLoader if positions_only else _Loader)(text), not positions_only)
    nodes: list[Node] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
    except yaml.YAMLError as error:
        return nodes, _error_problem(error, text)
    finally:
        loader.dispose()
    return nodes, None


def parse_documents(text: str) -> tuple[list[ParsedDocument], list[YamlProblem]]:
    """Parse a whole file; documents with problems are left out, their problems returned."""
    if _may_nest_deeply(text):
        problem = _nesting_problem(text)
        if problem:
            return [], [problem]
    nodes, syntax = compose_all(text)
    documents: list[ParsedDocument] = []
    problems: list[YamlProblem] = []
    for index, node in enumerate(nodes):
        converter = _Converter()
        try:
            data = converter.convert(node)
        except _TooLarge as error:
            problems.append(YamlProblem(YAML_TOO_LARGE, error.message, *_pos(error.node)))
            continue
        except (yaml.constructor.ConstructorError, ValueError, OverflowError) as error:
            problems.append(YamlProblem(YAML_SYNTAX, f"unreadable value: {error}", *_pos(node)))
            continue
        if converter.problems:
            problems.extend(converter.problems)
            continue
        if data is not None:
            documents.append(ParsedDocument(index, data, *_pos(node)))
    if syntax:
        problems.append(syntax)
    return documents, problems


def decode(data: bytes) -> tuple[str | None, YamlProblem | None]:
    """UTF-8 (a BOM is tolerated) or a located `encoding` problem."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        prefix = data[: error.start]
        line = prefix.count(b"\n") + 1
        line_start = prefix.rfind(b"\n") + 1
        column = len(prefix[line_start:].decode("utf-8", "replace")) + 1
        return None, YamlProblem(
            ENCODING,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            line, column,
        )


# --- positions, on demand -------------------------------------------------------------

def _mapping_lookup(node: MappingNode, key: str) -> tuple[Node, Node] | None:
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            continue
        if type(key_node) is ScalarNode and key_node.value == key:
            return key_node, value_node
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            sources = value_node.value if type(value_node) is SequenceNode else [value_node]
            for source in sources:
                if type(source) is MappingNode:
                    found = _mapping_lookup(source, key)
                    if found:
                        return found
    return None


def _walk(root: Node, path: Sequence[str | int], key: bool) -> tuple[Node, bool]:
    """The node at a JSON path (its key node if `key`), or the deepest one that exists;
    and whether the whole path was found."""
    node = root
    for step, part in enumerate(path):
        last = step == len(path) - 1
        if type(node) is MappingNode and isinstance(part, str):
            found = _mapping_lookup(node, part)
            if found is None:
                return node, False
            node = found[0] if (key and last) else found[1]
        elif type(node) is SequenceNode and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            return node, False
    return node, True


def find_node(root: Node, path: Sequence[str | int], key: bool = False) -> Node:
    return _walk(root, path, key)[0]


def scalar_at(root: Node, path: Sequence[str | int]) -> ScalarNode | None:
    """The scalar node exactly at `path`, if there is one (for YAML 1.1 hints)."""
    node, whole = _walk(root, path, key=False)
    return node if whole and type(node) is ScalarNode else None


def yaml11_hint(node: ScalarNode) -> str | None:
    """A hint for plain scalars that YAML 1.1 reads as something other than text."""
    if node.style is not None and node.style != "":
        return None
    what = _YAML11_SURPRISES.get(node.tag)
    if what is None:
        return None
    return f"YAML reads unquoted {node.value} as {what}; quote it (\"{node.value}\") for text"


def node_position(node: Node) -> tuple[int, int]:
    return _pos(node)


def dump_documents(documents: Sequence[Any]) -> str:
    """Plain data as YAML documents separated by `---`, keys in the order given (safe
    dumper, block style, Unicode kept): for the files build targets write."""
    return str(yaml.dump_all(list(documents), Dumper=yaml.SafeDumper, sort_keys=False,
                             allow_unicode=True, default_flow_style=False, width=100,
                             explicit_start=True))
