from __future__ import annotations

import click

from itsmctl.cli.common import check_ref, color_wanted, emit, emit_error, repo_root
from itsmctl.diff import diff
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK
from itsmctl.reporters.diff import RENDERERS


@click.command("diff")
@click.argument("base", callback=check_ref)
@click.argument("head", required=False, callback=check_ref)
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text",
              help="Output format.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are changes.")
@click.pass_context
def command(ctx: click.Context, base: str, head: str | None, fmt: str, exit_code: bool) -> int:
    """The catalog's changes from BASE to HEAD, entity by entity and field by field.

    BASE and HEAD are git refs or SHAs; HEAD defaults to the work tree. BASE...HEAD
    compares HEAD with where it forked from BASE (the merge base), as a pull request does.
    A file that cannot be read on a side is a warning, and exit 1.
    """
    result = diff(repo_root(ctx), base, head)
    emit_error("".join(f"warning: {u.describe()}\n" for u in result.unreadable))
    color = color_wanted(None)
    emit(RENDERERS[fmt](result, color), color=color)
    return EXIT_FINDINGS if result.unreadable or (exit_code and result.changes) else EXIT_OK
