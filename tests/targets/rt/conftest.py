"""A real Request Tracker 5 for the live tests: started once per test session on
127.0.0.1 in a temporary folder (scripts/rt/instance.py), stopped at the end.

Without RT the live tests skip, saying how to get it; under CI=true they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from scripts.rt.instance import Instance, missing, shared_mason_cache


@pytest.fixture(scope="session")
def rt() -> Iterator[Instance]:
    problem = missing()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {problem}", pytrace=False)
        pytest.skip(problem)
    instance = Instance(mason_cache=shared_mason_cache())
    try:
        instance.start()
    except RuntimeError as error:
        instance.stop()
        pytest.fail(f"cannot start Request Tracker: {error}", pytrace=False)
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def rt_env(rt: Instance, monkeypatch: pytest.MonkeyPatch) -> Instance:
    """RT_URL, RT_USER and RT_PASSWORD of the session's RT (as root)."""
    monkeypatch.setenv("RT_URL", rt.url)
    monkeypatch.setenv("RT_USER", rt.user)
    monkeypatch.setenv("RT_PASSWORD", rt.password)
    monkeypatch.delenv("RT_TOKEN", raising=False)
    return rt
