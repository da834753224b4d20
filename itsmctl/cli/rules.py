from __future__ import annotations

import click

from itsmctl.cli.common import emit
from itsmctl.reporters.rules import RENDERERS
from itsmctl.rules import RULES


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text",
              help="Output format.")
def command(fmt: str) -> int:
    """List the stable rule ids of diagnostics, with severity and meaning."""
    emit(RENDERERS[fmt](list(RULES.values())))
    return 0
