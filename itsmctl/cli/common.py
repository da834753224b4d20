"""Options and helpers shared by commands: turning options into values, writing output."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from itsmctl.errors import FatalError
from itsmctl.output import write_report
from itsmctl.text import printable
from itsmctl.timecalc import moment, why_not_a_time


def parse_now(value: str | None) -> dt.datetime | None:
    """--now as an aware instant: a date alone is its midnight UTC; naive times are UTC."""
    if value is None:
        return None
    try:
        return moment(value)
    except ValueError as error:
        raise FatalError(f"--now: '{value}' is {why_not_a_time(error)}") from error


def now_or_current(value: str | None) -> dt.datetime:
    return parse_now(value) or dt.datetime.now(dt.timezone.utc)


now_option = click.option(
    "--now", "now", metavar="TIME",
    help="Judge dates (expiry, reviewBy, what is upcoming) as of this date or ISO date-time "
         "instead of the current time; policies, where they run, see it as now.")


def check_ref(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A git ref option's value(s): a name git could mean, never an empty one (which would
    quietly read the work tree), one that reads as an option, or one with control
    characters."""
    for ref in value if isinstance(value, tuple) else (value,):
        if ref is None:
            continue
        if not ref.strip():
            raise click.BadParameter("is empty: name a branch, tag or commit")
        if ref.startswith("-"):
            raise click.BadParameter(f"'{printable(ref)}' is not a git ref (it starts with '-')")
        if not ref.isprintable():
            raise click.BadParameter(f"'{printable(ref)}' is not a git ref (it holds a "
                                     "control character)")
    return value


ref_option = click.option(
    "--ref", default=None, metavar="REF", callback=check_ref,
    help="Read the catalog at this git ref instead of the work tree.")


class ReaderLeft(Exception):
    """Whoever read our standard output stopped reading (`| head`): main() ends quietly.
    Not an OSError, which click would catch and turn into exit 1."""


def emit(text: str, output: Path | None = None, color: bool = False) -> None:
    """Standard output, or `--output FILE` (written as a shell redirection would)."""
    if output is None or str(output) == "-":
        try:
            click.echo(text, nl=False, color=color)  # click strips colour off a TTY otherwise
        except BrokenPipeError as error:  # click would turn it into exit 1 ("findings")
            raise ReaderLeft() from error
        except OSError as error:
            raise FatalError("cannot write to standard output: "
                             f"{(error.strerror or str(error)).lower()}") from error
    else:
        write_report(output, text)


def emit_error(text: str) -> None:
    click.echo(text, nl=False, err=True)


def color_wanted(output: Path | None) -> bool:
    if (output is not None and str(output) != "-") or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR"))


def repo_root(ctx: click.Context) -> Path:
    root: Any = ctx.find_root().obj
    return Path(root)


@contextlib.contextmanager
def progress_bar(size: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error for long inputs on a terminal, never in CI."""
    if not (sys.stderr.isatty() and not os.environ.get("CI") and size > 8 << 20):
        yield None
        return
    with click.progressbar(length=size, label=label, file=sys.stderr) as bar:
        yield bar.update


def append_step_summary(text: str | Callable[[], str]) -> None:
    """Add Markdown (or what a function makes, made only then) to the GitHub Actions job
    summary, when running in a job."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    if callable(text):
        text = text()
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(text if text.endswith("\n") else text + "\n")
    except OSError as error:
        raise FatalError(f"cannot write the job summary ({path}): {error.strerror}") from error
