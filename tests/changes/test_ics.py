"""The iCalendar writer (RFC 5545): folding, escaping, date-times, events read back."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsmctl.changes.ics import Event, date_time, escape, exact_duration, fold, write_calendar
from tests.helpers import budgets

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
STAMP = dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc)


@budgets(quick=200, full=5000)
def test_folding_keeps_lines_within_75_octets_and_unfolds_to_the_line(examples: int) -> None:
    @settings(max_examples=examples, deadline=None)
    @given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=400))
    def check(text: str) -> None:
        folded = fold("SUMMARY:" + text)
        assert folded.endswith("\r\n")
        physical = folded[:-2].split("\r\n")
        assert all(len(line.encode()) <= 75 for line in physical)
        assert all(line.startswith(" ") for line in physical[1:])
        assert "".join([physical[0], *(line[1:] for line in physical[1:])]) == "SUMMARY:" + text

    check()


@budgets(quick=100, full=2000)
def test_text_reads_back_as_written(examples: int) -> None:
    @settings(max_examples=examples, deadline=None)
    @given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.just("\n"),
                   min_size=1, max_size=200))
    def check(text: str) -> None:
        event = Event("x@test", text, dt.datetime(2026, 12, 6, 2, tzinfo=BERLIN),
                      dt.datetime(2026, 12, 6, 3, tzinfo=BERLIN), description=text)
        [parsed] = icalendar.Calendar.from_ical(
            write_calendar([event], name="t", stamp=STAMP)).walk("VEVENT")
        assert str(parsed["SUMMARY"]) == text == str(parsed["DESCRIPTION"])

    check()


def test_escape() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_date_times_are_local_with_tzid_in_utc_or_whole_days() -> None:
    assert date_time("DTSTART", dt.datetime(2026, 12, 6, 2, tzinfo=BERLIN)) == \
        "DTSTART;TZID=Europe/Berlin:20261206T020000"
    assert date_time("DTSTART", dt.datetime(2026, 12, 6, 2, tzinfo=dt.timezone.utc)) == \
        "DTSTART:20261206T020000Z"
    assert date_time("DTEND", dt.datetime(2026, 12, 6, 2, tzinfo=dt.timezone(
        dt.timedelta(hours=1)))) == "DTEND:20261206T010000Z"
    assert date_time("DTSTART", dt.date(2026, 12, 6)) == "DTSTART;VALUE=DATE:20261206"
    # The second 02:30 of the fall-back night: a TZID time would mean the first.
    second = dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)
    assert date_time("DTSTART", second) == "DTSTART:20261025T013000Z"
    first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    assert date_time("DTSTART", first) == "DTSTART;TZID=Europe/Berlin:20261025T023000"


def test_durations_are_exact() -> None:
    assert exact_duration(dt.timedelta(days=1, minutes=30)) == "PT24H30M"
    assert exact_duration(dt.timedelta()) == "PT0S"


def test_events_that_cannot_be_written() -> None:
    start = dt.datetime(2026, 12, 6, 2, tzinfo=BERLIN)
    with pytest.raises(ValueError, match="give an end or a duration"):
        Event("x", "x", start)
    with pytest.raises(ValueError, match="status DONE"):
        Event("x", "x", start, start, status="DONE")
    with pytest.raises(ValueError, match="has no timezone"):
        Event("x", "x", dt.datetime(2026, 12, 6), start)


def test_one_vtimezone_per_zone_and_none_for_utc() -> None:
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    events = [Event("a", "a", dt.datetime(2026, 12, 6, 2, tzinfo=BERLIN),
                    dt.datetime(2026, 12, 6, 3, tzinfo=BERLIN)),
              Event("b", "b", dt.datetime(2026, 12, 6, 2, tzinfo=tokyo),
                    dt.datetime(2026, 12, 6, 3, tzinfo=tokyo)),
              Event("c", "c", dt.datetime(2026, 12, 6, 2, tzinfo=dt.timezone.utc),
                    dt.datetime(2026, 12, 6, 3, tzinfo=dt.timezone.utc))]
    cal = icalendar.Calendar.from_ical(write_calendar(events, name="t", stamp=STAMP))
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Asia/Tokyo", "Europe/Berlin"]
    decoded = [e.decoded("DTSTART") for e in cal.walk("VEVENT")]
    assert [d.timestamp() for d in decoded] == [e.start.timestamp() for e in events
                                                if isinstance(e.start, dt.datetime)]
