from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import emit, repo_root
from itsmctl.reporters.schemas import render
from itsmctl.schemas.export import export_schemas


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
    exported = export_schemas(folder or repo_root(ctx) / "schemas", check_only)
    emit(render(exported))
    return exported.exit_code
