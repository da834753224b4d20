from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import emit, now_option, parse_now, ref_option, repo_root
from itsmctl.reporters.report import RENDERERS
from itsmctl.reports import REPORTS, make_report


@click.command("report")
@click.argument("name", type=click.Choice(sorted(REPORTS)), metavar="NAME")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="markdown",
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=None, help="Write the report to this file (- for standard output).")
@ref_option
@now_option
@click.option("--since", metavar="DATE", help="audit: from this date or ISO date-time on.")
@click.option("--until", metavar="DATE", help="audit: up to this date (the whole day) or ISO "
              "date-time.")
@click.pass_context
def command(ctx: click.Context, name: str, fmt: str, output: Path | None, ref: str | None,
            now: str | None, since: str | None, until: str | None) -> int:
    """Make the report NAME: sla-matrix, ownership, coverage, compliance, changes, audit.

    Made from the documents that pass their schema (run `itsmctl check` for the rest);
    audit reads the git history of --ref (default HEAD).
    """
    if (since or until) and name != "audit":
        raise click.UsageError("--since and --until are the audit report's options")
    report = make_report(repo_root(ctx), name, ref, parse_now(now), since, until)
    emit(RENDERERS[fmt](report), output)
    return 0
