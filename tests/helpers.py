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
