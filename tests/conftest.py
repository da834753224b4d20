"""Fixtures: catalog repositories in tmp dirs, and the CLI run in-process."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from itsmctl.cli.main import main
from tests.helpers import VALID, Repo, make_git_repo


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """A catalog repository: the valid fixture (or nothing), plus overlay files."""

    def make(files: dict[str, str | bytes] | None = None, base: Path | None = VALID,
             overlay: Path | None = None, name: str = "repo") -> Path:
        root = tmp_path / name
        if base is not None:
            shutil.copytree(base, root, symlinks=True)
        else:
            root.mkdir()
        if overlay is not None:
            shutil.copytree(overlay, root, symlinks=True, dirs_exist_ok=True)
        for rel, content in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        return root

    return make


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> Callable[..., tuple[int, str, str]]:
    """Run `itsmctl ARGS` in-process: (exit code, stdout, stderr)."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say so when the live tests are not in the run, and how to run them."""
    if "live" in str(config.getoption("markexpr")).replace("not live", ""):
        return None
    return ("live tests (a real Request Tracker 5 and headless Chromium) are not in this run: "
            "pytest -m live (bash scripts/rt/install.sh and apt-get install chromium give the "
            "parts; .ci/run runs them)")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """The review fixture organisation in a git repository, committed on main."""
    return make_git_repo(tmp_path / "repo")
