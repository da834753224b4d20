from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import emit, now_option, parse_now, ref_option, repo_root
from itsmctl.cli.rt_options import live_target_options
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK
from itsmctl.reporters.rt_plan import RENDERERS
from itsmctl.targets.rt.remote import Request, plan


@click.command("plan")
@live_target_options
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit 1 when there are changes (0: none, 2: cannot run).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Save the plan, for apply --plan FILE.")
@ref_option
@now_option
@click.pass_context
def command(ctx: click.Context, target: str, url: str | None, prune: bool, adopt: bool,
            fmt: str, exit_code: bool, out: Path | None, ref: str | None,
            now: str | None) -> int:
    """Compare a live Request Tracker with the catalog and show what apply would change."""
    planned = plan(Request(repo_root(ctx), ref, url, prune, adopt, parse_now(now)), out)
    emit(RENDERERS[fmt](planned))
    return EXIT_FINDINGS if exit_code and not planned.plan.empty else EXIT_OK
