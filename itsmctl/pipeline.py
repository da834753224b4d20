"""load -> validate: the one entry point the commands share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from itsmctl.diagnostics import Result
from itsmctl.errors import FatalError
from itsmctl.load import Loaded, load, load_files
from itsmctl.model import Catalog
from itsmctl.policy.evaluate import run_policies
from itsmctl.sources import WorkTree, is_catalog_file, open_source
from itsmctl.validate import validate


@dataclass
class Checked:
    loaded: Loaded
    catalog: Catalog
    result: Result


def _relative(root: Path, paths: tuple[str, ...]) -> list[str]:
    out = []
    for path in paths:
        full = Path(path).resolve() if Path(path).is_absolute() else (Path.cwd() / path).resolve()
        if not full.exists():
            raise FatalError(f"no such file or folder: {path}")
        try:
            out.append(full.relative_to(root).as_posix())
        except ValueError as error:
            raise FatalError(f"{path} is outside the repository {root}") from error
    return out


def _selected(path: str, selection: list[str]) -> bool:
    return any(s in ("", ".") or path == s or path.startswith(s.rstrip("/") + "/")
               for s in selection)


def check_catalog(root: Path, ref: str | None = None, now: dt.datetime | None = None,
                  paths: tuple[str, ...] = ()) -> Checked:
    """Load, validate and judge by policy the whole catalog; report only on `paths`.

    `now` (default: the current time) is when expiry dates are judged and what policies
    see as `now`/`today`, so runs are reproducible."""
    source = open_source(root, ref)
    loaded = load(source)
    selection = _relative(root.resolve(), paths) if paths and ref is None else list(paths)
    if selection and isinstance(source, WorkTree):
        known = set(loaded.files)
        extra = [p for p in selection
                 if is_catalog_file(p) and p not in known and (root / p).is_file()]
        load_files([source.file(p) for p in sorted(extra)], loaded)
    now = now or dt.datetime.now(dt.timezone.utc)
    catalog, diagnostics = validate(loaded.documents, loaded.config, now.date())
    result = Result(files=list(loaded.files), documents=len(loaded.documents))
    result.extend(loaded.diagnostics)
    result.extend(diagnostics)
    outcome = run_policies(catalog, result.diagnostics, now.date(), now)
    result.extend(outcome.findings)
    result.extend(outcome.problems)
    result.rule_texts = {f"policy/{p.name}": (p.metadata["title"], p.spec.get("description"))
                         for p in catalog.of_kind("Policy") if p.metadata.get("title")}
    if selection:
        result.diagnostics = [d for d in result.diagnostics if _selected(d.path, selection)]
        result.files = [f for f in result.files if _selected(f, selection)]
    return Checked(loaded, catalog, result)
