"""`itsmctl policy test`: unit tests for policies, in the spirit of `opa test` and
`kyverno test`.

A test file (`*.test.yaml`, never part of the catalog) names fixture documents and cases;
each case is a small catalog (the fixtures, plus and minus its own documents) and the
findings expected on it. The repository's Policy documents are evaluated on it exactly as
`check` would, and the case passes when the findings equal the expectations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import Node

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic, Severity
from itsmctl.load import load
from itsmctl.model import Document, SourceFile
from itsmctl.policy.evaluate import run_policies
from itsmctl.schemas import POLICY_TEST_SCHEMA
from itsmctl.sources import TEST_SUFFIXES, YAML_SUFFIXES, WorkTree
from itsmctl.timecalc import moment
from itsmctl.validate import validate
from itsmctl.validate.schema import schema_diagnostics
from itsmctl.yamlio import compose_all, decode, find_node, node_position, parse_documents


class InlineFile(SourceFile):
    """Documents written inside a test file: positions point into the test file."""

    __slots__ = ("_inline",)

    def __init__(self, path: str, text: str, nodes: list[Node]) -> None:
        super().__init__(path, text)
        self._inline = nodes

    def nodes(self) -> list[Node]:
        return self._inline

    def position_nodes(self) -> list[Node]:
        return self._inline


@dataclass(frozen=True, order=True)
class Finding:
    """A policy finding as a test sees it."""

    policy: str
    entity: str
    severity: str
    suppressed: bool = False
    message: str = field(default="", compare=False)

    def line(self) -> str:
        return f"{self.policy} {self.entity} {self.severity}" + (" waived" if self.suppressed
                                                                 else "")

    def matches(self, expected: dict[str, Any]) -> bool:
        return (expected["policy"] == self.policy and expected["entity"] == self.entity
                and expected.get("severity", self.severity) == self.severity
                and expected.get("suppressed", False) == self.suppressed
                and expected.get("message", "") in self.message)


def _expected_line(expected: dict[str, Any]) -> str:
    text = f"{expected['policy']} {expected['entity']} {expected.get('severity', '*')}"
    if expected.get("message"):
        text += f" ~ {expected['message']!r}"
    return text + (" waived" if expected.get("suppressed") else "")


@dataclass
class CaseResult:
    file: str
    name: str
    expected: list[dict[str, Any]] = field(default_factory=list)
    actual: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # the case could not be judged

    @property
    def passed(self) -> bool:
        return not (self.missing or self.unexpected or self.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "case": self.name, "passed": self.passed,
            "missing": self.missing, "unexpected": self.unexpected,
            "actual": [{"policy": f.policy, "entity": f.entity, "severity": f.severity,
                        "suppressed": f.suppressed, "message": f.message}
                       for f in self.actual],
            "problems": [d.to_json() for d in self.problems],
        }


@dataclass
class Report:
    files: list[str] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # test files that cannot be read

    @property
    def passed(self) -> bool:
        return bool(self.cases) and not self.problems and all(c.passed for c in self.cases)


def discover(root: Path, folders: list[Path]) -> list[Path]:
    found: set[Path] = set()
    for folder in folders:
        if folder.is_file():
            found.add(folder)
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            found.update(Path(dirpath) / f for f in filenames if f.endswith(TEST_SUFFIXES))
    return sorted(found)


def _rel(root: Path, path: Path) -> str:
    return path.resolve().relative_to(root).as_posix()


def _key(data: Any) -> tuple[str, str] | None:
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
        return str(data.get("kind")), str(data["metadata"].get("name"))
    return None


class TestFile:
    """One parsed test file and the documents its cases are built from."""

    def __init__(self, root: Path, path: Path, policies: list[Document]) -> None:
        self.root = root
        self.path = path
        self.rel = _rel(root, path)
        self.policies = policies
        self.problems: list[Diagnostic] = []
        self.data: dict[str, Any] = {}
        self.text = ""
        self.tree: Node | None = None
        self._read()

    def _problem(self, message: str, line: int = 1, column: int = 1,
                 rule: str = "policy-test") -> None:
        self.problems.append(Diagnostic(self.rel, line, column, rule, message, Severity.ERROR))

    def _read(self) -> None:
        text, problem = decode(self.path.read_bytes())
        if problem is not None or text is None:
            assert problem is not None
            self._problem(problem.message, problem.line, problem.column, problem.rule)
            return
        self.text = text
        documents, problems = parse_documents(text)
        for p in problems:
            self._problem(p.message, p.line, p.column, p.rule)
        if problems:
            return
        if len(documents) != 1:
            self._problem("a test file holds exactly one YAML document")
            return
        document = Document(SourceFile(self.rel, text), 0, documents[0].data, 1, 1)
        schema_problems = schema_diagnostics(document, POLICY_TEST_SCHEMA)
        if schema_problems:
            self.problems.extend(d.replace(rule="policy-test") for d in schema_problems)
            return
        self.data = documents[0].data
        self.tree = compose_all(text)[0][0]
        places = [("now",), *(("cases", i, "now") for i in range(len(self.data["cases"])))]
        for place in places:
            value = self.data if len(place) == 1 else self.data["cases"][place[1]]
            if "now" not in value:
                continue
            try:
                moment(str(value["now"]))
            except ValueError:
                line, column = node_position(find_node(self.tree, place))
                self._problem(f"now: {value['now']!r} is not a date (YYYY-MM-DD) or ISO "
                              "date-time", line, column)

    def _fixture_documents(self, paths: list[str], where: tuple[str | int, ...]
                           ) -> Iterator[Document]:
        for index, name in enumerate(paths):
            target = (self.path.parent / name).resolve()
            try:
                target.relative_to(self.root)
            except ValueError:
                line, column = node_position(find_node(self.tree, (*where, index)))  # type: ignore[arg-type]
                self._problem(f"fixture '{name}' is outside the repository", line, column)
                continue
            if not target.exists():
                line, column = node_position(find_node(self.tree, (*where, index)))  # type: ignore[arg-type]
                self._problem(f"fixture '{name}' does not exist", line, column)
                continue
            files = [target] if target.is_file() else sorted(
                p for p in target.rglob("*") if p.is_file() and p.name.endswith(YAML_SUFFIXES))
            for file in files:
                if not file.resolve().is_relative_to(self.root):
                    line, column = node_position(find_node(self.tree, (*where, index)))  # type: ignore[arg-type]
                    self._problem(f"fixture file {file.name} links outside the repository; "
                                  "not read", line, column)
                    continue
                yield from self._read_fixture(file)

    def _read_fixture(self, file: Path) -> Iterator[Document]:
        rel = _rel(self.root, file)
        text, problem = decode(file.read_bytes())
        if problem is not None or text is None:
            assert problem is not None
            self.problems.append(Diagnostic(rel, problem.line, problem.column, problem.rule,
                                            problem.message, Severity.ERROR))
            return
        documents, problems = parse_documents(text)
        self.problems.extend(Diagnostic(rel, p.line, p.column, p.rule, p.message, Severity.ERROR)
                             for p in problems)
        source = SourceFile(rel, text)
        for d in documents:
            yield Document(source, d.index, d.data, d.line, d.column)

    def _inline(self, where: tuple[str | int, ...], items: list[Any]) -> list[Document]:
        assert self.tree is not None
        nodes = [find_node(self.tree, (*where, i)) for i in range(len(items))]
        source = InlineFile(self.rel, self.text, nodes)
        out = []
        for index, (node, data) in enumerate(zip(nodes, items, strict=True)):
            line, column = node_position(node)
            out.append(Document(source, index, data, line, column))
        return out

    def case_documents(self, index: int) -> list[Document]:
        case = self.data["cases"][index]
        merged: dict[tuple[str, str] | int, Document] = {}

        def add(documents: Iterator[Document] | list[Document]) -> None:
            for document in documents:
                key = _key(document.data)
                merged[key if key is not None else len(merged)] = document

        add(self.policies)
        add(self._fixture_documents(self.data.get("fixtures", []), ("fixtures",)))
        add(self._inline(("documents",), self.data.get("documents", [])))
        add(self._fixture_documents(case.get("fixtures", []), ("cases", index, "fixtures")))
        add(self._inline(("cases", index, "documents"), case.get("documents", [])))
        for ref in case.get("remove", []):
            kind, _, name = ref.partition("/")
            merged.pop((kind, name), None)
        return list(merged.values())


def _judge(test: TestFile, index: int, default_now: dt.datetime) -> CaseResult:
    case = test.data["cases"][index]
    result = CaseResult(test.rel, case["name"])
    before = len(test.problems)
    documents = test.case_documents(index)
    if len(test.problems) > before:
        result.problems = test.problems[before:]
        del test.problems[before:]
        return result
    when = case.get("now", test.data.get("now"))
    now = moment(str(when)) if when is not None else default_now
    catalog, diagnostics = validate(documents, Config(), now.date())
    invalid = [d for d in diagnostics if d.severity is Severity.ERROR]
    outcome = run_policies(catalog, diagnostics, now.date(), now)
    problems = [d for d in outcome.problems if d.severity is Severity.ERROR]
    if invalid or problems:
        result.problems = sorted(set(invalid + problems))
        return result
    selected = case.get("policies", test.data.get("policies"))
    for d in outcome.findings:
        policy = d.rule.removeprefix("policy/")
        if selected is None or policy in selected:
            result.actual.append(Finding(policy, f"{d.kind}/{d.name}", d.severity.value,
                                         d.suppressed, d.message))
    result.actual.sort()
    expect = case["expect"]
    result.expected = [] if expect == "none" else list(expect)
    unmatched = list(result.actual)
    for expected in result.expected:
        hit = next((f for f in unmatched if f.matches(expected)), None)
        if hit is None:
            result.missing.append(_expected_line(expected))
        else:
            unmatched.remove(hit)
    result.unexpected = [f.line() for f in unmatched]
    return result


def run_tests(root: Path, config: Config, targets: list[Path], now: dt.datetime,
              select: re.Pattern[str] | None = None) -> Report:
    """Run every case of every test file under `targets` against the repository's policies."""
    root = root.resolve()
    only_policies = dataclasses.replace(config, catalog=(), changes=())
    policies = [d for d in load(WorkTree(root), only_policies).documents
                if isinstance(d.data, dict) and d.data.get("kind") == "Policy"]
    report = Report()
    for path in discover(root, targets):
        if not path.resolve().is_relative_to(root):
            shown = path.absolute().relative_to(root).as_posix() \
                if path.absolute().is_relative_to(root) else str(path)
            report.files.append(shown)
            report.problems.append(Diagnostic(
                shown, 1, 1, "symlink-escape", "symbolic link to a file outside the "
                "repository; not read", Severity.ERROR))
            continue
        test = TestFile(root, path, policies)
        report.files.append(test.rel)
        if test.problems:
            report.problems.extend(test.problems)
            continue
        for index, case in enumerate(test.data["cases"]):
            if select is None or select.search(case["name"]):
                report.cases.append(_judge(test, index, now))
    return report
