"""Validation, then the organisation's policies and waivers: how a set of documents is
judged, for `check` and for every `policy test` case alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic
from itsmctl.kinds import POLICY
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Document
from itsmctl.policy.compile import compile_problems
from itsmctl.policy.evaluate import run_policies
from itsmctl.policy.waivers import expired_waivers
from itsmctl.validate import validate


@dataclass
class Judged:
    catalog: Catalog
    problems: list[Diagnostic] = field(default_factory=list)  # schema, references, checks...
    findings: list[Diagnostic] = field(default_factory=list)  # policy/<name>, waived or not
    # rule id -> (title, description) of the organisation's policies (SARIF describes them)
    rule_texts: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.problems + self.findings


def judge(documents: list[Document], config: Config, now: dt.datetime) -> Judged:
    """`now` is when expiry dates are judged and what policies see as `now`/`today`."""
    today = now.date()
    catalog, problems = validate(documents, config, today)
    problems.extend(compile_problems(catalog))
    problems.extend(expired_waivers(catalog, today))
    outcome = run_policies(catalog, problems, today, now)
    judged = Judged(catalog, problems + outcome.problems, outcome.findings)
    judged.rule_texts = {f"policy/{p.name}": (p.metadata["title"], p.spec.get("description"))
                         for p in catalog.of_kind(POLICY) if p.metadata.get("title")}
    return judged


