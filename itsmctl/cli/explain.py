from __future__ import annotations

import click

from itsmctl.cli.common import emit
from itsmctl.schemas.explain import explain


@click.command("explain")
@click.argument("field")
@click.option("--recursive", "-r", is_flag=True, help="Show every field below, as a tree.")
def command(field: str, recursive: bool) -> int:
    """Document a kind or one of its fields, from the schema: KIND[.field.path].

    Example: itsmctl explain Service.spec.dependsOn
    """
    emit(explain(field, recursive))
    return 0
