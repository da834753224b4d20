from __future__ import annotations

import json

import click

from itsmctl.rules import RULES


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
def command(fmt: str) -> int:
    """List the stable rule ids of diagnostics, with severity and meaning."""
    rules = sorted(RULES.values(), key=lambda r: r.id)
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "severity": r.severity.value,
                                "description": r.description} for r in rules], indent=2))
    elif fmt == "markdown":
        click.echo("| rule | severity | meaning |\n|---|---|---|")
        for r in rules:
            click.echo(f"| `{r.id}` | {r.severity.value} | {r.description} |")
        click.echo("| `policy/<name>` | the policy's | A finding of the organisation's "
                   "policy `<name>`. |")
    else:
        width = max(len(r.id) for r in rules)
        for r in rules:
            click.echo(f"{r.id:<{width}}  {r.severity.value:<7}  {r.description}")
    return 0
