"""The registry of stable rule ids. Ids are a public contract: add, never rename."""

from __future__ import annotations

from dataclasses import dataclass

from itsmctl.diagnostics import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    description: str


E, W = Severity.ERROR, Severity.WARNING

_RULES = [
    Rule("yaml-syntax", E, "The file is not well-formed YAML."),
    Rule("duplicate-key", E, "A mapping repeats a key; YAML would silently keep only the last."),
    Rule("yaml-tag", E, "A tag outside YAML's safe subset (custom or language-specific tags)."),
    Rule("yaml-too-large", E,
         "A file over the size limit, or a document whose aliases expand past the node limit."),
    Rule("encoding", E, "The file is not valid UTF-8 text."),
    Rule("symlink-escape", E, "A symbolic link that points outside the repository."),
    Rule("envelope", E,
         "A document lacks the common envelope (apiVersion, kind, metadata.name, spec)."),
    Rule("unknown-kind", E, "The document's kind is not one itsmctl knows."),
    Rule("schema", E, "A value does not match the kind's JSON Schema."),
    Rule("unknown-field", E, "A field the kind's schema does not define (often a typo)."),
    Rule("duplicate-name", E,
         "Two documents of one kind share a name, or a list repeats a name that must be unique."),
    Rule("unknown-reference", E,
         "A reference names a document (or state, level) that does not exist."),
    Rule("dependency-cycle", E, "Services depend on each other in a cycle."),
    Rule("category-cycle", E, "Categories are each other's parents in a cycle."),
    Rule("workflow-initial", E, "A workflow does not have exactly one initial state."),
    Rule("workflow-unreachable", E, "A workflow state cannot be reached from the initial state."),
    Rule("workflow-dead-end", E,
         "From a workflow state no resolved, closed or cancelled state can be reached."),
    Rule("workflow-type", E, "A workflow is used for a ticket type it does not apply to."),
    Rule("sla-missing-target", E, "An SLA has no target for a priority level of the matrix."),
    Rule("sla-order", E,
         "SLA targets out of order: a zero target, response not before resolution, "
         "or escalation thresholds not ascending."),
    Rule("sla-unreachable", E,
         "An SLA target needs more open time than its calendar has in a year (durations "
         "count open time only)."),
    Rule("calendar-invalid", E,
         "A calendar with an unknown timezone, overlapping or unordered ranges, "
         "unknown public holidays, or no open time."),
    Rule("matrix-incomplete", E,
         "The priority matrix leaves an impact x urgency cell unset or unknown."),
    Rule("singleton", E, "A kind that allows one document (PriorityMatrix) has several, or none."),
    Rule("retired-dependency", E, "A service that is not retired depends on a retired one."),
    Rule("production-readiness", E,
         "A production service lacks an owner, an SLA or an incident workflow."),
    Rule("standard-change-expired", E, "A standard-change template is past its reviewBy date."),
    Rule("rrule-invalid", E, "A maintenance window's RFC 5545 recurrence rule does not parse."),
    Rule("time-order", E,
         "A time range that ends before it starts, or a date-time that is not a real instant."),
    Rule("unknown-timezone", E, "A timezone that is not a real IANA timezone name."),
    Rule("form-options", E,
         "A form field has options but is not a choice, or a choice without options."),
    Rule("policy-invalid", E,
         "A policy expression or message template does not compile or names an unknown "
         "variable."),
    Rule("policy-unsafe", E,
         "A policy tries something the sandbox refuses (private attributes, Jinja2 globals, "
         "includes, macros); the policy does not run."),
    Rule("policy-limit", E,
         "A policy ran past its time budget or built an oversized value; it was stopped."),
    Rule("waiver-expired", E,
         "A waiver is past its expiry date; the findings it hid are active again."),
    Rule("waiver-unused", W, "A waiver matches no finding."),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rule(rule_id: str) -> Rule:
    """Look up a rule; `policy/<name>` ids are the organisation's own policies."""
    if rule_id in RULES:
        return RULES[rule_id]
    if rule_id.startswith("policy/"):
        return Rule(rule_id, E, f"A finding of the organisation's policy '{rule_id[7:]}'.")
    raise KeyError(rule_id)
