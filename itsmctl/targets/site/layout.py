"""Diagrams laid out at build time, as plain geometry that a template draws as SVG.

Two small graphs, each with a layout of its own (docs/site.md says why no general graph
engine): a service's neighbourhood (the services that depend on it, itself, the services
it depends on: three columns, capped per column) and a workflow's state diagram (states
in layers by their distance from the initial state; forward transitions left to right,
the others as arcs below). Everything is deterministic: the same graph gives the same
numbers, so rebuilds are byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

CHAR = 7.2  # average advance of a 13 px sans-serif character
NODE_W, NODE_H = 196, 46
GAP_Y, GAP_X = 14, 92
PAD = 16
MAX_SIDE = 12  # neighbours drawn per column; the rest are one "+N more" node


@dataclass(frozen=True)
class Node:
    key: str  # what the node stands for (a service or state name), for tests and CSS
    label: str
    sub: str
    x: float
    y: float
    w: float
    h: float
    cls: str  # CSS classes
    href: str | None = None
    tip: str = ""

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    d: str  # the SVG path
    cls: str = ""
    label: str = ""
    lx: float = 0.0
    ly: float = 0.0
    tip: str = ""


@dataclass
class Diagram:
    id: str  # unique in its page: prefixes the SVG's marker ids
    title: str
    width: float
    height: float
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def fit(text: str, width: float, char: float = CHAR) -> str:
    """`text` shortened with an ellipsis to fit `width` pixels."""
    room = max(3, int((width - 20) / char))
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def curve(x1: float, y1: float, x2: float, y2: float) -> str:
    """A horizontal S-curve from (x1, y1) to (x2, y2)."""
    bend = max(30.0, abs(x2 - x1) / 2)
    return (f"M{_n(x1)},{_n(y1)} C{_n(x1 + bend)},{_n(y1)} {_n(x2 - bend)},{_n(y2)} "
            f"{_n(x2)},{_n(y2)}")


@dataclass(frozen=True)
class Box:
    """What a node shows: key, label, second line, CSS classes, link, tooltip."""

    key: str
    label: str
    sub: str = ""
    cls: str = ""
    href: str | None = None
    tip: str = ""


def _column(boxes: Sequence[Box], more: int, x: float, top: float, height: float,
            more_href: str | None) -> list[Node]:
    shown = list(boxes)
    if more:
        shown.append(Box(f"+{more}", f"+{more} more", "listed below", "more", more_href))
    block = len(shown) * NODE_H + (len(shown) - 1) * GAP_Y
    y = top + (height - block) / 2
    out = []
    for box in shown:
        out.append(Node(box.key, fit(box.label, NODE_W), fit(box.sub, NODE_W, 6.2), x, y,
                        NODE_W, NODE_H, box.cls, box.href, box.tip or box.label))
        y += NODE_H + GAP_Y
    return out


def neighbourhood(diagram_id: str, title: str, center: Box, dependants: Sequence[Box],
                  dependencies: Sequence[Box], more_href: str | None = None) -> Diagram:
    """Dependants on the left, the service in the middle, its dependencies on the right;
    arrows read "depends on". Columns hold at most MAX_SIDE nodes plus one "+N more"."""
    left, right = list(dependants[:MAX_SIDE]), list(dependencies[:MAX_SIDE])
    more_left, more_right = len(dependants) - len(left), len(dependencies) - len(right)
    rows = max(len(left) + bool(more_left), len(right) + bool(more_right), 1)
    inner = rows * NODE_H + (rows - 1) * GAP_Y
    height = inner + 2 * PAD + 18  # room for the column captions
    top = PAD + 18
    columns = [bool(left or more_left), True, bool(right or more_right)]
    xs, x = [], PAD
    for present in columns:
        xs.append(x)
        if present:
            x += NODE_W + GAP_X
    width = x - GAP_X + PAD
    diagram = Diagram(diagram_id, title, width, height)
    middle = _column([center], 0, xs[1] if columns[0] else PAD, top, inner, None)[0]
    diagram.nodes.append(middle)
    lefts = _column(left, more_left, xs[0], top, inner, more_href) if columns[0] else []
    rights = _column(right, more_right, middle.x + NODE_W + GAP_X, top, inner, more_href) \
        if columns[2] else []
    for node in lefts:
        diagram.nodes.append(node)
        diagram.edges.append(Edge(node.key, middle.key, curve(
            node.x + node.w, node.cy, middle.x - 2, middle.cy), "more" if "more" in node.cls
            else ""))
    for node in rights:
        diagram.nodes.append(node)
        diagram.edges.append(Edge(middle.key, node.key, curve(
            middle.x + middle.w, middle.cy, node.x - 2, node.cy), "more" if "more" in node.cls
            else ""))
    return diagram


@dataclass(frozen=True)
class Arrow:
    source: str  # a state, or "*" for any state
    target: str
    label: str = ""
    tip: str = ""


ANY = "*"


def _layers(states: Sequence[str], initial: str | None, arrows: Sequence[Arrow]
            ) -> dict[str, int]:
    """Each state's distance from the initial state (unreachable ones after the rest)."""
    nexts: dict[str, list[str]] = {s: [] for s in states}
    for arrow in arrows:
        sources = states if arrow.source == ANY else [arrow.source]
        for source in sources:
            if source in nexts and arrow.target in nexts and arrow.target != source:
                nexts[source].append(arrow.target)
    depth: dict[str, int] = {}
    frontier = [initial] if initial in nexts else []
    if initial is not None and initial in nexts:
        depth[initial] = 0
    while frontier:
        following = []
        for state in frontier:
            for target in nexts[state]:
                if target not in depth:
                    depth[target] = depth[state] + 1
                    following.append(target)
        frontier = following
    last = max(depth.values(), default=-1) + 1
    for state in states:
        depth.setdefault(state, last)
    return depth


def state_diagram(diagram_id: str, title: str, states: Sequence[Box], initial: str | None,
                  arrows: Sequence[Arrow]) -> Diagram:
    """States left to right by distance from the initial one; a transition to a later
    layer is a curve to the right, any other one an arc under the states; a transition
    from any state ('*') starts at a node of its own, above."""
    names = [s.key for s in states]
    depth = _layers(names, initial, arrows)
    layers: dict[int, list[Box]] = {}
    for box in states:
        layers.setdefault(depth[box.key], []).append(box)
    width_state = 150.0
    any_arrows = [a for a in arrows if a.source == ANY]
    top = PAD + (NODE_H + GAP_Y * 2 if any_arrows else 0)
    tallest = max((len(v) for v in layers.values()), default=1)
    inner = tallest * NODE_H + (tallest - 1) * GAP_Y * 2
    start_x = PAD + 28  # room for the entry dot
    nodes: dict[str, Node] = {}
    for layer in sorted(layers):
        boxes = layers[layer]
        block = len(boxes) * NODE_H + (len(boxes) - 1) * GAP_Y * 2
        y = top + (inner - block) / 2
        x = start_x + layer * (width_state + GAP_X - 20)
        for box in boxes:
            nodes[box.key] = Node(box.key, fit(box.label, width_state),
                                  fit(box.sub, width_state, 6.2), x, y, width_state, NODE_H,
                                  box.cls, box.href, box.tip or box.label)
            y += NODE_H + GAP_Y * 2
    width = max((n.x + n.w for n in nodes.values()), default=start_x) + PAD
    bottom = top + inner
    edges: list[Edge] = []
    arcs = 0
    pairs: dict[tuple[str, str], int] = {}
    for arrow in arrows:
        if arrow.source == ANY or arrow.source not in nodes or arrow.target not in nodes:
            continue
        a, b = nodes[arrow.source], nodes[arrow.target]
        seen = pairs.get((a.key, b.key), 0)
        pairs[(a.key, b.key)] = seen + 1
        if seen:
            continue  # one arrow per pair of states; the tooltip of the first tells
        if depth[b.key] > depth[a.key]:
            d = curve(a.x + a.w, a.cy, b.x - 2, b.cy)
            lx, ly = (a.x + a.w + b.x) / 2, (a.cy + b.cy) / 2 - 6
        elif a.key == b.key:
            continue
        else:
            arcs += 1
            drop = bottom + 18 + arcs * 16
            x1, x2 = a.cx + 10, b.cx - 10
            d = (f"M{_n(x1)},{_n(a.y + a.h)} C{_n(x1)},{_n(drop)} {_n(x2)},{_n(drop)} "
                 f"{_n(x2)},{_n(b.y + b.h + 2)}")
            lx, ly = (x1 + x2) / 2, drop - 2
        edges.append(Edge(a.key, b.key, d, "back" if depth[b.key] <= depth[a.key] else "",
                          arrow.label, lx, ly, arrow.tip))
    height = bottom + PAD + (18 + arcs * 16 + 8 if arcs else 0)
    diagram = Diagram(diagram_id, title, width, height, list(nodes.values()), edges)
    if initial in nodes:
        first = nodes[str(initial)]
        diagram.edges.insert(0, Edge("", first.key, f"M{_n(PAD + 6)},{_n(first.cy)} "
                                     f"L{_n(first.x - 2)},{_n(first.cy)}", "entry"))
    if any_arrows:
        any_node = Node(ANY, "any state", "", PAD, PAD, 110, NODE_H - 10, "any", None,
                        "a transition allowed from every state")
        diagram.nodes.insert(0, any_node)
        for arrow in any_arrows:
            if arrow.target not in nodes:
                continue
            b = nodes[arrow.target]
            d = (f"M{_n(any_node.x + any_node.w)},{_n(any_node.cy)} "
                 f"C{_n(b.cx)},{_n(any_node.cy)} {_n(b.cx)},{_n(any_node.cy)} "
                 f"{_n(b.cx)},{_n(b.y - 2)}")
            diagram.edges.append(Edge(ANY, b.key, d, "any", arrow.label,
                                      (any_node.x + any_node.w + b.cx) / 2, any_node.cy - 6,
                                      arrow.tip))
    return diagram
