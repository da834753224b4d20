"""The change requests a pull request adds or modifies (the pull request is their RFC),
judged by the change-enablement rules on its head (docs/changes.md): their outcome
(`blocked`, `pre-approved`, `needs-approval`), their problems, and the in-flight change
requests they collide with — those already on the base named apart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from itsmctl.changes.outcome import Evaluation, Outcome, evaluate
from itsmctl.config import Config
from itsmctl.diff import REMOVED, Change
from itsmctl.kinds import CHANGE_REQUEST
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import ChangeRequest


@dataclass(frozen=True)
class RequestReview:
    action: str  # added | modified | moved
    evaluation: Evaluation
    on_base: tuple[str, ...]  # the collisions with change requests already on the base

    @property
    def blocked(self) -> bool:
        return self.evaluation.outcome is Outcome.BLOCKED

    def to_json(self) -> dict[str, Any]:
        return {**self.evaluation.to_json(), "action": self.action,
                "collisionsOnBase": list(self.on_base)}


def change_requests(changes: tuple[Change, ...], base: Catalog, head: Catalog,
                    config: Config, now: dt.datetime) -> list[RequestReview]:
    """Each change request the pull request adds, modifies or moves, as it stands on the
    head (one that is not valid there is not judged: its findings say why)."""
    requests = head.typed(ChangeRequest)
    on_base = set(base.typed(ChangeRequest))
    out = []
    for change in changes:
        if change.kind != CHANGE_REQUEST or change.action == REMOVED \
                or change.name not in requests:
            continue
        evaluation = evaluate(head, requests[change.name], now, config)
        out.append(RequestReview(change.action, evaluation,
                                 tuple(c for c in evaluation.collisions if c in on_base)))
    return out
