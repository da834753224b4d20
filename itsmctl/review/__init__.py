"""`itsmctl review`: a pull request judged (docs/review.md).

Everything that judges it — Policies, Waivers, ApprovalRules, Teams and their members, and
itsmctl.yaml — is read from BASE; the head's versions take effect only after the merge.
The review reports the changes, what they reach (impact), the findings the pull request
introduces and fixes (its head judged by the base's policies and waivers), its change
requests (their outcome under the change-enablement rules), and the approvals the base's
rules require against those given; its verdict is `ready` or `blocked`, each cause one
line in `reasons`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsmctl import __version__
from itsmctl.diagnostics import Diagnostic
from itsmctl.diff import SETTINGS, Change, changes
from itsmctl.diff.impact import Impact, impact
from itsmctl.kinds import CHANGE_REQUEST
from itsmctl.pipeline import Checked, Shared, check, load_catalog, rule_documents
from itsmctl.review.approvals import Approval, changes_requested, required_approvals
from itsmctl.review.context import Side, change_context
from itsmctl.review.findings import Findings, compare
from itsmctl.review.requests import RequestReview, change_requests
from itsmctl.review.reviews import Opinion, opinions, read_reviews
from itsmctl.sources import Revisions, revisions
from itsmctl.text import plural

READY, BLOCKED = "ready", "blocked"


@dataclass(frozen=True)
class ReviewRequest:
    base: str
    head: str | None = None
    author: str | None = None
    approved_by: tuple[str, ...] = ()
    reviews: Path | None = None
    now: dt.datetime | None = None


@dataclass(frozen=True)
class Review:
    base: str  # the base commit's SHA
    head: str  # the head commit's SHA, or 'worktree'
    head_commit: str  # the commit reviews are compared with (the work tree's HEAD commit)
    verdict: str
    reasons: tuple[str, ...]
    changes: tuple[Change, ...]
    impact: tuple[Impact, ...]
    findings: Findings
    approvals: tuple[Approval, ...]
    requests: tuple[RequestReview, ...] = ()
    opinions: tuple[Opinion, ...] = ()
    requested_changes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    author: str | None = None
    version: str = field(default=__version__, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base, "head": self.head, "verdict": self.verdict,
            "reasons": list(self.reasons),
            "changes": [c.to_json() for c in self.changes],
            "impact": [i.to_json() for i in self.impact],
            "findings": self.findings.to_json(),
            "changeRequests": [r.to_json() for r in self.requests],
            "approvals": [a.to_json() for a in self.approvals],
            "author": self.author,
            "reviews": [o.to_json() for o in self.opinions],
            "changesRequested": [{"login": login, "teams": list(teams)}
                                 for login, teams in self.requested_changes],
        }


def _finding_reason(finding: Diagnostic) -> str:
    return f"introduces {finding.format()}"


def _approval_reasons(approvals: list[Approval]) -> list[str]:
    """One line per rule and team still short of approvals, naming the changes it is for."""
    groups: dict[tuple[str, str | None, int], list[Approval]] = {}
    for approval in approvals:
        if not approval.satisfied:
            missing = approval.count - len(approval.approved_by)
            groups.setdefault((approval.rule, approval.team, missing), []).append(approval)
    out = []
    for (rule, team, missing), group in groups.items():
        entities = [a.entity for a in group]
        shown = ", ".join(entities[:3]) + (f" and {len(entities) - 3} more"
                                           if len(entities) > 3 else "")
        if team is None:
            out.append(f"{rule}: no one can approve {shown}: {group[0].note}")
            continue
        who = ", ".join(f"@{h}" for h in group[0].can_approve) or "no member can"
        out.append(f"{rule}: {shown} needs {plural(missing, 'more approval')} from team "
                   f"{team} (can approve: {who})")
    return out


def _request_reason(request: RequestReview) -> str:
    errors = request.evaluation.errors
    why = "; ".join(f"{d.message} [{d.rule}]" for d in errors[:3])
    more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
    return f"change request {request.evaluation.name} is blocked: {why}{more}"


def _verdict(findings: Findings, requests: list[RequestReview], approvals: list[Approval],
             requested: list[tuple[str, tuple[str, ...]]]) -> tuple[str, list[str]]:
    blocked = {r.evaluation.name for r in requests if r.blocked}
    # a blocked change request is one cause, however many of its findings are new
    reasons = [_finding_reason(d) for d in findings.blocking
               if not (d.kind == CHANGE_REQUEST and d.name in blocked)]
    reasons += [_request_reason(r) for r in requests if r.blocked]
    reasons += _approval_reasons(approvals)
    reasons += [f"@{login} ({', '.join(teams)}) requests changes" for login, teams in requested]
    return (BLOCKED if reasons else READY), reasons


def _judge_both(root: Path, request: ReviewRequest, now: dt.datetime
                ) -> tuple[Revisions, Checked, Checked]:
    """The two versions, loaded with the base's settings and judged by the base's rules:
    the head in full, then the base taking over what cannot differ."""
    sides = revisions(root, request.base, request.head)
    shared = Shared()
    base = load_catalog(sides.base, shared=shared, require=False)  # a first catalog: all new
    head = load_catalog(sides.head, base.config, shared, require=not base.files)
    head_checked = check(head, now, rules=rule_documents(base), shared=shared)
    base_checked = check(base, now, shared=shared, prior=head_checked)
    return sides, base_checked, head_checked


def review(root: Path, request: ReviewRequest) -> Review:
    now = request.now or dt.datetime.now(dt.timezone.utc)
    given = read_reviews(request.reviews)  # a file that cannot be read stops us before any work
    sides, base, head = _judge_both(root, request, now)
    found = changes(base.loaded, head.loaded)
    assert base.judged is not None and head.judged is not None
    assert base.judged.difference is not None
    either = base.judged.difference.referrers_either
    reached = impact(found, either, head.catalog)
    old = Side(base.catalog, base.judged.documents(around=[c.ref for c in found]), either)
    new = Side(head.catalog, head.judged.documents(), either)
    settings = (base.loaded.written_settings, head.loaded.written_settings)
    contexts = [change_context(c, old, new, settings if c.kind == SETTINGS else (None, None))
                for c in found]
    config = base.loaded.config
    standing = opinions(given, request.approved_by, request.author,
                        sides.head_sha, config.keep_approvals_on_push)
    approvals = required_approvals(contexts, base.catalog, config, new.documents, now,
                                   standing, request.author)
    requested = changes_requested(approvals, base.catalog, standing)
    findings = compare(base.result.diagnostics, head.result.diagnostics)
    requests = change_requests(found, base.catalog, head.catalog, config, now)
    verdict, reasons = _verdict(findings, requests, approvals, requested)
    return Review(sides.base.sha, sides.head_label, sides.head_sha, verdict, tuple(reasons),
                  found, tuple(reached), findings, tuple(approvals), tuple(requests),
                  tuple(standing.values()), tuple(requested), request.author)
