"""GitHub's review list read (itsmctl/review/reviews.py): what a file or the API may hold
that GitHub never sends is one clear line, and logins compare as GitHub's do."""

from __future__ import annotations

import json

import pytest

from itsmctl.errors import FatalError
from itsmctl.review.reviews import APPROVED, CHANGES_REQUESTED, Review, opinions, parse_reviews

HEAD = "b" * 40


def item(login: object = "ann", state: str = "APPROVED", commit: object = HEAD,
         submitted: object = "2026-11-20T09:00:00Z") -> dict[str, object]:
    return {"user": {"login": login} if login is not None else None, "state": state,
            "commit_id": commit, "submitted_at": submitted}


@pytest.mark.parametrize(("text", "expected"), [
    ("[1]", "reviews: review 1 is not an object"),
    ('[{"user": {"login": "x"}}]', "reviews: review 1 has no 'state'"),
    (json.dumps([item(), item(login="ann\x00")]),
     "reviews: review 2: user.login 'ann\\x00' is not a GitHub login"),
    (json.dumps([item(login="\x1b[2J" * 100)]), "is not a GitHub login"),
    (json.dumps([item(state="\x1b[31mLGTM")]), "unknown state '\\x1b[31mLGTM'"),
    (json.dumps([item(commit=7)]), "review 1: commit_id is not a string"),
    ("[" * 100_000 + "]" * 100_000, "cannot read reviews: its JSON is nested too deeply"),
])
def test_what_github_never_sends_is_one_printable_line(text: str, expected: str) -> None:
    with pytest.raises(FatalError) as raised:
        parse_reviews(text)
    message = raised.value.message
    assert expected in message and "\n" not in message and len(message) < 500
    assert not any(ord(c) < 0x20 for c in message)


def test_a_deleted_accounts_review_is_ignored() -> None:
    assert parse_reviews(json.dumps([item(login=None), item()])) == [
        Review("ann", APPROVED, "2026-11-20T09:00:00Z", HEAD)]


def test_commit_ids_compare_whatever_their_case() -> None:
    given = parse_reviews(json.dumps([item(commit=HEAD.upper())]))
    assert opinions(given, (), None, HEAD, keep_on_push=False)["ann"].counts
    assert opinions(given, (), None, HEAD.upper(), keep_on_push=False)["ann"].counts


def test_logins_are_normalised_and_the_author_never_counts() -> None:
    given = parse_reviews(json.dumps([item(login="JWeber")]))
    for author in ("@jweber", " jweber ", "JWEBER"):
        standing = opinions(given, ("@jweber",), author, HEAD, keep_on_push=False)
        assert list(standing) == ["jweber"]
        assert (standing["jweber"].counts, standing["jweber"].why_not) == (False, "author")
    assert opinions([], (" @Kim ", ""), None, HEAD, False)["kim"].login == "Kim"


def test_approved_by_is_that_logins_latest_review() -> None:
    later = parse_reviews(json.dumps([item(login="kim", state=CHANGES_REQUESTED,
                                           submitted="2030-01-01T00:00:00Z")]))
    standing = opinions(later, ("kim",), None, HEAD, keep_on_push=False)
    assert (standing["kim"].state, standing["kim"].counts) == (APPROVED, True)
