"""Periods and recurrences (docs/changes.md): maintenance-window occurrences across
daylight-saving changes by hand, and against a naive oracle on generated rules; whole
days; timezone transitions; a rule restated for iCalendar."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl.timecalc import (
    RRULE_ANCHOR,
    Recurrence,
    format_duration,
    overlaps,
    parse_duration,
    parse_rrule,
    period,
    transitions,
    within,
)
from tests.helpers import budgets

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
HOUR = 3600.0


def at(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def show(interval: tuple[float, float], tz: dt.tzinfo = BERLIN) -> tuple[str, str]:
    return (dt.datetime.fromtimestamp(interval[0], tz).isoformat(),
            dt.datetime.fromtimestamp(interval[1], tz).isoformat())


SUNDAY = Recurrence("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", "Europe/Berlin", 4 * HOUR)


def test_a_sunday_window_on_the_spring_forward_day_starts_when_0200_plus_0100_is() -> None:
    # 2027-03-28: clocks go 02:00 -> 03:00. 02:00 does not exist; like the SLA clock (and
    # zoneinfo, and RFC 5545), it is read with the offset in force before the change:
    # 02:00+01:00, the instant shown as 03:00+02:00. The window lasts 4 real hours.
    found = list(SUNDAY.occurrences(at("2027-03-27T00:00:00+01:00"),
                                    at("2027-03-29T00:00:00+02:00")))
    assert [show(o) for o in found] == [("2027-03-28T03:00:00+02:00", "2027-03-28T07:00:00+02:00")]


def test_a_sunday_window_on_the_fall_back_day_starts_at_the_first_0200() -> None:
    # 2026-10-25: 03:00 -> 02:00; 02:00 happens twice: the first (+02:00) is the start.
    [found] = SUNDAY.occurrences(at("2026-10-24T00:00:00+02:00"), at("2026-10-26T00:00:00+01:00"))
    assert show(found) == ("2026-10-25T02:00:00+02:00", "2026-10-25T05:00:00+01:00")
    assert found[1] - found[0] == 4 * HOUR


def test_hourly_starts_that_a_change_merges_are_one_occurrence() -> None:
    hourly = Recurrence("FREQ=HOURLY", "Europe/Berlin", HOUR)
    found = list(hourly.occurrences(at("2027-03-28T00:00:00+01:00"),
                                    at("2027-03-28T05:00:00+02:00")))
    starts = [show(o)[0][11:] for o in found]
    assert starts == ["00:00:00+01:00", "01:00:00+01:00", "03:00:00+02:00", "04:00:00+02:00"]


def test_containing_is_half_open_and_whole() -> None:
    occurrence = (at("2026-12-06T02:00:00+01:00"), at("2026-12-06T06:00:00+01:00"))
    assert SUNDAY.containing(*occurrence) == occurrence
    assert SUNDAY.containing(at("2026-12-06T05:00:00+01:00"), occurrence[1]) == occurrence
    assert SUNDAY.containing(at("2026-12-06T05:00:00+01:00"),
                             at("2026-12-06T06:00:01+01:00")) is None
    assert SUNDAY.containing(at("2026-12-06T01:59:00+01:00"), occurrence[1]) is None


def test_upcoming_and_the_first_start() -> None:
    after = at("2026-12-06T03:00:00+01:00")
    first = next(SUNDAY.upcoming(after))
    assert show(first)[0] == "2026-12-06T02:00:00+01:00"  # still running at `after`
    assert SUNDAY.first_local_start(after) == dt.datetime(2026, 12, 13, 2, tzinfo=BERLIN)
    ended = Recurrence("FREQ=DAILY;UNTIL=20261201T000000Z", "UTC", HOUR)
    assert ended.first_local_start(after) is None
    assert list(ended.upcoming(after)) == []


def test_until_in_utc_is_read_as_the_local_time_it_is() -> None:
    rule = parse_rrule("FREQ=DAILY;BYHOUR=0;UNTIL=20270101T000000Z", "Europe/Berlin")
    assert rule._until == dt.datetime(2027, 1, 1, 1, 0)  # midnight UTC is 01:00 in Berlin


def test_rules_without_dtstart_count_from_the_anchor_and_with_one_from_it() -> None:
    assert parse_rrule("FREQ=WEEKLY")._dtstart == RRULE_ANCHOR
    fortnightly = Recurrence("DTSTART:20261206T020000\nRRULE:FREQ=WEEKLY;INTERVAL=2",
                             "Europe/Berlin", HOUR)
    starts = [show(o)[0][:10] for o in fortnightly.occurrences(
        at("2027-01-01T00:00:00+01:00"), at("2027-02-01T00:00:00+01:00"))]
    assert starts == ["2027-01-03", "2027-01-17", "2027-01-31"]


@pytest.mark.parametrize(("rule", "problem"), [
    ("", "the rule is empty"),
    ("FREQ=FORTNIGHTLY", "invalid 'FREQ': FORTNIGHTLY"),
    ("FREQ=MINUTELY", "FREQ=MINUTELY: a window recurs at most hourly"),
    ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be 1 or more"),
    ("FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z", "a rule has COUNT or UNTIL, not both"),
    ("RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", "give one RRULE"),
    ("EXDATE:20260101T000000\nRRULE:FREQ=DAILY", "give one RRULE"),
    ("FREQ", "'FREQ' is not a NAME=VALUE part"),
])
def test_rules_that_cannot_be_windows_say_why(rule: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("(", r"\(")):
        parse_rrule(rule, "Europe/Berlin")


def test_a_period_of_dates_is_whole_local_days_and_half_open() -> None:
    freeze = period("2026-12-18", "2027-01-04", "Europe/Berlin")
    assert show(freeze) == ("2026-12-18T00:00:00+01:00", "2027-01-05T00:00:00+01:00")
    one_day = period("2026-03-29", "2026-03-29", "Europe/Berlin")
    assert one_day[1] - one_day[0] == 23 * HOUR  # the spring-forward day is 23 hours long
    change = period("2026-12-17T23:00:00+01:00", "2026-12-18T00:00:00+01:00", "UTC")
    assert not overlaps(change, freeze) and overlaps((change[0], change[1] + 1), freeze)
    assert within(change, (change[0], freeze[0]))


@pytest.mark.parametrize(("text", "shown"), [
    ("15m", "15m"), ("1h30m", "1h30m"), ("2d", "2d"), ("1w", "7d"), ("1d4h", "1d4h")])
def test_format_duration_is_parse_durations_inverse(text: str, shown: str) -> None:
    assert format_duration(parse_duration(text).total_seconds()) == shown


def test_transitions_of_berlin_and_a_zone_without_any() -> None:
    found = transitions("Europe/Berlin", at("2026-01-01T00:00:00+00:00"),
                        at("2027-01-01T00:00:00+00:00"))
    assert [(show((t.instant, t.instant), dt.timezone.utc)[0], t.name_after, t.dst_after)
            for t in found] == [("2026-03-29T01:00:00+00:00", "CEST", True),
                                ("2026-10-25T01:00:00+00:00", "CET", False)]
    assert transitions("Asia/Kolkata", at("2026-01-01T00:00:00+00:00"),
                       at("2030-01-01T00:00:00+00:00")) == []


# --- against a naive oracle -----------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago",
         "Asia/Kolkata", "UTC"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
FREQS = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"]


@st.composite
def rules(draw: st.DrawFn) -> tuple[str, str, float]:
    freq = draw(st.sampled_from(FREQS))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(2, 5))}")
    if freq in ("WEEKLY", "MONTHLY", "YEARLY") and draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        prefix = draw(st.sampled_from(["", "+1", "+2", "-1"])) if freq == "MONTHLY" else ""
        parts.append("BYDAY=" + ",".join(prefix + d for d in days))
    elif freq == "MONTHLY" and draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.integers(1, 31))}")
    if freq != "HOURLY" and draw(st.booleans()):
        parts.append(f"BYHOUR={draw(st.integers(0, 23))}")
    if draw(st.booleans()):
        parts.append(f"BYMINUTE={draw(st.sampled_from([0, 15, 30, 45]))}")
    ending = draw(st.sampled_from(["", "count", "until"]))
    if ending == "count":
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    elif ending == "until":
        parts.append(f"UNTIL={draw(st.integers(2024, 2031))}0601T000000")
    text = ";".join(parts)
    if freq in ("DAILY", "HOURLY") or draw(st.booleans()):  # keeps the oracle's walk short
        start = dt.datetime(draw(st.integers(2023, 2026)), draw(st.integers(1, 12)),
                            draw(st.integers(1, 28)), draw(st.integers(0, 23)))
        text = f"DTSTART:{start:%Y%m%dT%H%M%S}\nRRULE:{text}"
    return text, draw(st.sampled_from(ZONES)), draw(st.sampled_from([900, 3600, 4 * 3600,
                                                                     86400, 3 * 86400]))


def oracle(rule: str, tz: str, duration: float, start: float, end: float
           ) -> list[tuple[float, float]]:
    """Every start from the rule's own DTSTART (no shortcut), kept when it overlaps."""
    zone = zoneinfo.ZoneInfo(tz)
    parsed = rrulestr(rule, dtstart=RRULE_ANCHOR)
    limit = dt.datetime.fromtimestamp(end, zone).replace(tzinfo=None) + dt.timedelta(days=2)
    out: list[tuple[float, float]] = []
    for local in parsed:
        if local > limit:
            break
        begin = local.replace(tzinfo=zone).timestamp()
        if out and out[-1][0] == begin:
            continue
        if begin < end and begin + duration > start:
            out.append((begin, begin + duration))
    return out


instants = st.integers(int(at("2024-01-01T00:00:00+00:00")), int(at("2030-12-31T00:00:00+00:00")))


@budgets(quick=30, full=800)
def test_occurrences_agree_with_the_naive_oracle(examples: int) -> None:
    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(rules(), instants, st.integers(3600, 45 * 86400))
    def check(rule: tuple[str, str, float], start: int, length: int) -> None:
        text, tz, duration = rule
        recurrence = Recurrence(text, tz, duration)
        expected = oracle(text, tz, duration, start, start + length)
        assert list(recurrence.occurrences(start, start + length)) == expected
        inner = (start + length / 3, start + length / 2)
        holding = [o for o in expected if within(inner, o)]
        assert recurrence.containing(*inner) == (holding[0] if holding else None)

    check()


@budgets(quick=30, full=600)
def test_a_restated_rule_expands_to_the_same_occurrences(examples: int) -> None:
    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(rules(), instants)
    def check(rule: tuple[str, str, float], after: int) -> None:
        text, tz, duration = rule
        recurrence = Recurrence(text, tz, duration)
        series = recurrence.series(after)
        horizon = after + 120 * 86400
        expected = [o for o in recurrence.occurrences(after, horizon) if o[0] >= after]
        if series is None:
            assert expected == []
            return
        first, value = series
        restated = rrulestr(value, dtstart=first)  # as a calendar client reads DTSTART+RRULE
        got = []
        for local in restated:
            begin = local.timestamp()
            if begin >= horizon:
                break
            if not got or got[-1][0] != begin:
                got.append((begin, begin + duration))
        assert [o for o in got if o[0] < horizon] == expected

    check()


@budgets(quick=20, full=300)
def test_transitions_are_where_the_offset_changes(examples: int) -> None:
    @settings(max_examples=examples, deadline=None)
    @given(st.sampled_from(ZONES), instants, st.integers(86400, 3 * 366 * 86400))
    def check(tz: str, start: int, length: int) -> None:
        zone = zoneinfo.ZoneInfo(tz)

        def offset(instant: float) -> dt.timedelta | None:
            return dt.datetime.fromtimestamp(instant, zone).utcoffset()

        found = transitions(tz, start, start + length)
        edges = [float(start), *(t.instant for t in found), float(start + length)]
        for change in found:
            assert offset(change.instant - 1) == change.offset_before
            assert offset(change.instant) == change.offset_after != change.offset_before
        for begin, end in itertools.pairwise(edges):  # constant in between
            probes = [begin + (end - begin) * k / 8 for k in range(8)]
            assert len({offset(p) for p in probes}) == 1

    check()
