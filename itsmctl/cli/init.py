from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import emit
from itsmctl.reporters.scaffold import render
from itsmctl.scaffold import scaffold


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def command(folder: Path) -> int:
    """Create a new catalog repository in FOLDER (absent, empty, or holding only .git).

    It holds a small working catalog, a policy with its test, approval rules, the schemas,
    CODEOWNERS, two GitHub workflows (check and review every pull request; post the
    review as a comment) and a pre-commit configuration. It passes `itsmctl check`.
    """
    emit(render(scaffold(folder)))
    return 0
