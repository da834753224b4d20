from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import (
    check_ref,
    emit,
    emit_error,
    progress_bar,
    ref_option,
    repo_root,
)
from itsmctl.reporters import replay as replay_output
from itsmctl.reporters import sla_due
from itsmctl.sla.due import due_times
from itsmctl.sla.replay import ReplayRequest, input_size, replay_file
from itsmctl.sla.tickets import READERS


@click.group("sla")
def command() -> None:
    """The SLA clock: due times, and replay of historic tickets."""


@command.command("due")
@click.argument("sla_name", metavar="SLA")
@click.argument("priority")
@click.option("--opened", required=True, metavar="TIME",
              help="When the ticket was opened (ISO 8601; without an offset it is read in "
                   "the calendar's timezone).")
@click.option("--paused", "paused", multiple=True, metavar="START/END",
              help="A time the ticket spent in a paused state (repeatable).")
@click.option("--format", "fmt", type=click.Choice(sorted(sla_due.RENDERERS)), default="text",
              help="Output format.")
@click.option("--explain", is_flag=True, help="List the open intervals that count.")
@ref_option
@click.pass_context
def due(ctx: click.Context, sla_name: str, priority: str, opened: str, paused: tuple[str, ...],
        fmt: str, explain: bool, ref: str | None) -> int:
    """Response and resolution due times of a ticket of PRIORITY under SLA."""
    times = due_times(repo_root(ctx), ref, sla_name, priority, opened, paused, explain)
    emit(sla_due.RENDERERS[fmt](times))
    return 0


@command.command("replay")
@click.argument("tickets", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--from", "source", type=click.Choice(sorted(READERS)),
              default="generic", show_default=True, help="The input's format.")
@click.option("--ref", "refs", multiple=True, metavar="REF", callback=check_ref,
              help="Judge under the catalog at this git ref; repeat to compare side by side.")
@click.option("--sla", "default_sla", metavar="NAME",
              help="The SLA of tickets that name neither an SLA nor a known service.")
@click.option("--now", "now_text", metavar="TIME",
              help="'Now' for tickets still open (default: the current time).")
@click.option("--timezone", "tz_name", metavar="TZ",
              help="The timezone of naive timestamps (default: the repository's "
                   "defaultTimezone, UTC).")
@click.option("--mapping", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="ServiceNow: a YAML file mapping priorities and states.")
@click.option("--details", is_flag=True, help="List every ticket's due times and verdicts.")
@click.option("--strict", is_flag=True, help="Exit 1 when any row is skipped.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, metavar="N",
              help="Processes that judge parts of a large file side by side (default 0: one "
                   "per processor; 1: this one alone).")
@click.option("--format", "fmt", type=click.Choice(sorted(replay_output.RENDERERS)),
              default="table", help="Output format.")
@click.pass_context
def replay_command(ctx: click.Context, tickets: Path, source: str, refs: tuple[str, ...],
                   default_sla: str | None, now_text: str | None, tz_name: str | None,
                   mapping: Path | None, details: bool, strict: bool, jobs: int,
                   fmt: str) -> int:
    """SLA compliance of historic TICKETS (a CSV file, or - for standard input).

    Per SLA and priority: tickets, response and resolution met/breached, and compliance
    (resolution met as a share of those judged). Rows that cannot be judged are skipped
    and listed with their line number. Exit 1 when no row could be judged (with
    --strict: when any was skipped).
    """
    request = ReplayRequest(tickets, source, refs, default_sla, now_text, tz_name, mapping,
                            details, strict, jobs)
    with progress_bar(input_size(request), "replaying") as progress:
        report = replay_file(repo_root(ctx), request, progress)
    emit(replay_output.RENDERERS[fmt](report))
    if fmt == "csv":
        emit_error(replay_output.skipped_lines(report, tickets))
    return report.exit_code
