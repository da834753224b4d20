"""`itsmctl`: translate arguments into one core call each, and exit codes (docs/commands.md)."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from itsmctl import __version__
from itsmctl.cli.common import ReaderLeft
from itsmctl.errors import EXIT_FATAL, FatalError
from itsmctl.sources import find_repo_root
from itsmctl.text import printable

# command -> the module in itsmctl/cli/ that defines it (as `command`). A command's module
# is imported only when it runs (or for --help), so no command pays for the others.
COMMANDS = {
    "build": "build", "changes": "changes", "check": "check", "explain": "explain",
    "init": "init", "policy": "policy", "report": "report", "rules": "rules",
    "schema": "schema", "sla": "sla", "plan": "plan", "apply": "apply",
    "codeowners": "codeowners", "diff": "diff", "github": "github", "review": "review",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"itsmctl.cli.{COMMANDS[cmd_name]}")
        command: click.Command = module.command
        return command


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The catalog repository (default: the nearest folder upwards holding "
                   "itsmctl.yaml, else the enclosing git work tree, else .).")
@click.version_option(__version__, prog_name="itsmctl")
@click.pass_context
def cli(ctx: click.Context, repo: Path | None) -> None:
    """GitOps for IT service management: check, explain and build a service catalog."""
    ctx.obj = (repo if repo is not None else find_repo_root(Path.cwd())).resolve()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; never lets a traceback reach the user."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None,
                          prog_name="itsmctl", standalone_mode=False)
        return int(result or 0)
    except FatalError as error:  # each line made printable: messages quote untrusted input
        click.echo("\n".join(printable(line) for line in error.show().split("\n")), err=True)
        return error.exit_code
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        error.show()
        return EXIT_FATAL
    except click.exceptions.Abort as error:
        if isinstance(error.__cause__, KeyboardInterrupt):  # Ctrl-C, as the shell counts it
            click.echo("itsmctl: interrupted", err=True)
            return 130
        click.echo("itsmctl: aborted", err=True)  # a prompt not answered
        return EXIT_FATAL
    except KeyboardInterrupt:
        return 130
    except (ReaderLeft, BrokenPipeError):  # the reader of our output left (`| head`): quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:  # a bug: say so plainly, keep the traceback behind a switch
        if os.environ.get("ITSMCTL_DEBUG"):
            raise
        click.echo(f"itsmctl: internal error: {type(error).__name__}: {error}\n"
                   "hint: this is a bug in itsmctl; rerun with ITSMCTL_DEBUG=1 and report "
                   "the traceback", err=True)
        return EXIT_FATAL


def run() -> None:
    """The process: one command over a catalog it holds in memory to the end. The cyclic
    collector's default thresholds would scan that catalog's millions of long-lived objects
    again and again while it is built (a fifth of a large review's time); collecting every
    100,000 allocations instead spares that, and the few cycles a run makes are still
    collected."""
    gc.set_threshold(100_000, 10, 10)
    sys.exit(main())
