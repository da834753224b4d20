"""The package's layers (docs/architecture.md): no import cycle between modules or between
packages, and no module imports a higher layer. Imports inside functions count, and so does
the package `__init__` that importing a submodule runs."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "itsmctl"

# Lowest first. A unit (a module, or a package with everything in it) may import units
# of lower layers only; units of one layer never import each other.
LAYERS = [
    ["itsmctl", "itsmctl.errors", "itsmctl.text", "itsmctl.kinds"],
    ["itsmctl.diagnostics", "itsmctl.timecalc", "itsmctl.output", "itsmctl.parallel"],
    ["itsmctl.yamlio", "itsmctl.config"],
    ["itsmctl.schemas", "itsmctl.sources"],
    ["itsmctl.model"],
    ["itsmctl.validate"],
    ["itsmctl.load"],
    ["itsmctl.policy"],
    ["itsmctl.pipeline"],
    ["itsmctl.sla", "itsmctl.scaffold", "itsmctl.changes", "itsmctl.diff"],
    ["itsmctl.reports", "itsmctl.review"],
    ["itsmctl.targets"],
    ["itsmctl.rules"],
    ["itsmctl.reporters"],
    ["itsmctl.cli"],
    ["itsmctl.__main__"],
]
LAYER = {unit: i for i, units in enumerate(LAYERS) for unit in units}
PLANNED: set[str] = set()  # not yet


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _imported(name: str, path: Path) -> set[str]:
    """The itsmctl modules `name` imports, plus the package __init__s that run."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES
                       else node.module for a in node.names]
        for target in targets:
            if target.split(".")[0] != "itsmctl":
                continue
            own = set(_ancestors(name))
            found.update(t for t in (*_ancestors(target), target) if t not in own)
    found.discard(name)
    return {t for t in found if t in MODULES}


GRAPH = {name: _imported(name, path) for name, path in MODULES.items()}


def _unit(name: str) -> str:
    best = max((u for u in LAYER if name == u or name.startswith(u + ".")), key=len,
               default=None)
    assert best is not None, f"{name} is in no layer: add it to LAYERS and architecture.md"
    return best


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(GRAPH) == []


def test_no_import_cycle_between_packages() -> None:
    units: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        units.setdefault(_unit(name), set()).update(
            _unit(t) for t in targets if _unit(t) != _unit(name))
    assert _cycles(units) == []


def test_no_module_imports_a_higher_layer_or_a_sibling() -> None:
    wrong = []
    for name, targets in GRAPH.items():
        unit = _unit(name)
        for target in targets:
            other = _unit(target)
            if other != unit and LAYER[other] >= LAYER[unit]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_the_layers_name_existing_modules() -> None:
    assert set(LAYER) - PLANNED <= set(MODULES)
