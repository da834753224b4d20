"""Change requests and catalogs to judge, written the way users write them."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

from itsmctl.changes.source import ChangeCatalog, read_catalog
from tests.helpers import ROOT

NOW = dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc)


def change(name: str, type_: str, services: str, start: str, end: str, **spec: str) -> str:
    """A ChangeRequest document; `spec` adds fields (as YAML text values)."""
    extra = "".join(f"  {key}: {value}\n" for key, value in spec.items())
    return (f"apiVersion: itsmctl/v1\nkind: ChangeRequest\nmetadata: {{name: {name}}}\nspec:\n"
            f"  type: {type_}\n  summary: Something.\n  services: [{services}]\n"
            f"  start: \"{start}\"\n  end: \"{end}\"\n{extra}")


PLANS = {"implementationPlan": "Do it.", "backoutPlan": "Undo it."}


def read(repo: Path, now: dt.datetime = NOW) -> ChangeCatalog:
    return read_catalog(repo, None, now.date())


def example_repo(make_repo: Callable[..., Path], files: dict[str, str]) -> Path:
    """The example organisation (catalog/ and changes/) with some files replaced or added."""
    repo: Path = make_repo(base=None, name="example")
    for folder in ("catalog", "changes"):
        shutil.copytree(ROOT / folder, repo / folder)
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    return repo
