"""`build --target ical`: valid iCalendar parsed back with the `icalendar` package, stable
UIDs, a VTIMEZONE per timezone, recurring windows as one RRULE, byte-identical rebuilds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from tests.helpers import NOW, ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from itsmctl.cli.common import parse_now
    from itsmctl.targets import build

    out = tmp_path_factory.mktemp("ical")
    assert build(ROOT, ("ical",), out, now=parse_now(NOW)).exit_code == 0
    again = tmp_path_factory.mktemp("again")
    build(ROOT, ("ical",), again, now=parse_now(NOW + "T18:30:00Z"))
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.ics")}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*.ics")}
    assert first == second  # the same day: the same bytes
    return out / "ical"


def parse(path: Path) -> icalendar.Calendar:
    data = path.read_bytes()
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))
    return icalendar.Calendar.from_ical(data)


def test_files(built: Path) -> None:
    assert sorted(str(p.relative_to(built)) for p in built.rglob("*.ics")) == [
        "calendar.ics", "changes.ics", "freezes.ics", "windows/monthly-patch.ics",
        "windows/sunday-early.ics", "windows/weekday-evening.ics"]


def test_a_window_is_one_recurring_event_in_its_timezone(built: Path) -> None:
    calendar = parse(built / "windows" / "weekday-evening.ics")
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == "maintenancewindow-weekday-evening@itsmctl"
    assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["BYDAY"] == ["TU", "TH"]
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Berlin"
    assert (start.year, start.month, start.day, start.hour) == (2026, 11, 24, 20)
    assert event.decoded("DURATION") == dt.timedelta(hours=2)
    zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Berlin"]


def test_changes_and_freezes(built: Path) -> None:
    changes = parse(built / "changes.ics").walk("VEVENT")
    uids = sorted(str(e["UID"]) for e in changes)
    assert all(u.startswith("changerequest-") and u.endswith("@itsmctl") for u in uids)
    statuses = {str(e["UID"]).split("@")[0]: str(e["STATUS"]) for e in changes}
    assert "TENTATIVE" in statuses.values() or "CONFIRMED" in statuses.values()
    freezes = parse(built / "freezes.ics").walk("VEVENT")
    assert [str(e["UID"]) for e in freezes] == ["changefreeze-year-end-2026@itsmctl"]
    assert freezes[0].decoded("DTSTART").date() == dt.date(2026, 12, 18)
    everything = parse(built / "calendar.ics").walk("VEVENT")
    assert len(everything) == len(changes) + len(freezes) + 3
