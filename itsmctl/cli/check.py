from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import (
    color_wanted,
    emit,
    emit_error,
    now_option,
    parse_now,
    ref_option,
    repo_root,
)
from itsmctl.pipeline import check_catalog
from itsmctl.reporters.check import REPORTERS, default_format, notes
from itsmctl.rules import RULES


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default=None,
              help="Output format (default: github under GitHub Actions, else text).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=None, help="Write the report to this file (- for standard output).")
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@ref_option
@now_option
@click.pass_context
def command(ctx: click.Context, paths: tuple[str, ...], fmt: str | None, output: Path | None,
            strict: bool, ref: str | None, now: str | None) -> int:
    """Validate the catalog: YAML, schema, references, semantic checks, policies.

    With PATHS, report only on those files or folders (the whole catalog is still read,
    so references resolve). Exit 0 when clean, 1 on errors, 2 if it cannot run.
    """
    checked = check_catalog(repo_root(ctx), ref, parse_now(now), paths, frozenset(RULES))
    checked.result.strict = strict
    color = color_wanted(output)
    emit_error(notes(checked.result))
    emit(REPORTERS[fmt or default_format()].render(checked.result, color=color), output, color)
    return checked.result.exit_code
