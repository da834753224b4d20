"""Discover files and read them into located Documents, collecting every problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from itsmctl.config import CONFIG_FILE, Config, parse_config
from itsmctl.diagnostics import Diagnostic
from itsmctl.errors import FatalError
from itsmctl.model import Document, SourceFile
from itsmctl.rules import rule as lookup_rule
from itsmctl.sources import RawFile, Source
from itsmctl.yamlio import YamlProblem, decode, parse_documents


@dataclass
class Loaded:
    config: Config
    files: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _diagnostic(path: str, problem: YamlProblem) -> Diagnostic:
    return Diagnostic(path, problem.line, problem.column, problem.rule, problem.message,
                      lookup_rule(problem.rule).severity)


def read_config(source: Source) -> Config:
    data = source.read(CONFIG_FILE)
    if data is None:
        return parse_config(None)
    text, problem = decode(data)
    if problem is not None:
        raise FatalError(f"{CONFIG_FILE}:{problem.line}:{problem.column}: {problem.message}")
    return parse_config(text)


def load_files(raw_files: Iterable[RawFile], loaded: Loaded) -> None:
    for raw in raw_files:
        loaded.files.append(raw.path)
        if raw.problem:
            rule, message = raw.problem
            loaded.diagnostics.append(
                Diagnostic(raw.path, 1, 1, rule, message, lookup_rule(rule).severity))
            continue
        assert raw.data is not None
        text, problem = decode(raw.data)
        if problem or text is None:
            loaded.diagnostics.append(_diagnostic(raw.path, problem))  # type: ignore[arg-type]
            continue
        source_file = SourceFile(raw.path, text)
        documents, problems = parse_documents(text)
        loaded.diagnostics.extend(_diagnostic(raw.path, p) for p in problems)
        loaded.documents.extend(
            Document(source_file, d.index, d.data, d.line, d.column) for d in documents)


def load(source: Source, config: Config | None = None) -> Loaded:
    loaded = Loaded(config or read_config(source))
    load_files(source.files(loaded.config.folders), loaded)
    return loaded
