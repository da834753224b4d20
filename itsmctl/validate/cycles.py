"""No service depends on itself, no category is its own ancestor."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.typed import Category, Service, Typed
from itsmctl.text import FieldPath
from itsmctl.validate.context import Context

DEPENDENCY_CYCLE = Rule("dependency-cycle", Severity.ERROR,
                        "Services depend on each other in a cycle.")
CATEGORY_CYCLE = Rule("category-cycle", Severity.ERROR,
                      "Categories are each other's parents in a cycle.")
RULES = (DEPENDENCY_CYCLE, CATEGORY_CYCLE)

Edges = dict[str, list[tuple[str, FieldPath]]]


def find_cycles(edges: Edges) -> Iterator[tuple[list[str], FieldPath]]:
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


def _report(entities: Mapping[str, Typed], edges: Edges, rule: Rule, what: str
            ) -> Iterator[Diagnostic]:
    for names, path in find_cycles(edges):
        closing = entities[names[-2]]
        yield closing.diagnostic(rule, f"{what} cycle: {' -> '.join(names)}", path)


def check(ctx: Context) -> Iterator[Diagnostic]:
    services = ctx.catalog.typed(Service)
    service_edges: Edges = {
        name: [(dep, ("spec", "dependsOn", i)) for i, dep in enumerate(s.depends_on)]
        for name, s in services.items()
    }
    yield from _report(services, service_edges, DEPENDENCY_CYCLE, "dependency")
    categories = ctx.catalog.typed(Category)
    category_edges: Edges = {
        name: [(c.parent, ("spec", "parent"))] if c.parent is not None else []
        for name, c in categories.items()
    }
    yield from _report(categories, category_edges, CATEGORY_CYCLE, "category")
