"""Read a source into located Documents and its settings, collecting every problem."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from itsmctl.config import CONFIG_FILE, Config
from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.errors import FatalError
from itsmctl.model.documents import Document, SourceFile
from itsmctl.schemas import CONFIG_SCHEMA
from itsmctl.sources import SYMLINK_ESCAPE, UNREADABLE_FILE, RawFile, Source, git_blob_id
from itsmctl.timecalc import timezone_problem
from itsmctl.validate.schema import ENVELOPE, UNKNOWN_FIELD, UNKNOWN_KIND, schema_diagnostics
from itsmctl.yamlio import (
    DUPLICATE_KEY,
    ENCODING,
    SCHEMA,
    YAML_SYNTAX,
    YAML_TAG,
    YAML_TOO_LARGE,
    YamlProblem,
    decode,
    parse_documents,
)

SETTINGS = Rule("settings", Severity.ERROR, "itsmctl.yaml holds a value that cannot be used: "
                "an unknown timezone, or a folder outside the repository or that does not exist.")
RULES = (SETTINGS,)


@dataclass
class Loaded:
    """What one source holds: settings, documents, and the problems met reading them."""

    config: Config
    label: str = "work tree"
    files: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    settings: Document | None = None  # itsmctl.yaml, to point at its lines
    blobs: dict[str, str] = field(default_factory=dict)  # path -> git blob id (when parsed shared)
    written_settings: Any = None  # the settings file as written (see settings_data), for diffs


# (path, git blob id) -> the documents and reading problems of that file: a file with the
# same bytes at the same path in two versions of a repository is parsed once
ParseCache = dict[tuple[str, str], tuple[list[Document], list[Diagnostic]]]


def problem_diagnostic(path: str, problem: YamlProblem) -> Diagnostic:
    return Diagnostic(path, problem.line, problem.column, problem.rule.id, problem.message,
                      problem.rule.severity)


@dataclass
class Settings:
    config: Config
    warnings: list[Diagnostic] = field(default_factory=list)
    present: bool = False  # the repository has an itsmctl.yaml
    document: Document | None = None


# Rules whose failure means a document is not read at all: turning them off would make
# documents vanish without a word, so `rules:` cannot change them.
FIXED_RULES = frozenset(rule.id for rule in (
    YAML_SYNTAX, DUPLICATE_KEY, YAML_TAG, YAML_TOO_LARGE, ENCODING, SCHEMA, SYMLINK_ESCAPE,
    UNREADABLE_FILE, ENVELOPE, UNKNOWN_KIND, UNKNOWN_FIELD, SETTINGS))


def _path_problem(path: str) -> str | None:
    normal = posixpath.normpath(path)
    if posixpath.isabs(path) or path.startswith("~"):
        return f"'{path}' is not a path inside the repository (write it relative to the root)"
    if normal == ".." or normal.startswith("../"):
        return f"'{path}' leaves the repository"
    return None


def _check_settings(document: Document, source: Source) -> tuple[list[Diagnostic],
                                                                   list[Diagnostic]]:
    """(errors, warnings) beyond the schema: the timezone, and every configured folder."""
    errors, warnings = [], []
    data = document.data
    if "defaultTimezone" in data:
        problem = timezone_problem(data["defaultTimezone"])
        if problem:
            errors.append(document.diagnostic(SETTINGS, problem, ("defaultTimezone",)))
    for rule_id in data.get("rules", {}):
        if rule_id in FIXED_RULES:
            errors.append(document.diagnostic(
                SETTINGS, f"rules: '{rule_id}' cannot be changed: a document that fails it is "
                "not read", ("rules", rule_id), key=True))
    for key, folders in data.get("paths", {}).items():
        for index, folder in enumerate(folders):
            where = ("paths", key, index)
            problem = _path_problem(folder)
            target = None if problem else source.outside(posixpath.normpath(folder))
            if target is not None:
                problem = (f"'{folder}' leaves the repository through a symbolic link "
                           f"(to '{target}')")
            if problem:
                errors.append(document.diagnostic(SETTINGS, f"paths.{key}: {problem}", where))
            elif not source.is_folder(posixpath.normpath(folder)):
                warnings.append(document.diagnostic(
                    SETTINGS, f"paths.{key}: there is no folder '{folder}'", where,
                    severity=Severity.WARNING))
    return errors, warnings


def _fatal(diagnostics: list[Diagnostic]) -> FatalError:
    return FatalError("settings cannot be used:\n" +
                      "\n".join(d.format() for d in sorted(diagnostics)))


def read_settings(source: Source) -> Settings:
    """The settings of itsmctl.yaml (defaults without one). A settings file that cannot
    be read or used stops the command with its positioned diagnostics (exit 2)."""
    data = source.read(CONFIG_FILE)
    if data is None:
        return Settings(Config())
    text, problem = decode(data)
    if problem is not None or text is None:
        assert problem is not None
        raise _fatal([problem_diagnostic(CONFIG_FILE, problem)])
    documents, problems = parse_documents(text)
    if problems:
        raise _fatal([problem_diagnostic(CONFIG_FILE, p) for p in problems])
    if not documents:
        return Settings(Config(), present=True)
    document = Document(SourceFile(CONFIG_FILE, text), 0, documents[0].data, 1, 1)
    errors = schema_diagnostics(document, CONFIG_SCHEMA)
    warnings: list[Diagnostic] = []
    if not errors:
        errors, warnings = _check_settings(document, source)
    if errors:
        raise _fatal(errors)
    return Settings(Config.from_data(document.data), warnings, present=True,
                    document=document)


def read_config(source: Source) -> Config:
    return read_settings(source).config


def parse_file(path: str, data: bytes) -> tuple[list[Document], list[Diagnostic]]:
    """A file's documents, and the problems that kept any of it from being read."""
    text, problem = decode(data)
    if problem is not None or text is None:
        assert problem is not None
        return [], [problem_diagnostic(path, problem)]
    source_file = SourceFile(path, text)
    documents, problems = parse_documents(text)
    return ([Document(source_file, d.index, d.data, d.line, d.column) for d in documents],
            [problem_diagnostic(path, p) for p in problems])


def settings_data(source: Source) -> Any:
    """The settings file's data as written (see `written_settings`)."""
    return written_settings(source.read(CONFIG_FILE))


def written_settings(data: bytes | None) -> Any:
    """Settings as written: None when there is no file, its text when it is not readable
    YAML (so a diff still shows that it changed)."""
    if data is None:
        return None
    text, problem = decode(data)
    if text is None or problem is not None:
        return data.decode("utf-8", "replace")
    documents, problems = parse_documents(text)
    if problems:
        return text
    return documents[0].data if documents else None


def read_files(raw_files: Iterable[RawFile], loaded: Loaded,
               parsed: ParseCache | None = None) -> None:
    """Parse each file into documents; a file that cannot be read is one diagnostic. With
    `parsed`, a file already parsed at the same path with the same bytes is not parsed
    again: its Document objects are shared."""
    for raw in raw_files:
        loaded.files.append(raw.path)
        if raw.problem:
            rule, message = raw.problem
            loaded.diagnostics.append(Diagnostic(raw.path, 1, 1, rule.id, message,
                                                 raw.severity or rule.severity))
            continue
        assert raw.data is not None
        if parsed is None:
            documents, problems = parse_file(raw.path, raw.data)
        else:
            blob = raw.blob or git_blob_id(raw.data)
            loaded.blobs[raw.path] = blob
            hit = parsed.get((raw.path, blob))
            if hit is None:
                hit = parsed[(raw.path, blob)] = parse_file(raw.path, raw.data)
            documents, problems = hit
        loaded.diagnostics.extend(problems)
        loaded.documents.extend(documents)


def load(source: Source, config: Config | None = None, require: bool = True,
         parsed: ParseCache | None = None) -> Loaded:
    """Every document of the catalog folders; a source with none of them is no catalog
    (unless not `require`d). With `config`, those settings are used instead of the
    source's own (a pull request's head is read with its base's); with `parsed`, files
    already parsed from another version are shared (see ParseCache)."""
    settings = Settings(config) if config is not None else read_settings(source)
    loaded = Loaded(settings.config, source.label, settings=settings.document)
    loaded.written_settings = settings_data(source)
    if settings.present:
        loaded.files.append(CONFIG_FILE)
    loaded.diagnostics.extend(settings.warnings)
    folders = settings.config.folders
    if require and not any(source.is_folder(folder) for folder in folders):
        raise FatalError(
            f"no catalog in {source.location}: none of the folders {', '.join(folders)} "
            "exists",
            "run itsmctl in a catalog repository (or give --repo DIR); itsmctl init DIR "
            "starts one; itsmctl.yaml's paths name the folders")
    read_files(source.files(folders), loaded, parsed)
    return loaded
