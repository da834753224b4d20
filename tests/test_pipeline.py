"""Mutated documents go through every stage (validation, policies, waivers) and come out as
diagnostics, never exceptions."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import HealthCheck
from hypothesis import strategies as st

from itsmctl.config import Config
from itsmctl.load import load
from itsmctl.model.documents import Document
from itsmctl.policy.judge import judge
from itsmctl.sources import WorkTree
from tests.helpers import VALID, budgets, json_paths, run_property

BASE = load(WorkTree(VALID)).documents
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 30), st.text(max_size=8),
    st.sampled_from(["ops", "mail", "web", "inc", "req", "P1", "P3", "open", "done", "*",
                     "2026-02-30", "0m", "25:00-26:00", "09:00-08:00", "retired", "Nowhere/Zone",
                     "FREQ=NEVER", "{{ x", "Service/nope", "choice", "standard", "100%"]),
    st.lists(st.sampled_from(["ops", "mail", "web", "open", "*", "x"]), max_size=3))



def _mutated_catalogs_never_raise(data: Any) -> None:
    documents = []
    for document in BASE:
        copied = copy.deepcopy(document.data)
        if data.draw(st.integers(0, 3)) == 0:
            path = data.draw(st.sampled_from(json_paths(copied)[1:]))
            parent = copied
            for part in path[:-1]:
                parent = parent[part]
            if data.draw(st.booleans()):
                parent[path[-1]] = data.draw(VALUES)
            else:
                del parent[path[-1]]
        documents.append(Document(document.file, document.index, copied, 1, 1))
    judge(documents, Config(), dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc))


@budgets(quick=60, full=400)
def test_mutated_catalogs_never_raise(examples: int) -> None:
    run_property(examples, _mutated_catalogs_never_raise, st.data(),
                 suppress_health_check=[HealthCheck.too_slow])


def test_a_cab_naming_no_team_is_a_warning_at_the_setting(run, make_repo) -> None:
    repo = make_repo({"itsmctl.yaml": "review:\n  cab: opps\n"})
    code, out, _ = run("--repo", str(repo), "check", "--now", "2026-11-21")
    assert code == 0
    assert ("itsmctl.yaml:2:8: warning: review.cab: there is no team 'opps' (did you mean "
            "'ops'?); approval rules with role: cab cannot be met [settings]") in out
