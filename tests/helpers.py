"""Shared test helpers: paths, real git repositories, property-test budgets."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid"
GOLDEN = Path(__file__).resolve().parent / "golden"
DATA = Path(__file__).resolve().parent / "data"
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


def run_property(examples: int, body: Callable[..., None], *strategies: Any,
                 **options: Any) -> None:
    """Run `body` as a hypothesis property over `strategies` with `examples` examples
    (given and settings applied afresh, so one test can run with several budgets)."""
    from hypothesis import given, settings

    settings(max_examples=examples, deadline=None, **options)(given(*strategies)(body))()


def budgets(quick: int, full: int) -> Callable[[Callable[..., Any]], Any]:
    """Run a property test with `quick` examples in the default run and with `full`
    examples in the slow run (`pytest -m slow`, which .ci/run runs): the test takes an
    `examples` argument and applies it with hypothesis' `settings`."""
    return pytest.mark.parametrize("examples", [
        pytest.param(quick, id="quick"),
        pytest.param(full, id="full", marks=pytest.mark.slow),
    ])


REVIEW = FIXTURES / "review"


class Repo:
    """A catalog repository in a real git repository (the review fixture by default), with
    the edits and commits a pull request makes."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str) -> str:
        return git(self.root, *args).strip()

    def write(self, path: str, text: str) -> Repo:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return self

    def edit(self, path: str, old: str, new: str) -> Repo:
        target = self.root / path
        text = target.read_text()
        assert old in text, f"{old!r} not in {path}"
        target.write_text(text.replace(old, new, 1))
        return self

    def move(self, old: str, new: str) -> Repo:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)
        return self

    def remove(self, path: str) -> Repo:
        self.git("rm", "-q", path)
        return self

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-qm", message, "--allow-empty")
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str) -> Repo:
        self.git("checkout", "-q", "-b", name)
        return self

    def checkout(self, name: str) -> Repo:
        self.git("checkout", "-q", name)
        return self

    def sha(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", ref)


def make_git_repo(target: Path, source: Path = REVIEW) -> Repo:
    """`source` copied to `target`, committed on `main`."""
    import shutil

    shutil.copytree(source, target)
    repo = Repo(target)
    repo.git("init", "-q")
    repo.commit("base")
    return repo
