from __future__ import annotations

import click

from itsmctl.cli.common import emit, now_option, now_or_current, repo_root
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK
from itsmctl.policy.testing import run_tests
from itsmctl.reporters.policy_test import RENDERERS


@click.group("policy")
def command() -> None:
    """Work with the organisation's policies."""


@command.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text",
              help="Output format.")
@click.option("--run", "pattern", metavar="REGEX", default=None,
              help="Only the cases whose name matches this regular expression.")
@click.option("--verbose", "-v", is_flag=True, help="List passing cases too.")
@now_option
@click.pass_context
def test(ctx: click.Context, paths: tuple[str, ...], fmt: str, pattern: str | None,
         verbose: bool, now: str | None) -> int:
    """Run the policy unit tests (*.test.yaml) in PATHS (default: the policies folders).

    Each case evaluates the repository's policies on a small catalog and compares the
    findings with the expected ones. Exit 0 when all pass, 1 when any fails or none ran.
    """
    report = run_tests(repo_root(ctx), paths, now_or_current(now), pattern)
    emit(RENDERERS[fmt](report, verbose))
    return EXIT_OK if report.passed else EXIT_FINDINGS
