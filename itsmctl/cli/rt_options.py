"""Options that `plan` and `apply` share (docs/rt.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

F = Callable[..., Any]


def live_target_options(command: F) -> F:
    for option in reversed([
        click.option("--target", "-t", type=click.Choice(["rt"]), default="rt",
                     show_default=True, help="The platform (Request Tracker 5)."),
        click.option("--url", metavar="URL",
                     help="RT's base URL (default: $RT_URL). Credentials come from the "
                          "environment only: RT_TOKEN, or RT_USER and RT_PASSWORD."),
        click.option("--prune", is_flag=True,
                     help="Disable managed objects that left the catalog (never deletes)."),
        click.option("--adopt", is_flag=True,
                     help="Take over unmanaged RT objects that have a catalog object's name."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     help="Output format of the plan."),
    ]):
        command = option(command)
    return command
