"""Shared helpers: real repositories in tmp dirs, and the CLI run in-process."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from itsmctl.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid"
NOW = "2026-11-21"


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every JSON path inside a value, the value itself first (for mutation tests)."""
    out = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            out += json_paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            out += json_paths(sub, (*prefix, i))
    return out


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True, text=True).stdout


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
