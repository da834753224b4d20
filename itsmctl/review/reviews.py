"""Who approved: GitHub's "list reviews for a pull request" JSON, and `--approved-by`.

Per login, the latest review whose state is APPROVED or CHANGES_REQUESTED is that
person's opinion; a later DISMISSED review withdraws it; COMMENTED and PENDING never
count. The pull request's author never counts. An approval given on another commit than
the head counts only when the settings keep approvals on push (`review.keepApprovalsOnPush`,
as GitHub's "dismiss stale pull request approvals" does by default when off).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.timecalc import moment

APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING = (
    "APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")
STATES = (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING)
OPINIONATED = (APPROVED, CHANGES_REQUESTED, DISMISSED)
COMMAND_LINE = "--approved-by"  # the commit_id of approvals given on the command line


@dataclass(frozen=True)
class Review:
    login: str
    state: str
    submitted_at: str | None
    commit_id: str | None  # None: unknown (GitHub: the commit no longer exists)


@dataclass(frozen=True)
class Opinion:
    """A login's standing opinion, and whether it counts."""

    login: str
    state: str  # APPROVED | CHANGES_REQUESTED
    commit_id: str | None
    submitted_at: str | None
    counts: bool
    why_not: str | None = None  # author | stale

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"login": self.login, "state": self.state,
                                "commitId": self.commit_id, "submittedAt": self.submitted_at,
                                "counts": self.counts}
        if self.why_not:
            data["whyNot"] = self.why_not
        return data


def _values(text: str, label: str) -> Iterator[Any]:
    """Every JSON value in the text: one array, an array of pages (`gh api --paginate
    --slurp`), or pages one after another (`gh api --paginate`)."""
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise FatalError(f"{label}: not JSON ({error.msg} at line {error.lineno}, "
                             f"column {error.colno})") from error
        yield value


def _items(values: Iterable[Any], label: str) -> Iterator[Any]:
    for value in values:
        if not isinstance(value, list):
            raise FatalError(f"{label}: expected GitHub's list of reviews (a JSON array)")
        for item in value:
            if isinstance(item, list):
                yield from item
            else:
                yield item


def parse_reviews(text: str, label: str = "reviews") -> list[Review]:
    out = []
    for index, item in enumerate(_items(_values(text, label), label)):
        where = f"{label}: review {index + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("state"), str):
            raise FatalError(f"{where} has no 'state' (GitHub's review objects have one)")
        if item["state"] not in STATES:
            raise FatalError(f"{where}: unknown state '{item['state']}' (one of "
                             f"{', '.join(STATES)})")
        user = item.get("user")
        if user is None:
            continue  # a deleted account ('ghost'): nobody to match
        if not isinstance(user, dict) or not isinstance(user.get("login"), str):
            raise FatalError(f"{where} has no 'user.login'")
        submitted, commit = item.get("submitted_at"), item.get("commit_id")
        if submitted is not None:
            try:
                moment(str(submitted))
            except ValueError as error:
                raise FatalError(f"{where}: submitted_at '{submitted}' is not an ISO 8601 "
                                 "time") from error
        out.append(Review(user["login"], item["state"],
                          str(submitted) if submitted is not None else None,
                          str(commit) if isinstance(commit, str) else None))
    return out


def read_reviews(path: Path | None) -> list[Review]:
    """The reviews in a file (`-`: standard input); none without a file."""
    if path is None:
        return []
    label = str(path)
    try:
        if str(path) == "-":
            import sys

            text = sys.stdin.read()
        else:
            text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FatalError(f"cannot read {label}: {(error.strerror or str(error)).lower()}") \
            from error
    except UnicodeDecodeError as error:
        raise FatalError(f"cannot read {label}: it is not UTF-8 ({error.reason})") from error
    return parse_reviews(text, label)


def opinions(reviews: list[Review], approved_by: Iterable[str], author: str | None,
             head_sha: str, keep_on_push: bool) -> dict[str, Opinion]:
    """Each login's standing opinion (lower-cased login -> Opinion): the latest
    opinionated review, in submission order (ties: list order); approvals on the command
    line come last."""
    def when(index: int) -> tuple[float, int]:
        submitted = reviews[index].submitted_at
        return (moment(submitted).timestamp() if submitted else 0.0, index)

    order = sorted(range(len(reviews)), key=when)
    latest: dict[str, Review] = {}
    for index in order:
        review = reviews[index]
        if review.state in OPINIONATED:
            latest[review.login.lower()] = review
    for login in approved_by:
        latest[login.lower()] = Review(login, APPROVED, None, COMMAND_LINE)
    out = {}
    for key, review in latest.items():
        if review.state == DISMISSED:
            continue
        why_not = None
        if author is not None and key == author.lower():
            why_not = "author"
        elif review.state == APPROVED and not keep_on_push \
                and review.commit_id not in (head_sha, COMMAND_LINE):
            why_not = "stale"
        out[key] = Opinion(review.login, review.state, review.commit_id, review.submitted_at,
                           why_not is None, why_not)
    return dict(sorted(out.items()))
