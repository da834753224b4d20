"""Inherited values, written once (itsmctl.model.inherit), seen alike by the typed model,
the bundle and policies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from itsmctl.model.references import graph_of
from itsmctl.model.typed import CatalogItem, Category, Service, Workflow
from itsmctl.pipeline import check_catalog
from tests.helpers import NOW

PLANNED = """apiVersion: itsmctl/v1
kind: Service
metadata: {name: lab}
spec: {owner: ops, tier: 3, lifecycle: planned}
---
apiVersion: itsmctl/v1
kind: CatalogItem
metadata: {name: lab-access}
spec: {service: lab}
"""
NO_SLA_POLICY = """apiVersion: itsmctl/v1
kind: Policy
metadata: {name: item-sla-is-an-sla}
spec:
  match: {kinds: [CatalogItem]}
  assert:
    - entity.spec.sla is not defined or entity.spec.sla.kind == "SLA"
  message: "{{ entity.metadata.name }} has sla {{ entity.spec.sla }}"
"""
NOW_AT = dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc)


def test_an_item_on_a_service_without_sla_has_no_sla(run, make_repo, tmp_path: Path) -> None:
    repo = make_repo({"catalog/lab.yaml": PLANNED, "policies/item-sla.yaml": NO_SLA_POLICY})
    out = tmp_path / "out"
    code, stdout, stderr = run("--repo", str(repo), "build", "--out", str(out), "--now", NOW)
    assert code == 0, stdout + stderr
    bundle = json.loads((out / "bundle" / "catalog.json").read_text())
    spec = bundle["entities"]["CatalogItem"]["lab-access"]["spec"]
    assert "sla" not in spec  # it used to be the service's owner team, "ops"
    assert spec["fulfillmentGroup"] == "ops"  # the service's support group, i.e. its owner
    assert "workflow" not in spec
    item = check_catalog(repo, now=NOW_AT).catalog.typed(CatalogItem)["lab-access"]
    assert (item.sla, item.fulfillment_group, item.workflow) == (None, "ops", None)


def test_every_inherited_value_in_the_typed_model(make_repo) -> None:
    catalog = check_catalog(make_repo(), now=NOW_AT).catalog
    assert catalog.typed(Service)["mail"].support_group == "ops"
    item = catalog.typed(CatalogItem)["new-laptop"]
    assert (item.sla, item.workflow, item.fulfillment_group) == ("std", "req", "ops")
    assert catalog.typed(Category)["laptop"].assignment_group == "ops"
    assert [s.sla for s in catalog.typed(Workflow)["inc"].states] == \
        ["running", "paused", "stopped"]


def test_the_graph_tells_written_from_inherited_references(make_repo) -> None:
    graph = graph_of(check_catalog(make_repo(), now=NOW_AT).catalog)
    assert "SLA/std" not in graph.targets("CatalogItem/new-laptop")
    assert "SLA/std" in graph.targets("CatalogItem/new-laptop", derived=True)
    assert graph.referrers("Service/mail") == ["CatalogItem/new-laptop", "ChangeRequest/chg-1",
                                               "Service/web",
                                               "StandardChange/restart"]
    assert "CatalogItem/new-laptop" in graph.referrers("Workflow/req", derived=True)
    assert "CatalogItem/new-laptop" not in graph.referrers("Workflow/req")
