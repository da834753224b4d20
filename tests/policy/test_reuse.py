"""Judging a pull request's base after its head takes over the head's policy verdicts
where they cannot differ (itsmctl.policy.evaluate.Prior). Whatever the pull request
changes, the base's findings must be exactly those of judging it alone."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl.load import Loaded, load
from itsmctl.model.documents import Document
from itsmctl.model.references import graph_of
from itsmctl.pipeline import Shared, check, rule_documents
from itsmctl.policy.sandbox import Reach, reach
from itsmctl.sources import WorkTree
from tests.helpers import REVIEW, ROOT, budgets, json_paths

NOW = dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc)
VALUES = st.one_of(
    st.integers(1, 4), st.sampled_from(["gold", "silver", "bronze", "ops", "net", "mail", "web",
                                        "erp", "production", "retired", "planned", "8h", "1h",
                                        "30m", "cab", "x"]),
    st.lists(st.sampled_from(["mail", "web", "vpn", "erp", "crm", "sso"]), max_size=3))


def _findings(checked: Any) -> list[tuple[Any, ...]]:
    return sorted((d.rule, d.kind, d.name, d.json_path, d.path, d.line, d.column,
                   d.severity, d.suppressed) for d in checked.result.diagnostics)


def _pull_request(base: Loaded, data: Any) -> Loaded:
    """The base with some documents edited, one maybe removed or added."""
    documents = []
    for document in base.documents:
        kind = document.identity()[0]
        if kind in ("Policy", "ApprovalRule", "Waiver") or data.draw(st.integers(0, 9)):
            documents.append(document)  # the same bytes: the same object
            continue
        if data.draw(st.integers(0, 6)) == 0:
            continue  # removed
        changed = copy.deepcopy(document.data)
        path = data.draw(st.sampled_from([p for p in json_paths(changed)
                                          if len(p) >= 2 and p[0] in ("spec", "metadata")
                                          and p[:2] != ("metadata", "name")]))
        parent = changed
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) or not isinstance(parent, dict):
            parent[path[-1]] = data.draw(VALUES)
        else:
            del parent[path[-1]]
        documents.append(Document(document.file, document.index, changed, document.line,
                                  document.column))
    return Loaded(base.config, documents=documents)


def _same_as_alone(source: Any, data: Any) -> None:
    base = load(WorkTree(source))
    head = _pull_request(base, data)
    shared = Shared()
    head_checked = check(head, NOW, rules=rule_documents(base), shared=shared)
    reused = check(base, NOW, shared=shared, prior=head_checked)
    assert _findings(reused) == _findings(check(load(WorkTree(source)), NOW))
    assert reused.judged is not None and reused.judged.difference is not None
    difference = reused.judged.difference
    before, after = graph_of(head_checked.catalog), graph_of(reused.catalog)
    for entity in [*head_checked.catalog, *reused.catalog]:  # who names whom, not rebuilt
        assert difference.referrers_after(entity.ref) == after.referrers(entity.ref, True)
        assert difference.referrers_either(entity.ref) == sorted(
            {*before.referrers(entity.ref, True), *after.referrers(entity.ref, True)})


@given(st.data())
def _example(data: Any) -> None:
    _same_as_alone(ROOT, data)


@given(st.data())
def _fixture(data: Any) -> None:
    _same_as_alone(REVIEW, data)


@budgets(quick=2, full=40)
def test_the_example_catalog(examples: int) -> None:
    settings(max_examples=examples, deadline=None,
             suppress_health_check=[HealthCheck.too_slow])(_example)()


@budgets(quick=4, full=80)
def test_the_review_fixture(examples: int) -> None:
    settings(max_examples=examples, deadline=None,
             suppress_health_check=[HealthCheck.too_slow])(_fixture)()


def _edited(base: Loaded, edits: dict[str, tuple[str, str, Any]]) -> Loaded:
    """The base with documents ('Kind/name') given another value in one field."""
    documents = []
    for document in base.documents:
        kind, name = document.identity()
        edit = edits.get(f"{kind}/{name}")
        if edit is not None:
            data = copy.deepcopy(document.data)
            part, key, value = edit
            data[part][key] = value
            document = Document(document.file, document.index, data, document.line,
                                document.column)
        documents.append(document)
    return Loaded(base.config, documents=documents)


def test_an_edit_where_a_policy_does_not_read_keeps_its_verdicts_without_findings() -> None:
    base = load(WorkTree(REVIEW))
    head = _edited(base, {"Service/web": ("metadata", "description", "The web site."),
                          "Team/desk": ("metadata", "title", "Desk")})
    shared = Shared()
    head_checked = check(head, NOW, rules=rule_documents(base), shared=shared)
    reused = check(base, NOW, shared=shared, prior=head_checked)
    assert reused.judged is not None and head_checked.judged is not None
    before, after = head_checked.judged.outcome.verdicts, reused.judged.outcome.verdicts
    # p1-within-4h reads the spec: web's verdict (nothing found) is the head's
    assert before["p1-within-4h"]["Service/web"].clean
    assert after["p1-within-4h"]["Service/web"] is before["p1-within-4h"]["Service/web"]
    # described reads the metadata: evaluated again
    assert after["described"]["Service/web"] is not before["described"]["Service/web"]
    # two-members finds desk short of a deputy: where the finding is is not taken over
    assert before["two-members"]["Team/desk"].findings
    assert after["two-members"]["Team/desk"] is not before["two-members"]["Team/desk"]
    alone = check(load(WorkTree(REVIEW)), NOW).result.diagnostics
    assert sorted(reused.result.diagnostics) == sorted(alone)  # messages too


def test_reach_bounds_what_an_expression_reads() -> None:
    assert reach("entity.spec.tier == 1") == Reach(0, frozenset({"spec"}))
    assert reach("entity.metadata.description is defined and "
                 "entity.metadata.description | length >= 10") == Reach(0, frozenset({"metadata"}))
    assert reach("entity.spec.sla.spec.calendar.spec.always | default(false)").depth == 2
    assert reach('entity.spec.dependsOn | selectattr("spec.tier", "gt", 2) | list').depth == 1
    assert reach('entity.spec.get("sla").spec.targets') == Reach(1, frozenset({"spec"}))
    assert reach("(entity.spec.a if entity.spec.b else entity.spec.c).spec.d").depth == 1
    assert reach('entity | referenced_by("Service") | selectattr("spec.tier", "le", 2)'
                 ).reverse is True
    for unbounded in ("catalog.Service", "entity.spec ~ 'x'", "entity.spec | tojson",
                      "entity.spec.owner == entity.spec.supportGroup",
                      "entity.spec.items()", "entity.spec[entity.metadata.name]",
                      "entity.spec.x | string", "entity.spec.a | map('tojson')"):
        assert reach(unbounded) is None, unbounded
