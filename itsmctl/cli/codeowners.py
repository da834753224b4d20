from __future__ import annotations

import click

from itsmctl.cli.common import emit_error, now_option, now_or_current, repo_root
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK
from itsmctl.review.codeowners import codeowners, is_current, write


@click.command("codeowners")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when the committed CODEOWNERS is not current.")
@now_option
@click.pass_context
def command(ctx: click.Context, check_only: bool, now: str | None) -> int:
    """Write CODEOWNERS from team ownership and the approval rules.

    Each catalog file goes to the forge teams owning what it defines and those the
    approval rules require for it; the policies and itsmctl.yaml to the CAB (review.cab).
    The file is written where GitHub reads it: in the git repository's root, .github/ or
    docs/ (for a catalog in a sub-folder, with paths relative to the git repository).
    """
    root = repo_root(ctx)
    result = codeowners(root, now_or_current(now))
    emit_error("".join(f"warning: {w}\n" for w in result.warnings))
    if check_only:
        if is_current(root, result):
            return EXIT_OK
        emit_error(f"{result.path} is not current: run itsmctl codeowners\n")
        return EXIT_FINDINGS
    write(root, result)
    emit_error(f"wrote {result.path} ({result.text.count(chr(10)) - 3} lines)\n")
    return EXIT_OK
