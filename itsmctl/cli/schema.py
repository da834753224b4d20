from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import repo_root
from itsmctl.output import write_file
from itsmctl.schemas import exported


@click.group("schema")
def command() -> None:
    """The JSON Schemas of every kind."""


@command.command("export")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 if the folder is not up to date.")
@click.pass_context
def export(ctx: click.Context, folder: Path | None, check_only: bool) -> int:
    """Write the schemas to FOLDER (default: schemas/ in the repository)."""
    folder = folder if folder is not None else repo_root(ctx) / "schemas"
    files = exported()
    stale = sorted(name for name, text in files.items()
                   if not (folder / name).is_file() or (folder / name).read_text() != text)
    extra = sorted(p.name for p in folder.glob("*.schema.json") if p.name not in files) \
        if folder.is_dir() else []
    if check_only:
        for name in stale:
            click.echo(f"{folder / name}: out of date (run itsmctl schema export)")
        for name in extra:
            click.echo(f"{folder / name}: not a current schema (remove it)")
        return 1 if stale or extra else 0
    for name in stale:
        write_file(folder / name, files[name].encode())
    for name in extra:
        (folder / name).unlink()
    click.echo(f"{len(files)} schemas in {folder} ({len(stale)} written, {len(extra)} removed)")
    return 0
