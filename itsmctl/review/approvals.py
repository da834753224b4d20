"""Required versus given approvals: the base's ApprovalRules matched per change, each
requirement resolved to a team of the base, and the team's members (their forge handles,
as on the base) matched against the reviews that count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from itsmctl.config import Config
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import ApprovalRule, Requirement, Team
from itsmctl.policy.approvals import matching_rules
from itsmctl.review.reviews import APPROVED, CHANGES_REQUESTED, Opinion, normal_login


@dataclass(frozen=True)
class Approval:
    """One requirement of one rule for one changed document, and how it stands."""

    rule: str
    entity: str  # Kind/name
    require: dict[str, Any]  # as the rule writes it: {"role": "cab"}, {"team": x, "count": n}
    team: str | None  # the team whose members may approve (None: there is none)
    count: int
    approved_by: tuple[str, ...]
    can_approve: tuple[str, ...]  # members who have not approved (the author excluded)
    note: str | None = None  # how the requirement was resolved, or why it cannot be met

    @property
    def satisfied(self) -> bool:
        return self.team is not None and len(self.approved_by) >= self.count

    def to_json(self) -> dict[str, Any]:
        data = {"rule": self.rule, "entity": self.entity, "require": self.require,
                "team": self.team, "count": self.count, "approvedBy": list(self.approved_by),
                "satisfied": self.satisfied, "canApprove": list(self.can_approve)}
        if self.note:
            data["note"] = self.note
        return data


def _as_written(requirement: Requirement) -> dict[str, Any]:
    if requirement.role is not None:
        return {"role": requirement.role} if requirement.number == 1 else \
            {"role": requirement.role, "count": requirement.number}
    return {"team": requirement.team, "count": requirement.number}


def _teams(requirement: Requirement, context: dict[str, Any], config: Config,
           teams: dict[str, Team]) -> list[tuple[str | None, str | None]]:
    """(team, note) pairs a requirement resolves to on the base."""
    if requirement.team is not None:
        if requirement.team not in teams:
            return [(None, f"team '{requirement.team}' does not exist on the base")]
        return [(requirement.team, None)]
    cab = config.review_cab
    cab_pair: tuple[str | None, str | None] = (cab, None) if cab in teams else (None, (
        "itsmctl.yaml names no CAB (review.cab)" if cab is None
        else f"the CAB team '{cab}' (review.cab) does not exist on the base"))
    if requirement.role == "cab":
        return [cab_pair]
    owners = [t for t in context["owners"] if t in teams]
    if owners:
        return [(team, None) for team in owners]
    why = "no owning team on the base" if not context["owners"] else \
        f"its owner{'s' if len(context['owners']) > 1 else ''} " + \
        ", ".join(f"'{t}'" for t in context["owners"]) + " not on the base"
    return [(cab_pair[0], f"{why}: the CAB approves" if cab_pair[0] else
             f"{why}, and {cab_pair[1]}")]


def required_approvals(contexts: list[dict[str, Any]], base: Catalog, config: Config,
                       documents: dict[str, Any], now: dt.datetime,
                       opinions: dict[str, Opinion], author: str | None) -> list[Approval]:
    """Every approval the base's rules require for these changes, and who gave it."""
    rules = list(base.typed(ApprovalRule).values())
    teams = base.typed(Team)
    approving = {key for key, o in opinions.items() if o.counts and o.state == APPROVED}
    author_key = normal_login(author).lower() if author is not None else None
    out: dict[tuple[str, str, str | None], Approval] = {}
    for context, matches in zip(contexts, matching_rules(rules, contexts, documents, now),
                                strict=True):
        entity = f"{context['kind']}/{context['name']}"
        for match in matches:
            for requirement in match.rule.require:
                count = requirement.number
                for team, note in _teams(requirement, context, config, teams):
                    if match.problem:
                        note = f"rule counted as matching: {match.problem}" + \
                            (f"; {note}" if note else "")
                    key = (match.rule.name, entity, team)
                    if key in out and out[key].count >= count:
                        continue
                    handles = teams[team].handles if team is not None else ()
                    approved = tuple(h for h in handles if h.lower() in approving)
                    can = tuple(h for h in handles if h not in approved
                                and h.lower() != author_key)
                    out[key] = Approval(match.rule.name, entity, _as_written(requirement),
                                        team, count, approved, can, note)
    return list(out.values())


def changes_requested(approvals: list[Approval], base: Catalog,
                      opinions: dict[str, Opinion]) -> list[tuple[str, tuple[str, ...]]]:
    """(login, the required teams they are in) of each required approver whose standing
    review requests changes."""
    teams = base.typed(Team)
    required = sorted({a.team for a in approvals if a.team is not None})
    out = []
    for key, opinion in opinions.items():
        if opinion.state != CHANGES_REQUESTED or opinion.why_not == "author":
            continue
        member_of = tuple(t for t in required
                          if key in {h.lower() for h in teams[t].handles})
        if member_of:
            out.append((opinion.login, member_of))
    return out
