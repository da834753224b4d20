from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from itsmctl.cli.common import emit, now_option, parse_now, repo_root
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK, FatalError
from itsmctl.load import read_config
from itsmctl.policy.testing import CaseResult, Report, run_tests
from itsmctl.sources import WorkTree


@click.group("policy")
def command() -> None:
    """Work with the organisation's policies."""


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


def render_text(report: Report, verbose: bool) -> str:
    lines = [problem.format() for problem in report.problems]
    for file in report.files:
        cases = [c for c in report.cases if c.file == file]
        shown = [line for case in cases for line in _case_lines(case, verbose)]
        if shown:
            lines.append(file)
            lines += shown
    passed = sum(1 for c in report.cases if c.passed)
    failed = len(report.cases) - passed
    summary = (f"{len(report.cases)} case{'s' if len(report.cases) != 1 else ''} in "
               f"{len(report.files)} file{'s' if len(report.files) != 1 else ''}: "
               f"{passed} passed, {failed} failed")
    if report.problems:
        summary += f", {len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}"
        summary += " in test files"
    if not report.cases and not report.problems:
        summary = "no policy tests found (files named *.test.yaml)"
    return "\n".join([*lines, summary]) + "\n"


def render_json(report: Report) -> str:
    data = {
        "passed": report.passed,
        "cases": [c.to_json() for c in report.cases],
        "problems": [d.to_json() for d in report.problems],
    }
    return json.dumps(data, indent=2) + "\n"


@command.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Output format.")
@click.option("--run", "pattern", metavar="REGEX", default=None,
              help="Only the cases whose name matches this regular expression.")
@click.option("--verbose", "-v", is_flag=True, help="List passing cases too.")
@now_option
@click.pass_context
def test(ctx: click.Context, paths: tuple[Path, ...], fmt: str, pattern: str | None,
         verbose: bool, now: str | None) -> int:
    """Run the policy unit tests (*.test.yaml) in PATHS (default: the policies folders).

    Each case evaluates the repository's policies on a small catalog and compares the
    findings with the expected ones. Exit 0 when all pass, 1 when any fails or none ran.
    """
    import re

    root = repo_root(ctx)
    config = read_config(WorkTree(root))
    targets = [p if p.is_absolute() else Path.cwd() / p for p in paths] or \
        [root / folder for folder in config.policies]
    for target in targets:
        if paths and not target.exists():
            raise FatalError(f"no such file or folder: {target}")
        if not target.resolve().is_relative_to(root.resolve()):
            raise FatalError(f"{target} is outside the repository {root}")
    select = None
    if pattern is not None:
        try:
            select = re.compile(pattern)
        except re.error as error:
            raise FatalError(f"--run: not a regular expression: {error}") from error
    instant = parse_now(now) or dt.datetime.now(dt.timezone.utc)
    report = run_tests(root, config, [t for t in targets if t.exists()], instant, select)
    emit(render_json(report) if fmt == "json" else render_text(report, verbose), None)
    return EXIT_OK if report.passed else EXIT_FINDINGS
