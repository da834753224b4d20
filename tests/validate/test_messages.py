"""What a diagnostic says for mistakes that are easy to make and were once explained badly:
the message names the mistake in the terms the author used."""

from __future__ import annotations

import json

import pytest

from tests.helpers import NOW

CALENDAR = """apiVersion: itsmctl/v1
kind: Calendar
metadata: {{name: extra}}
spec:
  timezone: Europe/Berlin
  hours: {{mon: ["{hours}"]}}
  holidays: [{{date: "{holiday}"}}]
"""


def _messages(run, make_repo, files: dict[str, str]) -> list[str]:
    code, out, _ = run("--repo", str(make_repo(files)), "check", "--now", NOW, "--format",
                       "json")
    assert code == 1
    return [f"{d['line']}:{d['column']} {d['message']} [{d['rule']}]" for d in json.loads(out)
            if not d.get('suppressed')]


@pytest.mark.parametrize(("hours", "holiday", "expected"), [
    ("09:00-09:00", "2026-12-24",
     "6:17 mon: range 09:00-09:00 is empty (it ends where it starts) [calendar-invalid]"),
    ("10:00-09:00", "2026-12-24",
     "6:17 mon: range 10:00-09:00 ends before it starts [calendar-invalid]"),
    ("09:00-17:00", "2026-02-30",
     "7:21 spec.holidays[0].date: '2026-02-30' is not a real date or time "
     "(day is out of range for month) [schema]"),
])
def test_calendar_mistakes(hours: str, holiday: str, expected: str, run, make_repo) -> None:
    files = {"catalog/extra.yaml": CALENDAR.format(hours=hours, holiday=holiday)}
    assert _messages(run, make_repo, files) == [expected]


def test_a_name_yaml_reads_as_a_number_says_so(run, make_repo) -> None:
    files = {"catalog/extra.yaml": "apiVersion: itsmctl/v1\nkind: Team\nmetadata:\n"
                                   "  name: 12\nspec: {}\n"}
    assert _messages(run, make_repo, files) == [
        "4:9 metadata.name: expected a string, got a number (12); YAML reads unquoted 12 as "
        "a number; quote it (\"12\") for text [envelope]"]


@pytest.mark.parametrize(("now", "why"), [
    ("9999-01-01", "is outside the supported years 1900-9000"),
    ("2026-02-30", "is not a real date or time (day is out of range for month)"),
    ("tomorrow", "is not a date (YYYY-MM-DD) or an ISO 8601 date-time"),
])
def test_now_says_what_is_wrong_with_it(now: str, why: str, run, make_repo) -> None:
    code, _, err = run("--repo", str(make_repo()), "check", "--now", now)
    assert (code, err) == (2, f"itsmctl: error: --now: '{now}' {why}\n")
