"""The audit trail: from git history, who changed which field of which entity when, in
which pull request, approved by whom (docs/reports.md#audit).

The main line is read commit by commit (first parents: a merged pull request is one step,
as the branch it was merged into saw it). Each commit's catalog files are compared with
the diff engine against its first parent, document by document, so a document that
changed file is `moved` and a renamed one is `removed` and `added`, as `itsmctl diff`
says. Evidence of review is read from the messages: the pull request number of a merge
or squash commit (GitHub, GitLab, Bitbucket), and `Approved-by:` / `Reviewed-by:`
trailers.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from itsmctl.config import CONFIG_FILE
from itsmctl.diff import (
    MOVED,
    SETTINGS,
    SETTINGS_NAME,
    Change,
    by_identity,
    compare,
    order,
    settings_change,
)
from itsmctl.errors import FatalError
from itsmctl.kinds import ref
from itsmctl.load import parse_file, written_settings
from itsmctl.model.documents import Document
from itsmctl.reports.model import Column, Report, ReportInput, Row, Section
from itsmctl.sources import Commit, GitRepo, is_catalog_file
from itsmctl.text import plural, printable
from itsmctl.timecalc import parse_instant, why_not_a_time

NAME = "audit"
DESCRIPTION = "who changed what field when, from git history (--since, --until)"
APPROVAL_TRAILERS = ("approved-by", "reviewed-by")
VALUE_LIMIT = 200  # characters of a before/after value shown; longer ones are cut
_PULL_REQUESTS = (  # (pattern, what the number is written as)
    (re.compile(r"^Merge pull request #(\d+) from "), "#"),  # GitHub merge commit
    (re.compile(r"\(#(\d+)\)\s*$"), "#"),  # GitHub squash merge: "Subject (#12)"
    (re.compile(r"\(pull request #(\d+)\)"), "#"),  # Bitbucket
)
_GITLAB = re.compile(r"^See merge request \S*!(\d+)\s*$", re.M)
_DEFAULT_FOLDERS = ("catalog", "policies", "changes")


@dataclass(frozen=True)
class Evidence:
    """What a commit says about its review."""

    pull_request: str | None
    approvers: tuple[str, ...]

    @property
    def reviewed(self) -> bool:
        return self.pull_request is not None or bool(self.approvers)


def evidence(commit: Commit) -> Evidence:
    number = None
    for pattern, mark in _PULL_REQUESTS:
        match = pattern.search(commit.subject)
        if match:
            number = f"{mark}{match[1]}"
            break
    gitlab = _GITLAB.search(commit.message)
    if number is None and gitlab:
        number = f"!{gitlab[1]}"
    approvers = tuple(dict.fromkeys(_short(value) for key, value in commit.trailers
                                    if key.lower() in APPROVAL_TRAILERS))
    return Evidence(number, approvers)


def _folders(settings: Any) -> tuple[str, ...]:
    """The catalog folders a version of itsmctl.yaml names (defaults where it names none
    or cannot be read), normalised."""
    paths = settings.get("paths") if isinstance(settings, dict) else None
    paths = paths if isinstance(paths, dict) else {}
    folders: list[str] = []
    for key, default in zip(("catalog", "policies", "changes"), _DEFAULT_FOLDERS, strict=True):
        value = paths.get(key, [default])
        for folder in value if isinstance(value, list) else [default]:
            if isinstance(folder, str):
                folders.append(posixpath.normpath(folder).strip("/"))
    return tuple(folders)


def _in_catalog(path: str, folders: tuple[str, ...]) -> bool:
    if not is_catalog_file(path) or any(p.startswith(".") for p in path.split("/")):
        return False
    return any(f in ("", ".") or path.startswith(f + "/") for f in folders)


def _bound(option: str, text: str | None, timezone: str, end: bool) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return parse_instant(text, timezone, end_of_day=end)
    except ValueError as error:
        raise FatalError(f"{option}: '{printable(text)}' is {why_not_a_time(error)}",
                         "give a date (2026-01-31) or an ISO date-time with an offset") \
            from error


def _value(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(
        value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return _short(text)


class _Reader:
    """Blob bytes read in one batch, parsed once per (path, blob)."""

    def __init__(self, repo: GitRepo, ids: set[str]) -> None:
        self.data = repo.blobs(sorted(ids))
        self.parsed: dict[tuple[str, str], list[Document]] = {}
        self.unreadable: set[tuple[str, str]] = set()

    def documents(self, path: str, blob: str) -> list[Document]:
        key = (path, blob)
        if key not in self.parsed:
            documents, problems = parse_file(path, self.data.get(blob, b""))
            if problems:
                self.unreadable.add(key)
            self.parsed[key] = documents
        return self.parsed[key]

    def settings(self, blob: str | None) -> Any:
        return written_settings(self.data.get(blob, b"") if blob else None)

    def tree(self, repo: GitRepo, commit: str | None, folders: tuple[str, ...]
             ) -> list[Document]:
        """Every catalog document of a commit (a whole tree: when the folders changed)."""
        if commit is None:
            return []
        files = [(path, blob) for path, mode, blob, _ in repo.entries(commit, folders)
                 if mode in (0o100644, 0o100755) and _in_catalog(path, folders)]
        self.data.update(repo.blobs(sorted({b for _, b in files} - self.data.keys())))
        return [d for path, blob in files for d in self.documents(path, blob)]


def _commit_changes(commit: Commit, reader: _Reader, repo: GitRepo,
                    folders: tuple[tuple[str, ...], tuple[str, ...]]) -> Iterator[Change]:
    """The entity changes of one commit against its first parent. `folders`: the catalog
    folders before and after it; when they differ, the whole catalog is compared (files
    that did not change may have entered or left it)."""
    before: list[Document] = []
    after: list[Document] = []
    if folders[0] != folders[1]:
        before = reader.tree(repo, commit.parents[0] if commit.parents else None, folders[0])
        after = reader.tree(repo, commit.sha, folders[1])
    for change in commit.files if folders[0] == folders[1] else ():
        if change.before and _in_catalog(change.path, folders[0]):
            before += reader.documents(change.path, change.before)
        if change.after and _in_catalog(change.path, folders[1]):
            after += reader.documents(change.path, change.after)
    yield from compare(by_identity(before), by_identity(after))
    config = next((c for c in commit.files if c.path == CONFIG_FILE), None)
    if config is not None:
        settings = settings_change(reader.settings(config.before), reader.settings(config.after))
        if settings is not None:
            yield settings


def _rows(change: Change, common: Row) -> Iterator[Row]:
    entity = SETTINGS_NAME if change.kind == SETTINGS else ref(change.kind, change.name)
    base: Row = {"entity": entity, "change": change.action, **common,
                 "file": printable(change.path)}
    if change.action == MOVED:
        yield {**base, "field": None, "before": printable(change.previous_path or ""),
               "after": printable(change.path)}
    if not change.fields and change.action != MOVED:
        yield {**base, "field": None, "before": None, "after": None}
    for field in change.fields:
        yield {**base, "field": field.path, "before": _value(field.before),
               "after": _value(field.after)}


def _people(commit: Commit) -> list[str]:
    return [_short(str(p)) for p in (commit.contributors or (commit.author,))]


def _short(text: str) -> str:
    text = printable(text)
    return text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT - 1] + "…"


def build(job: ReportInput) -> Report:
    since = _bound("--since", job.since, job.config.default_timezone, end=False)
    until = _bound("--until", job.until, job.config.default_timezone, end=True)
    if since is not None and until is not None and since >= until:
        raise FatalError(f"--since {printable(str(job.since))} is not before --until "
                         f"{printable(str(job.until))}")
    repo = GitRepo(job.root)
    history = repo.history(job.ref or "HEAD")
    in_period = [c for c in history if (since is None or c.time >= since)
                 and (until is None or c.time < until)]
    wanted = {c.sha for c in in_period}
    ids = {b for c in history for f in c.files for b in (f.before, f.after)
           if b and (f.path == CONFIG_FILE or c.sha in wanted)}
    reader = _Reader(repo, ids)
    report = Report(NAME, "Audit trail", job.today.isoformat(), job.ref)
    changes = Section("changes", "Changes, entity by entity", [
        Column("entity", "Entity"), Column("date", "Date"), Column("change", "Change"),
        Column("field", "Field"), Column("before", "Before"), Column("after", "After"),
        Column("commit", "Commit"), Column("pullRequest", "Pull request"),
        Column("authors", "Authors"), Column("approvers", "Approvers"),
        Column("file", "File")],
        note="One row per changed field (an entity added or removed is one row; a moved "
             "one names its files). Dates are commit dates; authors of a merge are those "
             "of the commits it brought.")
    unreviewed = Section("unreviewed", "Commits without review evidence", [
        Column("date", "Date"), Column("commit", "Commit"), Column("subject", "Subject"),
        Column("authors", "Authors"), Column("entities", "Entities changed")],
        note="Commits that changed the catalog directly: no pull request number in the "
             "message and no Approved-by or Reviewed-by trailer.",
        empty="None: every change came with review evidence.")
    rows: list[tuple[tuple[int, str, str], Row]] = []
    folders = _folders(None)
    for commit in history:
        config = next((f for f in commit.files if f.path == CONFIG_FILE), None)
        after = _folders(reader.settings(config.after)) if config else folders
        if commit.sha in wanted and not commit.cut:  # a shallow boundary is where we start
            found = list(_commit_changes(commit, reader, repo, (folders, after)))
            proof = evidence(commit)
            common: Row = {"date": commit.time.isoformat(), "commit": commit.sha[:12],
                           "pullRequest": proof.pull_request, "authors": _people(commit),
                           "approvers": list(proof.approvers)}
            for change in found:
                rows += [(order(change.kind, change.name), row) for row in _rows(change, common)]
            if found and not proof.reviewed:
                unreviewed.rows.append({
                    "date": common["date"], "commit": common["commit"],
                    "subject": printable(commit.subject), "authors": _people(commit),
                    "entities": [SETTINGS_NAME if c.kind == SETTINGS else c.ref
                                 for c in found]})
        folders = after
    # by entity (kind order, name), each entity's rows in history order (a stable sort):
    # commit dates need not grow along the main line (rebases, clocks, time zones)
    changes.rows = [row for _, row in sorted(rows, key=lambda r: r[0])]
    entities = _entities(changes.rows)
    report.sections = [changes, entities, unreviewed]
    report.summary = _summary(job, repo, changes.rows, entities, unreviewed, reader, history)
    return report


def _entities(rows: list[Row]) -> Section:
    section = Section("entities", "Entities changed", [
        Column("entity", "Entity"), Column("changes", "Changes", numeric=True),
        Column("commits", "Commits", numeric=True), Column("lastChanged", "Last changed"),
        Column("pullRequests", "Pull requests"), Column("unreviewed", "Unreviewed commits",
                                                        numeric=True)])
    by_entity: dict[str, list[Row]] = {}
    for row in rows:
        by_entity.setdefault(str(row["entity"]), []).append(row)
    for entity, found in by_entity.items():
        commits = {str(r["commit"]): r for r in found}
        section.rows.append({
            "entity": entity, "changes": len(found), "commits": len(commits),
            "lastChanged": found[-1]["date"],  # the rows are in history order
            "pullRequests": sorted({str(r["pullRequest"]) for r in found if r["pullRequest"]}),
            "unreviewed": sum(1 for r in commits.values()
                              if not r["pullRequest"] and not r["approvers"])})
    return section


def _summary(job: ReportInput, repo: GitRepo, rows: list[Row],
             entities: Section, unreviewed: Section, reader: _Reader,
             history: list[Commit]) -> list[str]:
    period = (f"from {job.since or 'the first commit'} to {job.until or 'the last one'}"
              if job.since or job.until else "in its whole history")
    pull_requests = {r["pullRequest"] for r in rows if r["pullRequest"]}
    changed = len({r["commit"] for r in rows})
    out = [f"{plural(changed, 'commit')} of {job.ref or 'HEAD'}'s main line changed the catalog "
           f"{period}: {plural(len(rows), 'change')} to {len(entities.rows)} "
           f"{'entity' if len(entities.rows) == 1 else 'entities'}, "
           f"{plural(len(pull_requests), 'pull request')}.",
           f"{plural(len(unreviewed.rows), 'commit')} without review evidence."]
    if reader.unreadable:
        out.append(f"{plural(len(reader.unreadable), 'file version')} could not be read as "
                   "YAML; their documents count as absent in that version.")
    cut = next((c for c in history if c.cut), None)
    if cut is not None:
        out.append(f"This is a shallow clone: its history starts at {cut.sha[:12]} "
                   f"({cut.time.date().isoformat()}), whose content is the starting point, "
                   "not a change (git fetch --unshallow, or actions/checkout with "
                   "fetch-depth: 0, for the whole history).")
    elif repo.shallow:
        out.append("This is a shallow clone: history before its first commit is not in it.")
    return out
