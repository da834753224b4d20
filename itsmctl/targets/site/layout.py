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
from functools import lru_cache

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
    captions: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, text


@lru_cache(maxsize=65536)
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
    diagram.captions.append((middle.x, PAD + 4, "this service"))
    lefts = _column(left, more_left, xs[0], top, inner, more_href) if columns[0] else []
    if lefts:
        diagram.captions.append((xs[0], PAD + 4, f"needed by {len(dependants)}"))
    rights = _column(right, more_right, middle.x + NODE_W + GAP_X, top, inner, more_href) \
        if columns[2] else []
    if rights:
        diagram.captions.append((rights[0].x, PAD + 4, f"depends on {len(dependencies)}"))
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
    """Layers by the longest path from the initial state, once the transitions that lead
    back (found by a depth-first walk from it) are set aside."""
    nexts: dict[str, list[str]] = {s: [] for s in states}
    for arrow in arrows:
        if arrow.source in nexts and arrow.target in nexts and arrow.target != arrow.source \
                and arrow.target not in nexts[arrow.source]:
            nexts[arrow.source].append(arrow.target)
    forward: dict[str, list[str]] = {s: [] for s in states}
    state: dict[str, int] = {}  # 1 on the walk's stack, 2 done
    order: list[str] = []
    starts = ([initial] if initial in nexts else []) + list(states)
    for start in starts:
        if start in state:
            continue
        stack = [(start, iter(nexts[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                order.append(node)
                stack.pop()
            elif child not in state:
                forward[node].append(child)
                state[child] = 1
                stack.append((child, iter(nexts[child])))
            elif state[child] == 2:
                forward[node].append(child)
    depth = dict.fromkeys(states, 0)
    for node in reversed(order):  # a topological order of the forward transitions
        for child in forward[node]:
            depth[child] = max(depth[child], depth[node] + 1)
    return depth


def _order(layers: dict[int, list[Box]], arrows: Sequence[Arrow]) -> None:
    """Order each layer by the mean position of the states leading into it (two sweeps
    of the barycentre heuristic): fewer crossing arrows."""
    for _sweep in range(2):
        position = {box.key: i for layer in layers.values() for i, box in enumerate(layer)}
        for number in sorted(layers)[1:]:
            own = {b.key for b in layers[number]}
            weights = {}
            for box in layers[number]:
                sources = [position[a.source] for a in arrows
                           if a.target == box.key and a.source in position
                           and a.source not in own]
                mean = sum(sources) / len(sources) if sources else float(position[box.key])
                weights[box.key] = (mean, position[box.key])
            layers[number].sort(key=lambda box, w=weights: w[box.key])  # type: ignore[misc]
            for i, box in enumerate(layers[number]):
                position[box.key] = i


def _route(a: Node, b: Node, lane: int, below: float, above: float, under: bool) -> str:
    """An arrow from a's right side to b's left side through the free channels: the gap
    right of a's column, the band below (or above) every state, the gap left of b's."""
    step = 7.0
    x1 = a.x + a.w
    xa = x1 + 14 + (lane % 6) * step
    xb = b.x - 14 - (lane % 6) * step
    y = below + 12 + lane * 9 if under else above - 12 - lane * 9
    r = 6.0
    down = 1 if y > a.cy else -1
    back = 1 if y > b.cy else -1
    left = -1 if xb < xa else 1
    return (f"M{_n(x1)},{_n(a.cy)} L{_n(xa - r)},{_n(a.cy)} "
            f"Q{_n(xa)},{_n(a.cy)} {_n(xa)},{_n(a.cy + down * r)} "
            f"L{_n(xa)},{_n(y - down * r)} Q{_n(xa)},{_n(y)} {_n(xa + left * r)},{_n(y)} "
            f"L{_n(xb - left * r)},{_n(y)} Q{_n(xb)},{_n(y)} {_n(xb)},{_n(y - back * r)} "
            f"L{_n(xb)},{_n(b.cy + back * r)} Q{_n(xb)},{_n(b.cy)} {_n(xb + r)},{_n(b.cy)} "
            f"L{_n(b.x - 2)},{_n(b.cy)}")


def state_diagram(diagram_id: str, title: str, states: Sequence[Box], initial: str | None,
                  arrows: Sequence[Arrow]) -> Diagram:
    """States left to right in layers (longest path from the initial state); a transition
    to the next layer is a curve, any other one runs through the free channels between
    and around the states; transitions from any state ('*') start at a node of their own,
    above the rest."""
    names = [s.key for s in states]
    plain = [a for a in arrows if a.source != ANY]
    depth = _layers(names, initial, plain)
    layers: dict[int, list[Box]] = {}
    for box in states:
        layers.setdefault(depth[box.key], []).append(box)
    _order(layers, plain)
    width_state = 150.0
    any_arrows = [a for a in arrows if a.source == ANY]
    lanes_above = sum(1 for _ in any_arrows)
    tallest = max((len(v) for v in layers.values()), default=1)
    inner = tallest * NODE_H + (tallest - 1) * GAP_Y * 2
    start_x = PAD + 28  # room for the entry arrow
    nodes: dict[str, Node] = {}
    routed: list[tuple[Arrow, Node, Node]] = []
    pairs: set[tuple[str, str]] = set()
    top: float = PAD
    any_node = None
    if any_arrows:
        any_node = Node(ANY, "any state", "", PAD, PAD, 110, NODE_H - 10, "any", None,
                        "a transition allowed from every state")
        top = PAD + any_node.h + 24 + lanes_above * 9
    for layer in sorted(layers):
        boxes = layers[layer]
        block = len(boxes) * NODE_H + (len(boxes) - 1) * GAP_Y * 2
        y = top + (inner - block) / 2
        x = start_x + layer * (width_state + GAP_X + 10)
        for box in boxes:
            nodes[box.key] = Node(box.key, fit(box.label, width_state),
                                  fit(box.sub, width_state, 6.2), x, y, width_state, NODE_H,
                                  box.cls, box.href, box.tip or box.label)
            y += NODE_H + GAP_Y * 2
    width = max((n.x + n.w for n in nodes.values()), default=start_x) + PAD + 60
    bottom = top + inner
    edges: list[Edge] = []
    tips: dict[tuple[str, str], list[str]] = {}
    for arrow in plain:
        if arrow.source in nodes and arrow.target in nodes and arrow.source != arrow.target:
            tips.setdefault((arrow.source, arrow.target), []).append(arrow.tip)
    for arrow in plain:
        key = (arrow.source, arrow.target)
        if key not in tips or key in pairs:
            continue  # one arrow per pair of states; its tooltip names every transition
        pairs.add(key)
        a, b = nodes[arrow.source], nodes[arrow.target]
        tip = f"{a.key} → {b.key}: " + "; ".join(t for t in tips[key] if t)
        if depth[b.key] == depth[a.key] + 1:
            edges.append(Edge(a.key, b.key, curve(a.x + a.w, a.cy, b.x - 2, b.cy), "", "",
                              0.0, 0.0, tip))
        else:
            routed.append((Arrow(a.key, b.key, "", tip), a, b))
    for lane, (arrow, a, b) in enumerate(routed):
        edges.append(Edge(a.key, b.key, _route(a, b, lane, bottom, top, True),
                          "back" if depth[b.key] <= depth[a.key] else "long", "", 0.0, 0.0,
                          arrow.tip))
    height = bottom + PAD + (12 + len(routed) * 9 + 6 if routed else 0)
    diagram = Diagram(diagram_id, title, width, height, list(nodes.values()), edges)
    if initial in nodes:
        first = nodes[str(initial)]
        diagram.edges.insert(0, Edge("", first.key, f"M{_n(PAD + 4)},{_n(first.cy)} "
                                     f"L{_n(first.x - 2)},{_n(first.cy)}", "entry"))
    if any_node is not None:
        diagram.nodes.insert(0, any_node)
        for lane, arrow in enumerate(any_arrows):
            if arrow.target not in nodes:
                continue
            b = nodes[arrow.target]
            y = any_node.cy + 0.0 if lane == 0 else any_node.y + any_node.h + 12 + lane * 9
            x1 = any_node.x + any_node.w
            xb = b.x - 14 - (lane % 6) * 7.0
            d = (f"M{_n(x1)},{_n(any_node.cy)} L{_n(x1 + 8)},{_n(any_node.cy)} "
                 f"L{_n(x1 + 8)},{_n(y)} L{_n(xb - 6)},{_n(y)} Q{_n(xb)},{_n(y)} "
                 f"{_n(xb)},{_n(y + 6)} L{_n(xb)},{_n(b.cy - 6)} Q{_n(xb)},{_n(b.cy)} "
                 f"{_n(xb + 6)},{_n(b.cy)} L{_n(b.x - 2)},{_n(b.cy)}")
            diagram.edges.append(Edge(ANY, b.key, d, "any", "", 0.0, 0.0,
                                      f"any state → {b.key}: {arrow.tip}"))
    return diagram
