"""Waivers: time-limited exceptions to one policy for named documents (docs/policies.md).

A waiver suppresses its policy's findings on the documents it names until it expires;
an expired one is itself an error and what it hid is active again; an entry that waives
nothing is a warning, so stale exceptions get cleaned up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.kinds import ref
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import Waiver

WAIVER_EXPIRED = Rule("waiver-expired", Severity.ERROR,
                      "A waiver is past its expiry date; the findings it hid are active again.")
WAIVER_UNUSED = Rule("waiver-unused", Severity.WARNING, "A waiver matches no finding.")
RULES = (WAIVER_EXPIRED, WAIVER_UNUSED)


def expired_waivers(catalog: Catalog, today: dt.date) -> Iterator[Diagnostic]:
    for waiver in catalog.typed(Waiver).values():
        expires = dt.date.fromisoformat(waiver.expires)
        if expires < today:
            yield waiver.diagnostic(
                WAIVER_EXPIRED, f"waiver '{waiver.name}' expired on {expires}; the findings it "
                "waived are active again", ("spec", "expires"))


def apply_waivers(catalog: Catalog, subjects: set[str], today: dt.date,
                  findings: list[Diagnostic], evaluated: set[str]
                  ) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The findings with waived ones suppressed, and `waiver-unused` for each entry of a
    waiver that is in force and waives nothing (only where its policy ran to the end and
    the entity was judged)."""
    waivers = [w for w in catalog.typed(Waiver).values() if w.ref in subjects
               and dt.date.fromisoformat(w.expires) >= today]
    by_key = {(w.policy, entity): w for w in waivers for entity in w.entities}
    used: set[tuple[str, str]] = set()
    out = []
    for finding in findings:
        key = (finding.rule.removeprefix("policy/"), ref(str(finding.kind), str(finding.name)))
        if key in by_key:
            used.add(key)
            waiver = by_key[key]
            finding = finding.replace(suppressed=True, waiver=waiver.name,
                                      justification=waiver.reason)
        out.append(finding)
    problems = []
    for waiver in waivers:
        if waiver.policy not in evaluated:
            continue  # the policy did not run: nothing can be said
        for index, entity in enumerate(waiver.entities):
            if entity in subjects and (waiver.policy, entity) not in used:
                problems.append(waiver.diagnostic(
                    WAIVER_UNUSED, f"waiver '{waiver.name}': policy '{waiver.policy}' has no "
                    f"finding on {entity} to waive; remove the entry", ("spec", "entities", index)))
    return out, problems
