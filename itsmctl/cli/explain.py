from __future__ import annotations

import click

from itsmctl.cli.common import emit
from itsmctl.schemas.explain import explain


@click.command("explain")
@click.argument("field", required=False)
@click.option("--recursive", "-r", is_flag=True, help="Show every field below, as a tree.")
def command(field: str | None, recursive: bool) -> int:
    """Document a kind or one of its fields, from the schema: KIND[.field.path] (any
    case); without one, list the kinds.

    Example: itsmctl explain Service.spec.dependsOn
    """
    emit(explain(field, recursive))
    return 0
