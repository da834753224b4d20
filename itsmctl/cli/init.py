from __future__ import annotations

from pathlib import Path

import click

from itsmctl.scaffold import scaffold


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def command(folder: Path) -> int:
    """Create a new catalog repository in FOLDER (which must be empty or absent).

    It holds a small working catalog, a policy, the schemas, a GitHub workflow that
    runs `itsmctl check`, and a pre-commit configuration. It passes `itsmctl check`.
    """
    written = scaffold(folder)
    click.echo(f"created {len(written)} files in {folder}")
    click.echo(f"next: cd {folder} && git init && itsmctl check")
    return 0
