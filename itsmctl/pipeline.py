"""load -> validate -> policies: the stages every command starts from (docs/architecture.md).

`load_catalog` and `check` are separate so that a command can load two sources (the base
and the head of a pull request) or judge one source with another's policies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic, Result, Severity
from itsmctl.errors import FatalError
from itsmctl.kinds import APPROVAL_RULE, POLICY, WAIVER, ref
from itsmctl.load import SETTINGS, Loaded, ParseCache, load
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Document, SourceFile
from itsmctl.model.references import graph_of
from itsmctl.model.typed import Team
from itsmctl.policy.judge import Judged, judge
from itsmctl.sources import Source, committed, open_source, relative_paths
from itsmctl.text import did_you_mean, json_path
from itsmctl.validate import SchemaMemo, validate
from itsmctl.yamlio import decode, parse_documents

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
                 shared: Shared | None = None, require: bool = True) -> Loaded:
    """The settings (`config`, or the source's own), documents and reading problems of one
    source (one without any catalog folder stops the command, unless not `require`d)."""
    return load(source, config, require, shared.parsed if shared is not None else None)


def rule_documents(loaded: Loaded) -> list[Document]:
    """The Policy, ApprovalRule and Waiver documents of a source: what judges the rest."""
    return [d for d in loaded.documents if d.identity()[0] in RULE_KINDS]


def _selected(path: str, selection: list[str]) -> bool:
    return any(s in ("", ".") or path == s or path.startswith(s.rstrip("/") + "/")
               for s in selection)


def _names(documents: list[Document]) -> set[str]:
    out = set()
    for document in documents:
        kind, name = document.identity()
        if kind is not None and name is not None:
            out.add(ref(kind, name))
    return out


def _names_at_head(root: Path | None, files: list[str]) -> set[str]:
    """What the named files defined at the last commit (a name renamed or removed since
    leaves references to it broken elsewhere)."""
    if root is None:
        return set()
    out: set[str] = set()
    for path, data in committed(root, files).items():
        text, _ = decode(data)
        if text is not None:
            out |= _names([Document(SourceFile(path, text), d.index, d.data, d.line, d.column)
                           for d in parse_documents(text)[0]])
    return out


def _caused(loaded: Loaded, catalog: Catalog, selection: list[str], root: Path | None
            ) -> set[tuple[str, str | None]]:
    """(path, jsonPath) of the places outside the selection whose diagnostics the named
    files cause: references to what they define (or defined at the last commit), and
    the other half of a duplicate name."""
    files = sorted({f for f in loaded.files if _selected(f, selection)})
    selected = [d for d in loaded.documents if _selected(d.path, selection)]
    names = _names(selected) | _names_at_head(root, files)
    places: set[tuple[str, str | None]] = set()
    for document in loaded.documents:
        if not _selected(document.path, selection):
            kind, name = document.identity()
            if kind is not None and name is not None and ref(kind, name) in names:
                places.add((document.path, json_path(("metadata", "name"))))
    graph = graph_of(catalog)
    for entity in catalog:
        if _selected(entity.document.path, selection):
            continue
        for reference in graph.made(entity.ref, derived=True):
            if reference.target in names:
                places.add((entity.document.path, json_path(reference.path)))
    return places


def _narrow(result: Result, loaded: Loaded, selection: list[str],
            caused: set[tuple[str, str | None]]) -> None:
    """Keep the diagnostics of the selection and those it causes elsewhere; count the
    errors left out."""
    kept, left = [], 0
    for d in set(result.diagnostics):
        if _selected(d.path, selection) or (d.path, d.json_path) in caused:
            kept.append(d)
        elif d.severity is Severity.ERROR and not d.suppressed:
            left += 1
    result.diagnostics = kept
    result.errors_elsewhere = left
    result.files = [f for f in result.files if _selected(f, selection)]
    result.documents = sum(1 for d in loaded.documents if _selected(d.path, selection))


def _unknown_cab(loaded: Loaded, catalog: Catalog) -> list[Diagnostic]:
    """`review.cab` naming no team: `role: cab` could never be met (a warning at it)."""
    cab = loaded.config.review_cab
    if cab is None or loaded.settings is None or cab in catalog.typed(Team):
        return []
    teams = sorted(catalog.typed(Team))
    return [loaded.settings.diagnostic(
        SETTINGS, f"review.cab: there is no team '{cab}'{did_you_mean(cab, teams)}; approval "
        "rules with role: cab cannot be met", ("review", "cab"), severity=Severity.WARNING)]


def _apply_rule_settings(result: Result, loaded: Loaded,
                         known: frozenset[str] | None) -> None:
    """itsmctl.yaml's `rules:`: a rule turned off, or its findings given another severity;
    a rule id nobody knows is a warning at its line (when the known ids are given)."""
    levels = dict(loaded.config.rules)
    if not levels:
        return
    kept = []
    for d in result.diagnostics:
        level = levels.get(d.rule)
        if level == "off":
            continue
        kept.append(d if level is None else d.replace(severity=Severity(level)))
    result.diagnostics = kept
    if known is not None and loaded.settings is not None:
        for rule_id in levels:
            if rule_id not in known:
                result.diagnostics.append(loaded.settings.diagnostic(
                    SETTINGS, f"rules: unknown rule '{rule_id}'"
                    f"{did_you_mean(rule_id, sorted(known))}", ("rules", rule_id), key=True,
                    severity=Severity.WARNING))


def check(loaded: Loaded, now: dt.datetime | None = None, selection: list[str] | None = None,
          root: Path | None = None, known_rules: frozenset[str] | None = None, *,
          rules: list[Document] | None = None, shared: Shared | None = None,
          prior: Checked | None = None) -> Checked:
    """Validate and judge by policy every document loaded. With a `selection` (paths
    relative to the repository `root`), report on those files and on what they cause
    elsewhere. `now` (default: the current time) is when expiry dates are judged and what
    policies see, so runs are reproducible.

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
    result.extend(_unknown_cab(loaded, judged.catalog))
    _apply_rule_settings(result, loaded, known_rules)
    if selection:
        _narrow(result, loaded, selection, _caused(loaded, judged.catalog, selection, root))
    return Checked(loaded, judged.catalog, result, judged)


def _catalog_paths(source: Source, loaded: Loaded, paths: list[str]
                   ) -> tuple[list[str], list[str]]:
    """The named paths that are catalog files (or folders holding some), and a note for
    each of the others."""
    kept, notes = [], []
    for path in paths:
        if any(_selected(f, [path]) for f in loaded.files):
            kept.append(path)
        else:
            what = "holds no catalog file" if source.is_folder(path) else "is not a catalog file"
            notes.append(f"{path} {what}; not checked")
    return kept, notes


def read_catalog(source: Source, now: dt.datetime | None = None) -> Checked:
    """The catalog of a source (a git ref, or the work tree) validated but not judged by
    policy: what reports and the SLA commands read. They use the entities that pass; the
    problems are collected (and counted) here, reported by `check`."""
    loaded = load_catalog(source)
    today = (now or dt.datetime.now(dt.timezone.utc)).date()
    catalog, problems = validate(loaded.documents, loaded.config, today)
    result = Result(files=list(loaded.files), documents=len(loaded.documents))
    result.extend(loaded.diagnostics)
    result.extend(problems)
    _apply_rule_settings(result, loaded, None)
    return Checked(loaded, catalog, result)


def check_catalog(root: Path, ref: str | None = None, now: dt.datetime | None = None,
                  paths: tuple[str, ...] = (), known_rules: frozenset[str] | None = None
                  ) -> Checked:
    """Load and check the catalog of a repository (at a git ref, or its work tree); with
    `paths`, the whole catalog is read (so references resolve) and only those files, and
    what they cause elsewhere, are reported. A named path that is not a catalog file is
    noted; when none is, the command cannot run."""
    source = open_source(root, ref)
    loaded = load_catalog(source)
    if not paths:
        return check(loaded, now, known_rules=known_rules)
    named = relative_paths(root, paths) if ref is None else [p.strip("/") for p in paths]
    selection, notes = _catalog_paths(source, loaded, named)
    if not selection:
        where = ", ".join(f.strip("/") + "/" for f in loaded.config.folders)
        raise FatalError(f"none of the named paths is a catalog file: {', '.join(named)}",
                         f"catalog files are .yaml or .yml files in {where}")
    checked = check(loaded, now, selection, root if ref is None else None, known_rules)
    checked.result.notes = notes
    return checked
