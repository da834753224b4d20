"""No service depends on itself, no category is its own ancestor."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Entity
from itsmctl.validate.context import Context

RULES = ("dependency-cycle", "category-cycle")

Edges = dict[str, list[tuple[str, tuple[str | int, ...]]]]


def find_cycles(edges: Edges) -> Iterator[tuple[list[str], tuple[str | int, ...]]]:
    """Each cycle once: (the names around it, the path of the edge that closes it).

    Iterative depth-first search, so a chain of thousands of services cannot overflow.
    """
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in sorted(edges):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = [start]
        state[start] = 1
        while stack:
            node, index = stack[-1]
            targets = edges.get(node, [])
            if index >= len(targets):
                stack.pop()
                trail.pop()
                state[node] = 2
                continue
            stack[-1] = (node, index + 1)
            target, path = targets[index]
            if target not in edges:
                continue
            if state.get(target) == 1:
                yield [*trail[trail.index(target):], target], path
            elif not state.get(target):
                state[target] = 1
                stack.append((target, 0))
                trail.append(target)


def _report(entities: dict[str, Entity], edges: Edges, rule: str, what: str
            ) -> Iterator[Diagnostic]:
    for names, path in find_cycles(edges):
        closing = entities[names[-2]]
        yield closing.diagnostic(rule, f"{what} cycle: {' -> '.join(names)}", path)


def check(ctx: Context) -> Iterator[Diagnostic]:
    services = {e.name: e for e in ctx.catalog.of_kind("Service")}
    service_edges: Edges = {
        name: [(dep, ("spec", "dependsOn", i))
               for i, dep in enumerate(e.spec.get("dependsOn", []))]
        for name, e in services.items()
    }
    yield from _report(services, service_edges, "dependency-cycle", "dependency")
    categories = {e.name: e for e in ctx.catalog.of_kind("Category")}
    category_edges: Edges = {
        name: [(e.spec["parent"], ("spec", "parent"))] if "parent" in e.spec else []
        for name, e in categories.items()
    }
    yield from _report(categories, category_edges, "category-cycle", "category")
