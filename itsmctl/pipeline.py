"""load -> validate -> policies: the stages every command starts from (docs/architecture.md).

`load_catalog` and `check` are separate so that a command can load two sources (the base
and the head of a pull request) or judge one source with another's policies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from itsmctl.diagnostics import Result
from itsmctl.load import Loaded, load, read_files
from itsmctl.model.catalog import Catalog
from itsmctl.policy.judge import judge
from itsmctl.sources import Source, WorkTree, is_catalog_file, open_source, relative_paths


@dataclass
class Checked:
    loaded: Loaded
    catalog: Catalog
    result: Result


def load_catalog(source: Source) -> Loaded:
    """The settings, documents and reading problems of one source."""
    return load(source)


def _selected(path: str, selection: list[str]) -> bool:
    return any(s in ("", ".") or path == s or path.startswith(s.rstrip("/") + "/")
               for s in selection)


def check(loaded: Loaded, now: dt.datetime | None = None, selection: list[str] | None = None
          ) -> Checked:
    """Validate and judge by policy every document loaded; report only on `selection`
    (paths relative to the repository) when given. `now` (default: the current time) is
    when expiry dates are judged and what policies see, so runs are reproducible."""
    judged = judge(loaded.documents, loaded.config, now or dt.datetime.now(dt.timezone.utc))
    result = Result(files=list(loaded.files), documents=len(loaded.documents),
                    rule_texts=judged.rule_texts)
    result.extend(loaded.diagnostics)
    result.extend(judged.diagnostics)
    if selection:
        result.diagnostics = [d for d in result.diagnostics if _selected(d.path, selection)]
        result.files = [f for f in result.files if _selected(f, selection)]
    return Checked(loaded, judged.catalog, result)


def check_catalog(root: Path, ref: str | None = None, now: dt.datetime | None = None,
                  paths: tuple[str, ...] = ()) -> Checked:
    """Load and check the catalog of a repository (at a git ref, or its work tree); with
    `paths`, the whole catalog is read (so references resolve) and only those reported."""
    source = open_source(root, ref)
    loaded = load_catalog(source)
    selection = relative_paths(root, paths) if paths and ref is None else list(paths)
    if selection and isinstance(source, WorkTree):
        known = set(loaded.files)
        extra = [p for p in selection
                 if is_catalog_file(p) and p not in known and (root / p).is_file()]
        read_files([source.file(p) for p in sorted(extra)], loaded)
    return check(loaded, now, selection)
