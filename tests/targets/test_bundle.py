"""`build --target bundle`: resolved, deterministic, atomic."""

from __future__ import annotations

import json
from pathlib import Path

from itsmctl.targets import TARGETS
from tests.helpers import NOW


def test_bundle_is_resolved_and_byte_identical(run, make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    first, second = tmp_path / "one", tmp_path / "two"
    assert run("--repo", str(repo), "build", "--target", "bundle", "--out", str(first),
               "--now", NOW)[0] == 0
    assert run("--repo", str(repo), "build", "--out", str(second), "--now", NOW)[0] == 0
    data = (first / "bundle" / "catalog.json").read_bytes()
    assert data == (second / "bundle" / "catalog.json").read_bytes()
    bundle = json.loads(data)
    assert bundle["digest"].startswith("sha256:")
    mail = bundle["entities"]["Service"]["mail"]
    assert mail["spec"]["lifecycle"] == "production"  # schema default applied
    assert mail["spec"]["supportGroup"] == "ops"  # defaults to the owner
    assert "Service/web" in mail["referencedBy"]
    assert bundle["entities"]["Category"]["laptop"]["spec"]["assignmentGroup"] == "ops"
    item = bundle["entities"]["CatalogItem"]["new-laptop"]["spec"]
    assert (item["sla"], item["workflow"], item["fulfillmentGroup"]) == ("std", "req", "ops")
    states = bundle["entities"]["Workflow"]["inc"]["spec"]["states"]
    assert [s["sla"] for s in states] == ["running", "paused", "stopped"]


def test_failed_build_leaves_previous_output_intact(run, make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    out = tmp_path / "out"
    assert run("--repo", str(repo), "build", "--out", str(out), "--now", NOW)[0] == 0
    before = (out / "bundle" / "catalog.json").read_bytes()
    (repo / "catalog" / "broken.yaml").write_text("kind: [\n")
    code, _, err = run("--repo", str(repo), "build", "--out", str(out), "--now", NOW)
    assert code == 1
    assert "catalog/broken.yaml:2:1: error:" in err and "not built" in err
    assert (out / "bundle" / "catalog.json").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == sorted(TARGETS)  # no temporary left


def test_every_registered_target_names_itself_as_registered() -> None:
    from itsmctl.targets import target

    for name in TARGETS:
        assert name == target(name).NAME
