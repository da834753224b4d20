from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import emit, emit_error, now_option, parse_now, ref_option, repo_root
from itsmctl.reporters.build import render
from itsmctl.targets import TARGETS, build


@click.command("build")
@click.option("--target", "-t", "targets", multiple=True, type=click.Choice(sorted(TARGETS)),
              help="What to build (repeatable; default: every target).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: build/ in the repository); each target writes "
                   "its own sub-folder.")
@ref_option
@now_option
@click.pass_context
def command(ctx: click.Context, targets: tuple[str, ...], out: Path | None, ref: str | None,
            now: str | None) -> int:
    """Compile the catalog into platform configuration and artefacts.

    Nothing is written unless the catalog checks clean; each target's folder is
    replaced atomically, and the same inputs give byte-identical output.
    """
    built = build(repo_root(ctx), targets, out, ref, parse_now(now))
    stdout, stderr = render(built)
    emit(stdout)
    emit_error(stderr)
    return built.exit_code
