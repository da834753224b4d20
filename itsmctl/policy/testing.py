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
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import Node

from itsmctl.config import Config
from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.errors import FatalError
from itsmctl.kinds import POLICY, ref, split_ref
from itsmctl.load import Loaded, load, read_config, read_files
from itsmctl.model.documents import Document, SourceFile
from itsmctl.policy.judge import judge
from itsmctl.schemas import POLICY_TEST_SCHEMA
from itsmctl.sources import RawFile, WorkTree, is_policy_test, is_yaml, relative_paths
from itsmctl.text import FieldPath, did_you_mean
from itsmctl.timecalc import moment
from itsmctl.validate.schema import schema_diagnostics
from itsmctl.yamlio import compose_all, decode, find_node, node_position

POLICY_TEST = Rule("policy-test", Severity.ERROR,
                   "A policy test file (*.test.yaml) or one of its cases cannot be run.")
RULES = (POLICY_TEST,)


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
class PolicyTestReport:
    files: list[str] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # test files that cannot be read

    @property
    def passed(self) -> bool:
        return bool(self.cases) and not self.problems and all(c.passed for c in self.cases)


def _key(data: Any) -> tuple[str, str] | None:
    """(kind, name) of a document, by which case documents replace fixture documents."""
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
        return str(data.get("kind")), str(data["metadata"].get("name"))
    return None


class TestFile:
    """One parsed test file and the documents its cases are built from. Every file is
    read through the work tree (sources), under its rules for symbolic links and size."""

    def __init__(self, source: WorkTree, raw: RawFile, policies: list[Document]) -> None:
        self.source = source
        self.rel = raw.path
        self.policies = policies
        self.problems: list[Diagnostic] = []
        self.data: dict[str, Any] = {}
        self.text = ""
        self.tree: Node | None = None
        self._read(raw)

    def _problem(self, message: str, line: int = 1, column: int = 1,
                 rule: Rule = POLICY_TEST) -> None:
        self.problems.append(Diagnostic(self.rel, line, column, rule.id, message, rule.severity))

    def _problem_at(self, where: FieldPath, message: str) -> None:
        assert self.tree is not None
        self._problem(message, *node_position(find_node(self.tree, where)))

    def _read(self, raw: RawFile) -> None:
        loaded = Loaded(Config())
        read_files([raw], loaded)
        if loaded.diagnostics:
            self.problems.extend(loaded.diagnostics)
            return
        assert raw.data is not None
        text, _ = decode(raw.data)
        assert text is not None
        self.text = text
        if len(loaded.documents) != 1:
            self._problem("a test file holds exactly one YAML document")
            return
        document = Document(SourceFile(self.rel, text), 0, loaded.documents[0].data, 1, 1)
        schema_problems = schema_diagnostics(document, POLICY_TEST_SCHEMA)
        if schema_problems:
            self.problems.extend(d.replace(rule=POLICY_TEST.id) for d in schema_problems)
            return
        self.data = document.data
        self.tree = compose_all(text)[0][0]
        self._check_names()
        places = [("now",), *(("cases", i, "now") for i in range(len(self.data["cases"])))]
        for place in places:
            value = self.data if len(place) == 1 else self.data["cases"][place[1]]
            if "now" not in value:
                continue
            try:
                moment(str(value["now"]))
            except ValueError:
                self._problem_at(place, f"now: {value['now']!r} is not a date (YYYY-MM-DD) or "
                                        "ISO date-time")

    def _check_names(self) -> None:
        """Every policy a file or case selects exists (else its `expect: none` would pass
        without testing anything), and case names are unique (they identify results)."""
        known = sorted({d.identity()[1] or "" for d in self.policies})
        lists: list[tuple[FieldPath, list[str]]] = [(("policies",),
                                                      self.data.get("policies", []))]
        lists += [(("cases", i, "policies"), case.get("policies", []))
                  for i, case in enumerate(self.data["cases"])]
        for where, names in lists:
            for index, name in enumerate(names):
                if name not in known:
                    self._problem_at((*where, index), f"unknown policy '{name}'"
                                     f"{did_you_mean(name, known)}; the repository's policies "
                                     f"are: {', '.join(known) or 'none'}")
        seen: dict[str, int] = {}
        for index, case in enumerate(self.data["cases"]):
            if case["name"] in seen:
                self._problem_at(("cases", index, "name"),
                                 f"a second case named {case['name']!r} (the first is case "
                                 f"{seen[case['name']] + 1})")
            seen.setdefault(case["name"], index)

    def _fixture_documents(self, names: list[str], where: FieldPath) -> Iterator[Document]:
        folder = posixpath.dirname(self.rel)
        for index, name in enumerate(names):
            rel = posixpath.normpath(posixpath.join(folder, name))
            if rel == ".." or rel.startswith("../") or posixpath.isabs(name):
                self._problem_at((*where, index), f"fixture '{name}' is outside the repository")
                continue
            if not (self.source.root / rel).exists():
                self._problem_at((*where, index), f"fixture '{name}' does not exist")
                continue
            loaded = Loaded(Config())
            read_files(self.source.walk([rel], is_yaml), loaded)
            self.problems.extend(loaded.diagnostics)
            yield from loaded.documents

    def _inline(self, where: FieldPath, items: list[Any]) -> list[Document]:
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
        for removed in case.get("remove", []):
            merged.pop(split_ref(removed), None)
        return list(merged.values())


def _run_case(test: TestFile, index: int, default_now: dt.datetime) -> CaseResult:
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
    judged = judge(documents, Config(), now)
    problems = [d for d in judged.problems if d.severity is Severity.ERROR]
    if problems:
        result.problems = sorted(set(problems))
        return result
    selected = case.get("policies", test.data.get("policies"))
    for d in judged.findings:
        policy = d.rule.removeprefix("policy/")
        if selected is None or policy in selected:
            result.actual.append(Finding(policy, ref(str(d.kind), str(d.name)),
                                         d.severity.value, d.suppressed, d.message))
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


def _policies(source: WorkTree, config: Config) -> list[Document]:
    """The repository's Policy documents (only the policies folders are read)."""
    only_policies = dataclasses.replace(config, catalog=(), changes=())
    return [d for d in load(source, only_policies, require=False).documents
            if isinstance(d.data, dict) and d.data.get("kind") == POLICY]


def run_tests(root: Path, paths: tuple[str, ...], now: dt.datetime,
              pattern: str | None = None) -> PolicyTestReport:
    """Run every case of every test file in `paths` (default: the policies folders)
    against the repository's policies."""
    try:
        select = re.compile(pattern) if pattern is not None else None
    except re.error as error:
        raise FatalError(f"--run: not a regular expression: {error}") from error
    source = WorkTree(root)
    config = read_config(source)
    folders = relative_paths(root, paths) if paths else list(config.policies)
    policies = _policies(source, config)
    report = PolicyTestReport()
    for raw in source.walk(folders, is_policy_test):
        report.files.append(raw.path)
        test = TestFile(source, raw, policies)
        if test.problems:
            report.problems.extend(test.problems)
            continue
        for index, case in enumerate(test.data["cases"]):
            if select is None or select.search(case["name"]):
                report.cases.append(_run_case(test, index, now))
    return report
