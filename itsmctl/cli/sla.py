from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from itsmctl.cli.common import ref_option, repo_root
from itsmctl.errors import FatalError
from itsmctl.pipeline import check_catalog
from itsmctl.replay import BadInput, View, read_generic, replay
from itsmctl.replay_output import render_csv, render_json, render_table
from itsmctl.servicenow import Mapping, mapping_from, read_servicenow
from itsmctl.sla import Terms, escalation_times, explain_lines, service_slas, span, terms_of
from itsmctl.timecalc import ClockError, Interval, iso, merge, timezone, to_instant
from itsmctl.validate.schema import did_you_mean


@click.group("sla")
def command() -> None:
    """The SLA clock: due times, and replay of historic tickets."""


def pick(root: Path, ref: str | None, name: str, priority: str) -> Terms:
    """The SLA to compute with, or a one-line reason why it cannot be used."""
    terms, broken = terms_of(check_catalog(root, ref=ref).catalog)
    if name in broken:
        raise FatalError(f"SLA '{name}' cannot be used: {broken[name]}",
                         "run itsmctl check for the details")
    if name not in terms:
        raise FatalError(f"unknown SLA '{name}'{did_you_mean(name, sorted(terms))}",
                         f"the SLAs are: {', '.join(sorted(terms)) or 'none'}")
    chosen = terms[name]
    if priority not in chosen.targets:
        raise FatalError(f"SLA '{name}' has no target for priority '{priority}'"
                         f"{did_you_mean(priority, sorted(chosen.targets))}",
                         f"its priorities are: {', '.join(chosen.targets)}")
    return chosen


def parse_time(text: str, what: str, tz: dt.tzinfo) -> float:
    try:
        return to_instant(text, tz)
    except ValueError as error:
        raise FatalError(f"{what}: '{text}' is not an ISO 8601 date-time") from error


def _row(label: str, instant: float, tz: dt.tzinfo, note: str = "") -> str:
    local = dt.datetime.fromtimestamp(instant, tz)
    utc = dt.datetime.fromtimestamp(instant, dt.timezone.utc)
    offset = local.strftime("%z")
    text = (f"{label:<16} {local:%a %Y-%m-%d %H:%M} {local:%Z} ({offset[:3]}:{offset[3:]})"
            f"   {utc:%Y-%m-%d %H:%M} UTC")
    return f"{text}   {note}" if note else text


@command.command("due")
@click.argument("sla_name", metavar="SLA")
@click.argument("priority")
@click.option("--opened", required=True, metavar="TIME",
              help="When the ticket was opened (ISO 8601; without an offset it is read in "
                   "the calendar's timezone).")
@click.option("--paused", "paused", multiple=True, metavar="START/END",
              help="A time the ticket spent in a paused state (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Output format.")
@click.option("--explain", is_flag=True, help="List the open intervals that count.")
@ref_option
@click.pass_context
def due(ctx: click.Context, sla_name: str, priority: str, opened: str, paused: tuple[str, ...],
        fmt: str, explain: bool, ref: str | None) -> int:
    """Response and resolution due times of a ticket of PRIORITY under SLA."""
    terms = pick(repo_root(ctx), ref, sla_name, priority)
    tz = terms.clock.tz
    start = parse_time(opened, "--opened", tz)
    pauses: list[Interval] = []
    for text in paused:
        begin, sep, end = text.partition("/")
        if not sep:
            raise FatalError(f"--paused: '{text}' is not START/END")
        pause = (parse_time(begin, "--paused", tz), parse_time(end, "--paused", tz))
        if pause[1] < pause[0]:
            raise FatalError(f"--paused: '{text}' ends before it starts")
        pauses.append(pause)
    pauses = merge(pauses)
    target = terms.targets[priority]
    try:
        clock_start = terms.clock.clock_start(start, pauses)
        response_due = (terms.clock.due(start, target.response, pauses)
                        if target.response is not None else None)
        resolution_due = terms.clock.due(start, target.resolution, pauses)
        escalations = escalation_times(terms, priority, start, pauses)
    except ClockError as error:
        raise FatalError(str(error)) from error
    if fmt == "json":
        data: dict[str, Any] = {
            "sla": terms.name, "priority": priority, "calendar": terms.calendar,
            "opened": iso(start, tz), "clockStarts": iso(clock_start, tz),
            "responseDue": iso(response_due, tz) if response_due is not None else None,
            "resolutionDue": iso(resolution_due, tz)}
        if escalations:
            data["escalations"] = [{"at": at, "notify": team, "time": iso(when, tz)}
                                   for at, team, when in escalations]
        click.echo(json.dumps(data, indent=2))
        return 0
    lines = [f"SLA {terms.name}, priority {priority}, calendar {terms.calendar} "
             f"({terms.clock.tzname})",
             _row("opened", start, tz), _row("clock starts", clock_start, tz)]
    if response_due is not None and target.response_text:
        lines.append(_row("response due", response_due, tz,
                          f"{target.response_text} of open time"))
    lines.append(_row("resolution due", resolution_due, tz,
                      f"{target.resolution_text} of open time"))
    for at, team, when in escalations:
        lines.append(_row(f"escalate {at}", when, tz, f"notify {team}"))
    if pauses:
        paused_total = sum(e - b for b, e in pauses)
        lines.append(f"paused           {span(paused_total)} in {len(pauses)} interval(s)")
    if explain:
        if response_due is not None and target.response is not None:
            lines += ["", *explain_lines(terms, start, target.response, pauses,
                                         f"response ({target.response_text})")]
        lines += ["", *explain_lines(terms, start, target.resolution, pauses,
                                     f"resolution ({target.resolution_text})")]
    click.echo("\n".join(lines))
    return 0


class _Progress:
    """Lines of a binary file as text, counting bytes for a progress bar."""

    def __init__(self, stream: Any, bar: Any) -> None:
        self.stream = stream
        self.bar = bar
        self.pending = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            if self.bar is not None:
                self.pending += len(raw)
                if self.pending > 1 << 20:
                    self.bar.update(self.pending)
                    self.pending = 0
            yield raw.decode("utf-8", "replace")
        if self.bar is not None:
            self.bar.update(self.pending)


def _want_progress(size: int) -> bool:
    return (sys.stderr.isatty() and not os.environ.get("CI") and size > 8 << 20)


def _views(root: Path, refs: tuple[str, ...]) -> tuple[list[View], list[str], str]:
    views = []
    levels: list[str] = []
    timezone_default = "UTC"
    for ref in refs or (None,):
        checked = check_catalog(root, ref=ref)
        catalog = checked.catalog
        terms, broken = terms_of(catalog)
        views.append(View(ref, terms, service_slas(catalog), broken))
        levels = levels or catalog.priority_levels()
        timezone_default = checked.loaded.config.default_timezone
    return views, levels, timezone_default


@command.command("replay")
@click.argument("tickets", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--from", "source", type=click.Choice(["generic", "servicenow"]),
              default="generic", show_default=True, help="The input's format.")
@click.option("--ref", "refs", multiple=True, metavar="REF",
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
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              help="Output format.")
@click.pass_context
def replay_command(ctx: click.Context, tickets: Path, source: str, refs: tuple[str, ...],
                   default_sla: str | None, now_text: str | None, tz_name: str | None,
                   mapping: Path | None, details: bool, fmt: str) -> int:
    """SLA compliance of historic TICKETS (a CSV file, or - for standard input).

    Per SLA and priority: tickets, response and resolution met/breached, and compliance
    (resolution met as a share of those judged). Rows that cannot be judged are skipped
    and listed with their line number.
    """
    views, levels, tz_default = _views(repo_root(ctx), refs)
    try:
        tz = timezone(tz_name or tz_default)
    except ValueError as error:
        raise FatalError(f"--timezone: {error}") from error
    now = parse_time(now_text, "--now", tz) if now_text else time.time()
    for view in views:
        where = f" at {view.ref}" if view.ref else ""
        if default_sla is not None and default_sla in view.broken:
            raise FatalError(f"--sla: SLA '{default_sla}'{where} cannot be used: "
                             f"{view.broken[default_sla]}")
        if default_sla is not None and default_sla not in view.terms:
            raise FatalError(f"--sla: unknown SLA '{default_sla}'{where}"
                             f"{did_you_mean(default_sla, sorted(view.terms))}")
    if source == "servicenow" and default_sla is None:
        raise FatalError("a ServiceNow export names no SLA: give --sla NAME")
    rules = None
    if mapping is not None:
        rules = _read_mapping(mapping)
    stream = sys.stdin.buffer if str(tickets) == "-" else _open(tickets)
    size = 0 if str(tickets) == "-" else tickets.stat().st_size
    try:
        with contextlib.ExitStack() as stack:
            bar = stack.enter_context(click.progressbar(
                length=size, label="replaying", file=sys.stderr)) \
                if _want_progress(size) else None
            lines = _Progress(stream, bar)
            items = (read_servicenow(lines, tz, levels, rules) if source == "servicenow"
                     else read_generic(lines, tz))
            report = replay(items, views, levels, now, default_sla, details)
    except BadInput as error:
        raise FatalError(f"{tickets}: {error}") from error
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    render = {"table": render_table, "csv": render_csv, "json": render_json}[fmt]
    click.echo(render(report), nl=False)
    if fmt == "csv" and report.skipped:
        for skipped in report.skipped:
            click.echo(f"{tickets}:{skipped.line}: skipped: {skipped.reason}", err=True)
    return 0


def _open(path: Path) -> Any:
    try:
        return path.open("rb")
    except OSError as error:
        raise FatalError(f"cannot read {path}: {error.strerror}") from error


def _read_mapping(path: Path) -> Mapping:
    from itsmctl.yamlio import decode, parse_documents

    text, problem = decode(path.read_bytes())
    if problem is not None or text is None:
        raise FatalError(f"{path}: not UTF-8 text")
    documents, problems = parse_documents(text)
    if problems:
        p = problems[0]
        raise FatalError(f"{path}:{p.line}:{p.column}: {p.message}")
    try:
        return mapping_from(documents[0].data if documents else None)
    except BadInput as error:
        raise FatalError(f"{path}: {error}") from error
