"""The workflows `itsmctl init` writes and the composite action they use: installable
without a package index, and the pull-request pattern that is safe for forks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from itsmctl import __version__
from tests.helpers import ROOT

TEMPLATE = ROOT / "itsmctl" / "scaffold" / "template"


def _load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in data:
        data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true; GitHub does not
    return data


def _workflows() -> list[Path]:
    return sorted([*(TEMPLATE / "dot-github" / "workflows").glob("*.yaml"),
                   *(ROOT / ".github" / "workflows").glob("catalog*.yml")])


def test_nothing_installs_itsmctl_from_a_package_index() -> None:
    for path in _workflows():
        text = path.read_text()
        assert "pip install itsmctl" not in text, path
        steps = [s for job in _load(path)["jobs"].values() for s in job["steps"]]
        installs = [s["uses"] for s in steps if s.get("uses") in ("itsmctl/itsmctl@v1", "./")]
        assert len(installs) == 1, path


def test_the_review_job_and_the_comment_job(tmp_path: Path) -> None:
    for review, post in ((TEMPLATE / "dot-github/workflows/itsmctl.yaml",
                          TEMPLATE / "dot-github/workflows/itsmctl-comment.yaml"),
                         (ROOT / ".github/workflows/catalog.yml",
                          ROOT / ".github/workflows/catalog-comment.yml")):
        first, second = _load(review), _load(post)
        assert {"push", "pull_request", "pull_request_review"} <= set(first["on"])
        [job] = first["jobs"].values()
        assert job["steps"][0]["with"]["fetch-depth"] == 0
        assert "pull-requests" not in first.get("permissions", {})  # read-only by default
        assert job["permissions"]["pull-requests"] == "read"
        runs = " ".join(s.get("run", "") for s in job["steps"])
        assert "itsmctl review" in runs and "itsmctl codeowners --check" in runs
        assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in job["steps"])
        assert set(second["on"]) == {"workflow_run"}
        assert second["on"]["workflow_run"]["workflows"] == [first["name"]]
        assert second["permissions"]["pull-requests"] == "write"
        [poster] = second["jobs"].values()
        for step in poster["steps"]:
            assert "ref" not in step.get("with", {})  # never the pull request's code
            assert "${{" not in step.get("run", "")  # untrusted values only through env
        assert "--head-sha" in poster["steps"][-1]["run"]


def test_the_composite_action_installs_itsmctl_from_its_own_checkout() -> None:
    action = _load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    [python, install] = action["runs"]["steps"]
    assert python["uses"].startswith("actions/setup-python@")
    script = install["run"]
    assert '"$GITHUB_ACTION_PATH"' in script and "GITHUB_PATH" in script
    version = subprocess.run([str(Path(sys.executable).parent / "itsmctl"), "--version"],
                             capture_output=True, text=True).stdout
    assert subprocess.run(["awk", "{print $NF}"], input=version, capture_output=True,
                          text=True).stdout.strip() == __version__
