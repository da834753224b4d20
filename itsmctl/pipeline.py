"""load -> validate -> policies: the stages every command starts from (docs/architecture.md).

`load_catalog` and `check` are separate so that a command can load two sources (the base
and the head of a pull request) or judge one source with another's policies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from itsmctl.config import Config
from itsmctl.diagnostics import Result
from itsmctl.kinds import APPROVAL_RULE, POLICY, WAIVER
from itsmctl.load import Loaded, ParseCache, load, read_files
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Document
from itsmctl.policy.judge import Judged, judge
from itsmctl.sources import Source, WorkTree, is_catalog_file, open_source, relative_paths
from itsmctl.validate import SchemaMemo

RULE_KINDS = frozenset({POLICY, APPROVAL_RULE, WAIVER})  # what judges, besides settings


@dataclass
class Checked:
    loaded: Loaded
    catalog: Catalog
    result: Result
    judged: Judged | None = None


@dataclass
class Shared:
    """Work shared by the loads and checks of two versions of one repository (a pull
    request's base and head): a file with the same bytes at the same path is parsed once
    and its documents checked against their schema once."""

    parsed: ParseCache = field(default_factory=dict)
    validated: SchemaMemo = field(default_factory=dict)


def load_catalog(source: Source, config: Config | None = None,
                 shared: Shared | None = None) -> Loaded:
    """The settings (`config`, or the source's own), documents and reading problems of one
    source."""
    return load(source, config, shared.parsed if shared is not None else None)


def rule_documents(loaded: Loaded) -> list[Document]:
    """The Policy, ApprovalRule and Waiver documents of a source: what judges the rest."""
    return [d for d in loaded.documents if d.identity()[0] in RULE_KINDS]


def _selected(path: str, selection: list[str]) -> bool:
    return any(s in ("", ".") or path == s or path.startswith(s.rstrip("/") + "/")
               for s in selection)


def check(loaded: Loaded, now: dt.datetime | None = None, selection: list[str] | None = None,
          rules: list[Document] | None = None, shared: Shared | None = None,
          prior: Checked | None = None) -> Checked:
    """Validate and judge by policy every document loaded; report only on `selection`
    (paths relative to the repository) when given. `now` (default: the current time) is
    when expiry dates are judged and what policies see, so runs are reproducible.

    With `rules` (another source's Policy, ApprovalRule and Waiver documents, see
    `rule_documents`), those judge the loaded documents instead of their own: a pull
    request's head is judged by its base's rules. With `shared` and `prior` (the check of
    another version loaded with the same `shared`, under the same rules), what is identical
    in both is validated once and policy findings that cannot differ are taken over."""
    documents = loaded.documents if rules is None else \
        [d for d in loaded.documents if d.identity()[0] not in RULE_KINDS] + rules
    judged = judge(documents, loaded.config, now or dt.datetime.now(dt.timezone.utc),
                   shared.validated if shared is not None else None,
                   prior.judged if prior is not None else None)
    result = Result(files=list(loaded.files), documents=len(loaded.documents),
                    rule_texts=judged.rule_texts)
    result.extend(loaded.diagnostics)
    result.extend(judged.diagnostics)
    if selection:
        result.diagnostics = [d for d in result.diagnostics if _selected(d.path, selection)]
        result.files = [f for f in result.files if _selected(f, selection)]
    return Checked(loaded, judged.catalog, result, judged)


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
