"""Who approved: GitHub's "list reviews for a pull request" JSON, and `--approved-by`.

Per login, the latest review whose state is APPROVED or CHANGES_REQUESTED is that
person's opinion; a later DISMISSED review withdraws it; COMMENTED and PENDING never
count. The pull request's author never counts. Logins are compared as GitHub does,
whatever their case, and written with or without a leading '@'. An approval given on
another commit than the head counts only when the settings keep approvals on push
(`review.keepApprovalsOnPush`, as GitHub's "dismiss stale pull request approvals" does by
default when off). An `--approved-by` counts as that login's latest review.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.text import printable
from itsmctl.timecalc import moment

APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING = (
    "APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")
STATES = (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING)
OPINIONATED = (APPROVED, CHANGES_REQUESTED, DISMISSED)
COMMAND_LINE = "--approved-by"  # the commit_id of approvals given on the command line
SHOWN = 300  # at most this many characters of untrusted text in a message
# A GitHub login: letters, digits and '-' (Enterprise Managed Users add '_'); an app's
# account ends in '[bot]'.
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}(?:\[bot\])?")


def shown(text: object, limit: int = SHOWN) -> str:
    """Untrusted text (a file's, an API's answer) fit for one line of the terminal:
    printable, and cut to `limit` characters with '…'."""
    out = printable(str(text))
    return out if len(out) <= limit else out[:limit - 1] + "…"


def normal_login(text: str) -> str:
    """A login as people write it (' @jweber ') as GitHub spells it ('jweber'); compare
    them lower-cased."""
    text = text.strip()
    return text[1:] if text.startswith("@") else text


def is_login(text: str) -> bool:
    return bool(_LOGIN.fullmatch(text))


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


def review_of(item: Any, where: str, strict: bool = False) -> Review | None:
    """One of GitHub's review objects read (None: a deleted account's, which cannot
    count); anything else is one line naming what is wrong (exit 2). `strict`: every
    field GitHub always sends must be there (an API's answer, not a file)."""
    if not isinstance(item, dict):
        raise FatalError(f"{where} is not an object (GitHub's reviews are)")
    state = item.get("state")
    if not isinstance(state, str):
        raise FatalError(f"{where} has no 'state' (GitHub's review objects have one)")
    if state not in STATES:
        raise FatalError(f"{where}: unknown state '{shown(state)}' (one of "
                         f"{', '.join(STATES)})")
    submitted, commit = item.get("submitted_at"), item.get("commit_id")
    if submitted is not None:
        if not isinstance(submitted, str):
            raise FatalError(f"{where}: submitted_at is not a time")
        try:
            moment(submitted)
        except (ValueError, OverflowError) as error:
            raise FatalError(f"{where}: submitted_at '{shown(submitted)}' is not an ISO "
                             "8601 time") from error
    elif strict and state != PENDING:
        raise FatalError(f"{where} has no 'submitted_at'")
    if commit is not None and not isinstance(commit, str):
        raise FatalError(f"{where}: commit_id is not a string")
    if strict and commit is None:
        raise FatalError(f"{where} has no 'commit_id'")
    user = item.get("user")
    if user is None:
        return None  # a deleted account ('ghost'): nobody to match
    if not isinstance(user, dict) or not isinstance(user.get("login"), str):
        raise FatalError(f"{where} has no 'user.login'")
    login = user["login"]
    if not is_login(login):
        raise FatalError(f"{where}: user.login '{shown(login, 60)}' is not a GitHub login "
                         "(letters, digits and '-')")
    return Review(login, state, submitted, commit.lower() if commit is not None else None)


def parse_reviews(text: str, label: str = "reviews") -> list[Review]:
    out = []
    try:
        items = list(_items(_values(text, label), label))
    except RecursionError as error:
        raise FatalError(f"cannot read {label}: its JSON is nested too deeply") from error
    for index, item in enumerate(items):
        review = review_of(item, f"{label}: review {index + 1}")
        if review is not None:
            out.append(review)
    return out


def read_reviews(path: Path | None) -> list[Review]:
    """The reviews in a file (`-`: standard input); none without a file."""
    if path is None:
        return []
    label = shown(path)
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
            latest[normal_login(review.login).lower()] = review
    for given in approved_by:  # no time: it counts as that login's latest review
        login = normal_login(given)
        if login:
            latest[login.lower()] = Review(login, APPROVED, None, COMMAND_LINE)
    author_key = normal_login(author).lower() if author is not None else None
    head = head_sha.lower()
    out = {}
    for key, review in latest.items():
        if review.state == DISMISSED:
            continue
        why_not = None
        if key == author_key:
            why_not = "author"
        elif review.state == APPROVED and not keep_on_push \
                and review.commit_id != COMMAND_LINE \
                and (review.commit_id or "").lower() != head:
            why_not = "stale"
        out[key] = Opinion(review.login, review.state, review.commit_id, review.submitted_at,
                           why_not is None, why_not)
    return dict(sorted(out.items()))
