from __future__ import annotations

from pathlib import Path

import click

from itsmctl.cli.common import append_step_summary, emit
from itsmctl.review.comment import BOT, CommentRequest, post_comment
from itsmctl.review.github import GitHub, reviews_json
from itsmctl.review.reviews import shown


@click.group("github")
def command() -> None:
    """Talk to GitHub: post the review as a pull request comment."""


@command.command("comment")
@click.argument("body", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pr", "pull", type=click.IntRange(min=1), required=True, metavar="NUMBER",
              help="The pull request.")
@click.option("--repository", metavar="OWNER/NAME",
              help="The repository (default: GITHUB_REPOSITORY).")
@click.option("--head-sha", metavar="SHA",
              help="Post only if the review is for this head commit (a workflow_run's "
                   "head_sha).")
@click.option("--author", default=BOT, show_default=True, metavar="LOGIN",
              help="The login the token comments as (to find the comment to update).")
def comment(body: Path, pull: int, repository: str | None, head_sha: str | None,
            author: str) -> int:
    """Post BODY (the Markdown of `itsmctl review`) as the pull request's review comment.

    Updates the comment it posted before (found by its marker and author) instead of
    adding another, leaves it when nothing changed, and posts nothing when the pull request
    has moved on to a newer commit. Reads the token from GITHUB_TOKEN and the API from
    GITHUB_API_URL.
    """
    posted = post_comment(CommentRequest(body, pull, repository, head_sha, author))
    url = shown(posted.url) if posted.url else None  # the API's: printable
    click.echo(f"{posted.action}: {posted.message}" + (f" ({url})" if url else ""))
    append_step_summary(f"itsmctl review comment {posted.action}: {posted.message}"
                        + (f" — {url}" if url else ""))
    return 0


@command.command("reviews")
@click.option("--pr", "pull", type=click.IntRange(min=1), required=True, metavar="NUMBER",
              help="The pull request.")
@click.option("--repository", metavar="OWNER/NAME",
              help="The repository (default: GITHUB_REPOSITORY).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write them to this file instead of standard output.")
def reviews(pull: int, repository: str | None, output: Path | None) -> int:
    """The pull request's reviews, every page, as GitHub lists them (JSON): what
    `itsmctl review --reviews` reads. Reads the token from GITHUB_TOKEN."""
    emit(reviews_json(GitHub.from_environment(repository), pull), output)
    return 0
