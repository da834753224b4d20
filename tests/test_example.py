"""The embedded example organisation is complete and realistic (issue: foundation)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from itsmctl.pipeline import check_catalog
from itsmctl.rules import RULES
from tests.helpers import ROOT


def test_example_is_clean_and_complete() -> None:
    checked = check_catalog(ROOT, now=datetime(2026, 11, 21, tzinfo=timezone.utc))
    active = [d for d in checked.result.diagnostics if not d.suppressed]
    assert active == []
    assert {(d.rule, d.name) for d in checked.result.diagnostics} == {("policy/tier1-24x7", "erp")}
    counts = Counter(e.kind for e in checked.catalog)
    minimum = {"Service": 25, "Team": 8, "Calendar": 3, "SLA": 3, "Category": 15,
               "CatalogItem": 6, "StandardChange": 6, "Workflow": 4, "MaintenanceWindow": 1,
               "ChangeFreeze": 1, "PriorityMatrix": 1, "Policy": 10, "Waiver": 1,
               "ChangeRequest": 1}
    for kind, n in minimum.items():
        assert counts[kind] >= n, kind
    domains = {e.metadata.get("labels", {}).get("domain") for e in checked.catalog
               if e.kind == "Service"}
    assert {"network", "identity", "collaboration", "endpoint", "business-apps"} <= domains
    workflow_types = {e.spec["appliesTo"] for e in checked.catalog.of_kind("Workflow")}
    assert workflow_types == {"incident", "request", "problem", "change"}
    categories = checked.catalog.of_kind("Category")
    assert any("parent" in c.spec for c in categories)


def test_the_docs_list_every_rule_as_itsmctl_rules_does(run) -> None:
    docs = (ROOT / "docs" / "diagnostics.md").read_text()
    _, table, _ = run("rules", "--format", "markdown")
    assert docs.endswith("\n\n" + table)
    for rule_id in RULES:
        assert f"`{rule_id}`" in docs, rule_id


def test_the_readme_headline_is_what_check_prints(run, tmp_path) -> None:
    """The README opens with two typos in the example's VPN service: that is exactly what
    `check` prints for them (one error, one report)."""
    import shutil

    repo = tmp_path / "repo"
    for folder in ("catalog", "policies", "changes"):
        shutil.copytree(ROOT / folder, repo / folder)
    shutil.copy(ROOT / "itsmctl.yaml", repo / "itsmctl.yaml")
    vpn = repo / "catalog/services/network/vpn.yaml"
    vpn.write_text(vpn.read_text().replace("  sla: silver", "  sla: gld")
                   .replace("  dependsOn:", "  dependson:"))
    _, out, _ = run("--repo", str(repo), "check", "--now", "2026-11-21")
    readme = (ROOT / "README.md").read_text()
    assert f"```\n$ itsmctl check\n{out}```" in readme
