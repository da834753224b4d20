"""Workflow graphs: one initial state, every state reachable, and an end from each."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.typed import CatalogItem, Service, Workflow
from itsmctl.validate.context import Context
from itsmctl.validate.names import DUPLICATE_NAME
from itsmctl.validate.references import UNKNOWN_REFERENCE

E = Severity.ERROR
WORKFLOW_INITIAL = Rule("workflow-initial", E,
                        "A workflow does not have exactly one initial state.")
WORKFLOW_UNREACHABLE = Rule("workflow-unreachable", E,
                            "A workflow state cannot be reached from the initial state.")
WORKFLOW_DEAD_END = Rule("workflow-dead-end", E, "From a workflow state no resolved, closed "
                         "or cancelled state can be reached.")
WORKFLOW_TYPE = Rule("workflow-type", E,
                     "A workflow is used for a ticket type it does not apply to.")
RULES = (WORKFLOW_INITIAL, WORKFLOW_UNREACHABLE, WORKFLOW_DEAD_END, WORKFLOW_TYPE,
         DUPLICATE_NAME, UNKNOWN_REFERENCE)
END_CATEGORIES = {"resolved", "closed", "cancelled"}


def edges(workflow: Workflow) -> dict[str, set[str]]:
    """state -> the states a transition leads to ('*' expanded)."""
    names = workflow.state_names
    out: dict[str, set[str]] = {name: set() for name in names}
    for transition in workflow.transitions:
        sources = names if "*" in transition.sources else transition.sources
        for source in sources:
            if source in out and transition.to in out:
                out[source].add(transition.to)
    return out


def _reach(starts: set[str], graph: dict[str, set[str]]) -> set[str]:
    seen, queue = set(starts), deque(starts)
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _check_names(workflow: Workflow) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for i, name in enumerate(workflow.state_names):
        if name in seen:
            yield workflow.diagnostic(DUPLICATE_NAME, f"state '{name}' is defined twice",
                                      ("spec", "states", i, "name"))
        seen.add(name)
    for t, transition in enumerate(workflow.transitions):
        for f, source in enumerate(transition.sources):
            if source != "*" and source not in seen:
                yield workflow.diagnostic(
                    UNKNOWN_REFERENCE, f"transition from unknown state '{source}'",
                    ("spec", "transitions", t, "from", f))
        if transition.to not in seen:
            yield workflow.diagnostic(
                UNKNOWN_REFERENCE, f"transition to unknown state '{transition.to}'",
                ("spec", "transitions", t, "to"))


def _check_graph(workflow: Workflow, initial: int) -> Iterator[Diagnostic]:
    states, names = workflow.states, workflow.state_names
    graph = edges(workflow)
    reachable = _reach({names[initial]}, graph)
    reverse: dict[str, set[str]] = {name: set() for name in names}
    for source, targets in graph.items():
        for target in targets:
            reverse[target].add(source)
    ends = {s.name for s in states if s.category in END_CATEGORIES}
    can_end = _reach(ends, reverse)
    reported: set[str] = set()
    for i, state in enumerate(states):
        if state.name in reported:
            continue
        reported.add(state.name)
        where = ("spec", "states", i, "name")
        if state.name not in reachable:
            yield workflow.diagnostic(
                WORKFLOW_UNREACHABLE,
                f"state '{state.name}' cannot be reached from the initial state "
                f"'{names[initial]}'", where)
        if ends and state.name not in can_end:
            yield workflow.diagnostic(
                WORKFLOW_DEAD_END,
                f"from state '{state.name}' no resolved, closed or cancelled state can be "
                "reached", where)
    if not ends:
        yield workflow.diagnostic(
            WORKFLOW_DEAD_END, "the workflow has no resolved, closed or cancelled state",
            ("spec", "states"), key=True)


def _check_workflow(workflow: Workflow) -> Iterator[Diagnostic]:
    yield from _check_names(workflow)
    states = workflow.states
    initial = [i for i, s in enumerate(states) if s.initial]
    if not initial:
        yield workflow.diagnostic(WORKFLOW_INITIAL, "no initial state (mark one initial: true)",
                                  ("spec", "states"), key=True)
        return
    for extra in initial[1:]:
        yield workflow.diagnostic(
            WORKFLOW_INITIAL,
            f"more than one initial state: '{states[extra].name}' and "
            f"'{states[initial[0]].name}'", ("spec", "states", extra, "initial"), key=True)
    yield from _check_graph(workflow, initial[0])


def _check_usage(ctx: Context) -> Iterator[Diagnostic]:
    workflows = ctx.catalog.typed(Workflow)
    for service in ctx.catalog.typed(Service).values():
        for ticket_type, name in service.workflows.items():
            workflow = workflows.get(name)
            if workflow and workflow.applies_to != ticket_type:
                yield service.diagnostic(
                    WORKFLOW_TYPE,
                    f"workflow '{name}' applies to {workflow.applies_to} tickets, "
                    f"not {ticket_type}", ("spec", "workflows", ticket_type))
    for item in ctx.catalog.typed(CatalogItem).values():
        if "workflow" not in item.entity.spec:
            continue  # inherited from the service, which is judged above
        workflow = workflows.get(item.entity.spec["workflow"])
        if workflow and workflow.applies_to != "request":
            yield item.diagnostic(
                WORKFLOW_TYPE,
                f"workflow '{workflow.name}' applies to {workflow.applies_to} tickets, "
                "not request", ("spec", "workflow"))


def check(ctx: Context) -> Iterator[Diagnostic]:
    for workflow in ctx.catalog.typed(Workflow).values():
        yield from _check_workflow(workflow)
    yield from _check_usage(ctx)
