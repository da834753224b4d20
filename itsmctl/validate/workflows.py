"""Workflow graphs: one initial state, every state reachable, and an end from each."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from itsmctl.diagnostics import Diagnostic
from itsmctl.model import Entity
from itsmctl.validate.context import Context

RULES = ("workflow-initial", "workflow-unreachable", "workflow-dead-end", "workflow-type",
         "duplicate-name", "unknown-reference")
END_CATEGORIES = {"resolved", "closed", "cancelled"}


def _edges(spec: dict[str, Any], names: list[str]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in names}
    for transition in spec.get("transitions", []):
        sources = names if "*" in transition["from"] else transition["from"]
        for source in sources:
            if source in edges and transition["to"] in edges:
                edges[source].add(transition["to"])
    return edges


def _reach(starts: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen, queue = set(starts), deque(starts)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _check_workflow(workflow: Entity) -> Iterator[Diagnostic]:
    states = workflow.spec["states"]
    names = [s["name"] for s in states]
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            yield workflow.diagnostic("duplicate-name", f"state '{name}' is defined twice",
                                      ("spec", "states", i, "name"))
        seen.add(name)
    for t, transition in enumerate(workflow.spec.get("transitions", [])):
        for f, source in enumerate(transition["from"]):
            if source != "*" and source not in seen:
                yield workflow.diagnostic(
                    "unknown-reference", f"transition from unknown state '{source}'",
                    ("spec", "transitions", t, "from", f))
        if transition["to"] not in seen:
            yield workflow.diagnostic(
                "unknown-reference", f"transition to unknown state '{transition['to']}'",
                ("spec", "transitions", t, "to"))
    initial = [i for i, s in enumerate(states) if s.get("initial")]
    if not initial:
        yield workflow.diagnostic("workflow-initial", "no initial state (mark one initial: true)",
                                  ("spec", "states"), key=True)
        return
    for extra in initial[1:]:
        yield workflow.diagnostic(
            "workflow-initial",
            f"more than one initial state: '{states[extra]['name']}' and "
            f"'{states[initial[0]]['name']}'", ("spec", "states", extra, "initial"), key=True)
    edges = _edges(workflow.spec, names)
    reachable = _reach({names[initial[0]]}, edges)
    reverse: dict[str, set[str]] = {name: set() for name in names}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].add(source)
    ends = {s["name"] for s in states if s["category"] in END_CATEGORIES}
    can_end = _reach(ends, reverse)
    reported: set[str] = set()
    for i, state in enumerate(states):
        name = state["name"]
        if name in reported:
            continue
        reported.add(name)
        where = ("spec", "states", i, "name")
        if name not in reachable:
            yield workflow.diagnostic(
                "workflow-unreachable",
                f"state '{name}' cannot be reached from the initial state "
                f"'{names[initial[0]]}'", where)
        if not ends:
            continue
        if name not in can_end:
            yield workflow.diagnostic(
                "workflow-dead-end",
                f"from state '{name}' no resolved, closed or cancelled state can be reached",
                where)
    if not ends:
        yield workflow.diagnostic(
            "workflow-dead-end", "the workflow has no resolved, closed or cancelled state",
            ("spec", "states"), key=True)


def _check_usage(ctx: Context) -> Iterator[Diagnostic]:
    catalog = ctx.catalog
    for service in catalog.of_kind("Service"):
        for ticket_type, name in service.spec.get("workflows", {}).items():
            workflow = catalog.get("Workflow", name)
            if workflow and workflow.spec["appliesTo"] != ticket_type:
                yield service.diagnostic(
                    "workflow-type",
                    f"workflow '{name}' applies to {workflow.spec['appliesTo']} tickets, "
                    f"not {ticket_type}", ("spec", "workflows", ticket_type))
    for item in catalog.of_kind("CatalogItem"):
        workflow = catalog.get("Workflow", item.spec.get("workflow"))
        if workflow and workflow.spec["appliesTo"] != "request":
            yield item.diagnostic(
                "workflow-type",
                f"workflow '{workflow.name}' applies to {workflow.spec['appliesTo']} tickets, "
                "not request", ("spec", "workflow"))


def check(ctx: Context) -> Iterator[Diagnostic]:
    for workflow in ctx.catalog.of_kind("Workflow"):
        yield from _check_workflow(workflow)
    yield from _check_usage(ctx)
