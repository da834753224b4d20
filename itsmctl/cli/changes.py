from __future__ import annotations

from pathlib import Path

import click

from itsmctl.changes.calendar import change_calendar
from itsmctl.changes.gate import Question, gate
from itsmctl.changes.outcome import list_changes
from itsmctl.cli.common import emit, emit_error, now_option, now_or_current, ref_option, repo_root
from itsmctl.reporters import changes_calendar, changes_gate, changes_list


@click.group("changes")
def command() -> None:
    """Change enablement: outcomes of change requests, the deployment gate, the calendar."""


@command.command("list")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--format", "fmt", type=click.Choice(sorted(changes_list.RENDERERS)),
              default="text", help="Output format.")
@ref_option
@now_option
@click.pass_context
def list_command(ctx: click.Context, names: tuple[str, ...], fmt: str, ref: str | None,
                 now: str | None) -> int:
    """Every change request (or those NAMEd) with its outcome and the reasons.

    Outcomes: blocked (a rule of error severity applies), pre-approved (a standard
    change), needs-approval. Exit 1 when a change request is blocked.
    """
    listing = list_changes(repo_root(ctx), ref, now_or_current(now), names)
    emit(changes_list.RENDERERS[fmt](listing))
    return listing.exit_code


@command.command("gate")
@click.argument("service")
@click.option("--template", metavar="NAME",
              help="The standard-change template (default: the one that lists SERVICE).")
@click.option("--at", metavar="TIME", help="When the change starts (default: now; without "
                                            "an offset, in the repository's timezone).")
@click.option("--duration", metavar="D",
              help="How long it takes (default: the template's maxDuration).")
@click.option("--change", "change", metavar="NAME",
              help="Ask about this change request instead of a template.")
@click.option("--format", "fmt", type=click.Choice(sorted(changes_gate.RENDERERS)),
              default="text", help="Output format.")
@ref_option
@click.pass_context
def gate_command(ctx: click.Context, service: str, template: str | None, at: str | None,
                 duration: str | None, change: str | None, fmt: str, ref: str | None) -> int:
    """May a standard change of SERVICE start now? For deployment pipelines.

    Exit 0 when it may (printing the window it falls in), 1 with every reason when it may
    not (and the next opening), 2 when the question cannot be answered.
    """
    answer = gate(repo_root(ctx), ref, Question(service, template, at, duration, change),
                  now_or_current(None))
    emit(changes_gate.RENDERERS[fmt](answer))
    return answer.exit_code


@command.command("calendar")
@click.option("--from", "start", metavar="TIME", help="Start (default: now; a date: its "
                                                       "first instant).")
@click.option("--to", "end", metavar="TIME", help="End (default: 90 days on; a date: to "
                                                   "its end).")
@click.option("--format", "fmt", type=click.Choice(sorted(changes_calendar.RENDERERS)),
              default="markdown", help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=None, help="Write to this file (- for standard output).")
@ref_option
@now_option
@click.pass_context
def calendar_command(ctx: click.Context, start: str | None, end: str | None, fmt: str,
                     output: Path | None, ref: str | None, now: str | None) -> int:
    """Change requests, maintenance-window occurrences and freezes in one timeline."""
    timeline = change_calendar(repo_root(ctx), ref, start, end, now_or_current(now))
    emit(changes_calendar.RENDERERS[fmt](timeline), output)
    emit_error(changes_calendar.warnings(timeline))
    return 0
