"""Read a source into located Documents and its settings, collecting every problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from itsmctl.config import CONFIG_FILE, Config
from itsmctl.diagnostics import Diagnostic
from itsmctl.errors import FatalError
from itsmctl.model.documents import Document, SourceFile
from itsmctl.schemas import CONFIG_SCHEMA
from itsmctl.sources import RawFile, Source, git_blob_id
from itsmctl.validate.schema import schema_diagnostics
from itsmctl.yamlio import YamlProblem, decode, parse_documents


@dataclass
class Loaded:
    """What one source holds: settings, documents, and the problems met reading them."""

    config: Config
    label: str = "work tree"
    files: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    blobs: dict[str, str] = field(default_factory=dict)  # path -> git blob id (when parsed shared)
    settings: Any = None  # the settings file as written (see settings_data), for diffs


# (path, git blob id) -> the documents and reading problems of that file: a file with the
# same bytes at the same path in two versions of a repository is parsed once
ParseCache = dict[tuple[str, str], tuple[list[Document], list[Diagnostic]]]


def problem_diagnostic(path: str, problem: YamlProblem) -> Diagnostic:
    return Diagnostic(path, problem.line, problem.column, problem.rule.id, problem.message,
                      problem.rule.severity)


def parse_config(text: str | None) -> Config:
    """The settings; anything wrong with them stops the command (exit 2)."""
    if text is None:
        return Config()
    documents, problems = parse_documents(text)
    if problems:
        p = problems[0]
        raise FatalError(f"{CONFIG_FILE}:{p.line}:{p.column}: {p.message} [{p.rule.id}]")
    if not documents:
        return Config()
    document = Document(SourceFile(CONFIG_FILE, text), 0, documents[0].data, 1, 1)
    diagnostics = schema_diagnostics(document, CONFIG_SCHEMA)
    if diagnostics:
        raise FatalError("\n".join(d.format() for d in sorted(diagnostics)))
    return Config.from_data(document.data)


def read_config(source: Source) -> Config:
    data = source.read(CONFIG_FILE)
    if data is None:
        return parse_config(None)
    text, problem = decode(data)
    if problem is not None:
        raise FatalError(f"{CONFIG_FILE}:{problem.line}:{problem.column}: {problem.message}")
    return parse_config(text)


def _parse(path: str, data: bytes) -> tuple[list[Document], list[Diagnostic]]:
    text, problem = decode(data)
    if problem is not None or text is None:
        assert problem is not None
        return [], [problem_diagnostic(path, problem)]
    source_file = SourceFile(path, text)
    documents, problems = parse_documents(text)
    return ([Document(source_file, d.index, d.data, d.line, d.column) for d in documents],
            [problem_diagnostic(path, p) for p in problems])


def settings_data(source: Source) -> Any:
    """The settings file's data as written: None when there is none, its text when it is
    not readable YAML (so a diff still shows that it changed)."""
    data = source.read(CONFIG_FILE)
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
            loaded.diagnostics.append(Diagnostic(raw.path, 1, 1, rule.id, message, rule.severity))
            continue
        assert raw.data is not None
        if parsed is None:
            documents, problems = _parse(raw.path, raw.data)
        else:
            blob = raw.blob or git_blob_id(raw.data)
            loaded.blobs[raw.path] = blob
            hit = parsed.get((raw.path, blob))
            if hit is None:
                hit = parsed[(raw.path, blob)] = _parse(raw.path, raw.data)
            documents, problems = hit
        loaded.diagnostics.extend(problems)
        loaded.documents.extend(documents)


def load(source: Source, config: Config | None = None,
         parsed: ParseCache | None = None) -> Loaded:
    loaded = Loaded(config or read_config(source), source.label)
    loaded.settings = settings_data(source)
    read_files(source.files(loaded.config.folders), loaded, parsed)
    return loaded
