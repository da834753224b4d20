"""The sticky review comment: one per pull request, found by its marker and its author,
updated in place, left alone when nothing changed, and never overwritten by the review of
an older head commit: a review is posted only while its head is the pull request's head
(a run that finishes after a newer push posts nothing; the newer run will)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.review.github import GitHub
from itsmctl.review.marker import COMMENT_LIMIT, PREFIX, length, parse_marker
from itsmctl.review.reviews import shown
from itsmctl.sources import WORKTREE

BOT = "github-actions[bot]"  # who comments with a workflow's GITHUB_TOKEN
CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"
_SHA = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_MENTION = re.compile(r"(?<![\w`])@(?=[A-Za-z0-9])")  # at a code span's start: inert


def quiet(body: str) -> str:
    """The body with every @-mention made inert (a word joiner after the @; one that opens
    a code span notifies nobody already). The review itsmctl renders mentions nobody, and
    this leaves it as it is; but the file posted comes from a job that a fork's code ran:
    whatever it holds, the bot's comment notifies no one."""
    return _MENTION.sub("@\u2060", body)


@dataclass(frozen=True)
class CommentRequest:
    body: Path  # the review, as `itsmctl review --format markdown` wrote it
    pull: int
    repository: str | None = None  # default: GITHUB_REPOSITORY
    head_sha: str | None = None  # the commit the review must be for (a workflow_run's head_sha)
    author: str = BOT  # the login our comments are written by


@dataclass(frozen=True)
class Posted:
    action: str  # created | updated | unchanged | skipped
    url: str | None
    message: str


def _url(data: dict[str, Any]) -> str | None:
    """The `html_url` of an API object (None: not a string)."""
    url = data.get("html_url")
    return url if isinstance(url, str) else None


def _head_sha(pull: dict[str, Any], number: int) -> str:
    """The pull request's head commit, from the API's answer (exit 2 when it has none)."""
    head = pull.get("head")
    sha = head.get("sha") if isinstance(head, dict) else None
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise FatalError(f"GitHub API: GET /pulls/{number} answered a pull request without "
                         "a head commit (no 'head.sha' that is a commit SHA): not posted")
    return sha.lower()


def _body(path: Path) -> str:
    try:
        body = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FatalError(f"cannot read the review {shown(path)}: "
                         f"{(error.strerror or str(error)).lower()}") from error
    except UnicodeDecodeError as error:
        raise FatalError(f"cannot read the review {shown(path)}: it is not UTF-8 "
                         f"({error.reason})") from error
    if parse_marker(body) is None:
        raise FatalError(f"{shown(path)} is not an itsmctl review: its first line is not the "
                         f"'{PREFIX} base=… head=… -->' marker")
    body = quiet(body)
    if length(body) > COMMENT_LIMIT:
        raise FatalError(f"{shown(path)} is {length(body)} characters; GitHub takes at most "
                         f"{COMMENT_LIMIT} (itsmctl review cuts its comment to fit)")
    return body


def post_comment(request: CommentRequest, client: GitHub | None = None) -> Posted:
    body = _body(request.body)
    marked = parse_marker(body)
    assert marked is not None
    head = marked[1]
    if head == WORKTREE:
        raise FatalError("this review is of a work tree, not of a commit: review the pull "
                         "request's head commit to post it")
    if request.head_sha is not None and head.lower() != request.head_sha.strip().lower():
        raise FatalError(f"the review is for head {shown(head)}, not "
                         f"{shown(request.head_sha)}: not posted")
    github = client or GitHub.from_environment(request.repository)
    pull = github.pull(request.pull)
    current = _head_sha(pull, request.pull)
    if head.lower() != current:
        return Posted(SKIPPED, _url(pull),
                      f"pull request #{request.pull} is now at {current[:12]}; this review "
                      f"of {head[:12]} is outdated and was not posted")
    ours = None
    for comment in github.comments(request.pull):
        login = str((comment.get("user") or {}).get("login") or "")
        text = str(comment.get("body") or "")
        if login.lower() == request.author.lower() and text.startswith(PREFIX):
            ours = comment
            break
    if ours is None:
        made = github.create_comment(request.pull, body)
        return Posted(CREATED, _url(made), f"review comment created on "
                      f"#{request.pull}")
    text = str(ours.get("body") or "")
    if text == body:
        return Posted(UNCHANGED, _url(ours), "review comment unchanged")
    if not isinstance(ours.get("id"), int):
        raise FatalError("GitHub API: a comment without an id")
    made = github.update_comment(ours["id"], body)
    return Posted(UPDATED, _url(made) or _url(ours),
                  f"review comment updated on #{request.pull}")
