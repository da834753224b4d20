"""Maintenance windows' rules: valid RFC 5545 is read (UNTIL in UTC included), a rule with
no occurrence in the coming year is an error, and messages speak of the rule."""

from __future__ import annotations

import pytest

from tests.helpers import NOW


def _check(run, make_repo, rrule: str) -> tuple[int, list[str]]:
    repo = make_repo()
    base = repo / "catalog" / "base.yaml"
    base.write_text(base.read_text().replace('rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"',
                                             f'rrule: "{rrule}"'))
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW)
    return code, [line for line in out.splitlines() if "[rrule-invalid]" in line]


def test_until_in_utc_is_valid(run, make_repo) -> None:
    assert _check(run, make_repo, "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;UNTIL=20301231T000000Z") == \
        (0, [])


@pytest.mark.parametrize("rrule", ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
                                   "FREQ=WEEKLY;COUNT=0",
                                   "FREQ=WEEKLY;BYDAY=SU;UNTIL=20200101T000000Z"])
def test_a_rule_that_never_occurs_is_an_error(rrule: str, run, make_repo) -> None:
    code, lines = _check(run, make_repo, rrule)
    assert code == 1
    assert lines == [f"catalog/base.yaml:101:40: error: the rule '{rrule}' has no occurrence "
                     "in the year from 2026-11-21 (a date that does not exist, COUNT=0, an "
                     "UNTIL in the past?) [rrule-invalid]"]


@pytest.mark.parametrize(("rrule", "message"), [
    ("garbage", "'garbage' is not a NAME=VALUE part"),
    ("FREQ=WEEKLY;BYDAYS=SU", "unknown part 'BYDAYS' (did you mean 'BYDAY'?)"),
    ("BYDAY=SU", "a rule has exactly one FREQ"),
    ("FREQ=WEEKLY;BYHOUR=25", "a value is not what RFC 5545 allows there (hour must be in "
                              "0..23)"),
])
def test_messages_speak_of_the_rule(rrule: str, message: str, run, make_repo) -> None:
    code, lines = _check(run, make_repo, rrule)
    assert code == 1 and len(lines) == 1 and f"rrule does not parse: {message}" in lines[0]
    assert "unpack" not in lines[0]
