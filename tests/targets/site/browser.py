"""Headless Chromium from Debian, driven by Playwright (never a browser Playwright
downloads): started with a fresh profile and no network features, always stopped."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

HOW_TO_GET = ("headless Chromium is missing: install Debian's packages "
              "(apt-get install chromium chromium-driver) and pip install playwright, "
              "or set CHROMIUM=/path/to/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")


def missing(reason: str) -> None:
    """Fail under CI (the part must be there), skip elsewhere with how to get it."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: live browser tests must run)")
    pytest.skip(reason)


@contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A browser context on a fresh --user-data-dir; closed (and Chromium stopped) after."""
    path = chromium_path()
    if path is None:
        missing(HOW_TO_GET)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing(HOW_TO_GET)
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=path, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900}, offline=True)
        try:
            yield context
        finally:
            context.close()
