from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from itsmctl.cli.common import emit, emit_error, now_option, parse_now, ref_option, repo_root
from itsmctl.cli.rt_options import live_target_options
from itsmctl.errors import FatalError
from itsmctl.reporters.rt_plan import APPLIED, RENDERERS, render_progress
from itsmctl.targets.rt.plan import Plan
from itsmctl.targets.rt.remote import Planned, Request, apply


def _confirmer(yes: bool, fmt: str) -> Callable[[Plan], bool]:
    """Show the plan; then --yes, or a question on a terminal (never a silent apply)."""

    def confirm(plan: Plan) -> bool:
        shown = RENDERERS["text"](Planned(plan, 0, 0.0))
        if fmt == "text":
            emit(shown)
        if yes:
            return True
        if fmt != "text":  # JSON output is one document at the end: ask on standard error
            emit_error(shown)
        if not sys.stdin.isatty():
            raise FatalError("apply asks for confirmation on a terminal",
                             "pass --yes to apply without asking")
        return click.confirm("Apply these changes to Request Tracker?", default=False)
    return confirm


@click.command("apply")
@live_target_options
@click.option("--yes", "-y", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Apply a plan saved by plan --out (refused if RT or the "
                                 "catalog changed since).")
@ref_option
@now_option
@click.pass_context
def command(ctx: click.Context, target: str, url: str | None, prune: bool, adopt: bool,
            fmt: str, yes: bool, plan_file: Path | None, ref: str | None,
            now: str | None) -> int:
    """Make a live Request Tracker hold the catalog: plan, confirm, apply, read back."""
    request = Request(repo_root(ctx), ref, url, prune, adopt, parse_now(now))
    applied = apply(request, _confirmer(yes, fmt),
                    lambda change: emit_error(render_progress(change)), plan_file)
    emit(APPLIED[fmt](applied))
    return applied.exit_code
