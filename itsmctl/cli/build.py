from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import now_option, parse_now, ref_option, repo_root
from itsmctl.errors import EXIT_OK
from itsmctl.output import write_tree
from itsmctl.pipeline import check_catalog
from itsmctl.reporters import text
from itsmctl.targets import TARGETS


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
    root = repo_root(ctx)
    checked = check_catalog(root, ref=ref, now=parse_now(now))
    if checked.result.exit_code != EXIT_OK:
        click.echo(text.render(checked.result), err=True, nl=False)
        click.echo("build: not built; fix the errors above", err=True)
        return checked.result.exit_code
    out = out if out is not None else root / "build"
    for name in targets or sorted(TARGETS):
        target = TARGETS[name]
        files = target.build(checked.catalog, checked.loaded.config)
        write_tree(out / name, files)
        click.echo(f"built {name}: {len(files)} file(s) in {out / name}")
    return EXIT_OK
