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
from itsmctl.model.references import Difference
from itsmctl.policy.compile import compile_problems
from itsmctl.policy.context import Documents, Resolver
from itsmctl.policy.evaluate import Outcome, Prior, run_policies
from itsmctl.policy.waivers import expired_waivers
from itsmctl.validate import SchemaMemo, validate


@dataclass
class Judged:
    catalog: Catalog
    problems: list[Diagnostic] = field(default_factory=list)  # schema, references, checks...
    findings: list[Diagnostic] = field(default_factory=list)  # policy/<name>, waived or not
    # rule id -> (title, description) of the organisation's policies (SARIF describes them)
    rule_texts: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    outcome: Outcome = field(default_factory=Outcome)
    difference: Difference | None = None  # from the prior judgement's catalog to this one

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.problems + self.findings

    def documents(self, around: list[str] | None = None) -> Documents:
        """The resolved documents: all of them complete, or (`around`) complete for those
        entities and all they reach (the rest may be partly built)."""
        if self.outcome.resolver is None:
            self.outcome.resolver = Resolver(self.catalog, referrers=self.difference.referrers_after
                                             if self.difference is not None else None)
        resolver = self.outcome.resolver
        if around is None:
            return resolver.everything()
        for ref in around:
            resolver.around(ref, None)
        return resolver.documents


def judge(documents: list[Document], config: Config, now: dt.datetime,
          memo: SchemaMemo | None = None, prior: Judged | None = None) -> Judged:
    """`now` is when expiry dates are judged and what policies see as `now`/`today`. With
    `prior` (the judgement of another version of the same repository, under the same
    policies, sharing its documents where the bytes are the same, see `memo`), policy
    findings that cannot differ are taken over rather than evaluated again."""
    today = now.date()
    catalog, problems = validate(documents, config, today, memo=memo)
    problems.extend(compile_problems(catalog))
    problems.extend(expired_waivers(catalog, today))
    difference = Difference(prior.catalog, catalog) if prior is not None else None
    reuse = Prior(prior.outcome, difference) if prior is not None and difference else None
    outcome = run_policies(catalog, problems, today, now, reuse)
    judged = Judged(catalog, problems + outcome.problems, outcome.findings, outcome=outcome,
                    difference=difference)
    judged.rule_texts = {f"policy/{p.name}": (p.metadata["title"], p.spec.get("description"))
                         for p in catalog.of_kind(POLICY) if p.metadata.get("title")}
    return judged
