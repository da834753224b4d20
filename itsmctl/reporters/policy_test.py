"""`itsmctl policy test`: PASS/FAIL per case with a diff of expected and actual findings,
or JSON (docs/policies.md#testing-policies)."""

from __future__ import annotations

import json
from collections.abc import Callable

from itsmctl.policy.testing import CaseResult, PolicyTestReport
from itsmctl.text import plural


def _case_lines(case: CaseResult, verbose: bool) -> list[str]:
    if case.passed:
        return [f"  PASS  {case.name}"] if verbose else []
    lines = [f"  FAIL  {case.name}"]
    for problem in case.problems:
        lines.append(f"        {problem.format()}")
    if case.missing or case.unexpected:
        lines.append("        --- expected")
        lines.append("        +++ actual")
        lines += [f"        -{line}" for line in case.missing]
        lines += [f"        +{line}" for line in case.unexpected]
        for finding in case.actual:
            if finding.line() in case.unexpected:
                lines.append(f"         ({finding.entity}: {finding.message})")
    return lines


def render_text(report: PolicyTestReport, verbose: bool = False) -> str:
    lines = [problem.format() for problem in report.problems]
    for file in report.files:
        cases = [c for c in report.cases if c.file == file]
        shown = [line for case in cases for line in _case_lines(case, verbose)]
        if shown:
            lines.append(file)
            lines += shown
    passed = sum(1 for c in report.cases if c.passed)
    failed = len(report.cases) - passed
    summary = (f"{plural(len(report.cases), 'case')} in {plural(len(report.files), 'file')}: "
               f"{passed} passed, {failed} failed")
    if report.problems:
        summary += f", {plural(len(report.problems), 'problem')} in test files"
    if not report.cases and not report.problems:
        summary = "no policy tests found (files named *.test.yaml)"
    return "\n".join([*lines, summary]) + "\n"


def render_json(report: PolicyTestReport, verbose: bool = False) -> str:
    data = {
        "passed": report.passed,
        "cases": [c.to_json() for c in report.cases],
        "problems": [d.to_json() for d in report.problems],
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS: dict[str, Callable[[PolicyTestReport, bool], str]] = {
    "text": render_text, "json": render_json}
