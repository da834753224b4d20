"""Policies shared among forked processes (itsmctl.policy.evaluate, PART_EVALUATIONS): the
same findings, problems and review as one process makes, in the same order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from itsmctl.load import load
from itsmctl.parallel import can_fork, in_parts
from itsmctl.pipeline import check
from itsmctl.policy import evaluate
from itsmctl.sources import WorkTree
from tests.helpers import NOW, Repo
from tests.policy.test_evaluate import policy

pytestmark = pytest.mark.skipif(not can_fork(), reason="processes cannot be forked here")

# each goes wrong in its own way: found on some documents, on none, stopped, ...
TROUBLE = {
    "policies/windows.yaml": policy("windows", "entity.spec.maintenanceWindows | length > 0",
                                    path="spec.maintenanceWindows"),
    "policies/typo.yaml": policy("typo", "entity.spec.sla.spec.targts.P1 is defined",
                                 path="spec.sla"),
    "policies/when.yaml": policy("when", "true", when="entity.spec.slaa.spec"),
    "policies/add.yaml": policy("add", "entity.spec.tier + 'x'"),
    "policies/msg.yaml": policy("msg", "false", message="{{ entity.nope }}"),
    "policies/escape.yaml": policy("escape", "entity | attr('__' ~ 'class__') is defined"),
    "policies/big.yaml": policy("big", "('x' * 1000000) | length > 0"),
    "policies/tier.yaml": policy("tier", "entity.spec.tier > 1", kinds="[Service, Team]"),
    "policies/used.yaml": policy("used", "entity | referenced_by | length > 3",
                                 kinds="[Team, SLA]"),
}


def _forking(monkeypatch: pytest.MonkeyPatch, forked: bool) -> list[int]:
    """Each policy in a process of its own (`forked`), or all in this one; the number of
    parts each run of policies had is recorded in the list returned."""
    monkeypatch.setattr(evaluate, "PART_EVALUATIONS", 1 if forked else 10**9)
    monkeypatch.setattr(evaluate, "usable_cpus", lambda: 64)
    counts: list[int] = []

    def recorded(work: Callable[[Any], Any], parts: Sequence[Any]) -> list[Any]:
        counts.append(len(parts))
        return in_parts(work, parts)
    monkeypatch.setattr(evaluate, "in_parts", recorded)
    return counts


def _both(monkeypatch: pytest.MonkeyPatch, run: Callable[..., tuple[int, str, str]],
          *args: str) -> tuple[tuple[int, str, str], tuple[int, str, str], list[int]]:
    """`itsmctl ARGS` run with its policies in one process, then forked."""
    with monkeypatch.context() as patch:
        _forking(patch, False)
        alone = run(*args)
    with monkeypatch.context() as patch:
        counts = _forking(patch, True)
        forked = run(*args)
    return alone, forked, counts


def test_policies_in_processes_of_their_own_find_what_one_process_finds(
        run, make_repo, monkeypatch) -> None:
    repo = make_repo(TROUBLE)
    for fmt in ("json", "text"):
        alone, forked, counts = _both(monkeypatch, run, "--repo", str(repo), "check",
                                      "--now", NOW, "--format", fmt)
        assert counts and counts[0] > 5  # the policies were shared among processes
        assert forked == alone
    rules = {line.rsplit("[", 1)[-1] for line in alone[1].splitlines()}
    # what goes wrong in a child is told as it is in one process
    assert {"policy-invalid]", "policy-unsafe]", "policy-limit]", "policy/windows]",
            "policy/msg]", "policy/tier]", "policy/used]"} <= rules


def test_the_outcome_is_in_the_order_of_the_policies(make_repo, monkeypatch) -> None:
    repo = make_repo(TROUBLE)
    now = dt.datetime.fromisoformat(NOW).replace(tzinfo=dt.timezone.utc)

    def judged() -> tuple[Any, ...]:
        checked = check(load(WorkTree(repo)), now)
        assert checked.judged is not None
        outcome = checked.judged.outcome
        return (checked.result.diagnostics, outcome.findings, outcome.problems,
                outcome.evaluated, list(outcome.verdicts.items()))
    with monkeypatch.context() as patch:
        _forking(patch, False)
        alone = judged()
    with monkeypatch.context() as patch:
        counts = _forking(patch, True)
        forked = judged()
    assert counts[0] > 5  # the costliest policies went to the first processes
    assert forked == alone  # lists in the policies' order, not the processes'


def test_a_review_judging_its_head_in_processes_is_the_same(run, repo: Repo,
                                                            monkeypatch) -> None:
    for path, text in TROUBLE.items():
        repo.write(path, text)
    repo.commit("policies that go wrong")
    repo.branch("change")
    repo.edit("catalog/services/web.yaml", "tier: 2", "tier: 1")
    repo.remove("catalog/services/mail.yaml")
    repo.commit()
    for fmt in ("json", "markdown"):
        alone, forked, counts = _both(monkeypatch, run, "--repo", str(repo.root), "review",
                                      "main...change", "--now", NOW, "--format", fmt)
        assert counts[0] > 5 and counts[1:] == [1]  # the head forked; the base did not
        assert forked == alone
        assert alone[0] == 1 and "policy/tier" in alone[1]


def test_a_few_evaluations_stay_in_one_process(run, make_repo, monkeypatch) -> None:
    counts = _forking(monkeypatch, False)
    monkeypatch.setattr(evaluate, "PART_EVALUATIONS", 2_500)  # the fixture has a few dozen
    run("--repo", str(make_repo(TROUBLE)), "check", "--now", NOW)
    assert counts == [1]
