from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import append_step_summary, emit, now_option, parse_now, repo_root
from itsmctl.errors import EXIT_FINDINGS, EXIT_OK
from itsmctl.reporters.review import RENDERERS, summary_markdown
from itsmctl.review import READY, ReviewRequest, review
from itsmctl.review.reviews import is_login, normal_login, shown


def _login(value: str, option: str) -> str:
    login = normal_login(value)
    if not login:
        raise click.BadParameter("a login cannot be empty", param_hint=f"'{option}'")
    if not is_login(login):
        raise click.BadParameter(f"'{shown(value, 60)}' is not a GitHub login (letters, "
                                 "digits and '-', with or without a leading '@')",
                                 param_hint=f"'{option}'")
    return login


def _author(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else _login(value, "--author")


def _approvers(ctx: click.Context, param: click.Parameter,
               value: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_login(v, "--approved-by") for v in value)


@click.command("review")
@click.argument("base")
@click.argument("head", required=False)
@click.option("--author", metavar="LOGIN", callback=_author,
              help="Who opened the pull request (never counts as an approver).")
@click.option("--approved-by", "approved_by", multiple=True, metavar="LOGIN",
              callback=_approvers,
              help="A login that approves the head (repeatable); it counts as that "
                   "login's latest review.")
@click.option("--reviews", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="GitHub's list of the pull request's reviews (JSON; - for standard input).")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="markdown",
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the review to this file instead of standard output.")
@now_option
@click.pass_context
def command(ctx: click.Context, base: str, head: str | None, author: str | None,
            approved_by: tuple[str, ...], reviews: Path | None, fmt: str,
            output: Path | None, now: str | None) -> int:
    """Judge a pull request: its changes, what they affect, the findings it introduces,
    and the approvals it still needs — by the rules of BASE.

    BASE and HEAD are git refs or SHAs (HEAD default: the work tree); BASE...HEAD reviews
    HEAD against where it forked from BASE, as GitHub does. Exit 0 when ready to merge,
    1 when blocked, 2 when it cannot run. Under GitHub Actions the full review is also
    written to the job summary.
    """
    request = ReviewRequest(base, head, author, approved_by, reviews, parse_now(now))
    result = review(repo_root(ctx), request)
    emit(RENDERERS[fmt](result), output)
    append_step_summary(lambda: summary_markdown(result))
    return EXIT_OK if result.verdict == READY else EXIT_FINDINGS
