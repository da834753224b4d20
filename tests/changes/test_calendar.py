"""`itsmctl changes calendar`: one timeline of change requests, window occurrences and
freezes; the .ics read back with the `icalendar` package (valid, stable UIDs, DTSTART with
TZID and its VTIMEZONE, across a daylight-saving change); goldens
(UPDATE_GOLDEN=1 pytest tests/changes)."""

from __future__ import annotations

import datetime as dt
import json
import os
import zoneinfo
from pathlib import Path

import icalendar
import pytest

from itsmctl.changes.calendar import window_series
from itsmctl.changes.ics import write_calendar
from itsmctl.model.typed import MaintenanceWindow
from tests.changes.helpers import example_repo, read
from tests.helpers import GOLDEN, NOW, ROOT

DECEMBER = ("--now", NOW, "--from", "2026-12-01", "--to", "2026-12-20")
SUFFIX = {"markdown": "md", "ics": "ics", "json": "json"}


def calendar(run, *args: str) -> str:
    code, out, err = run("--repo", str(ROOT), "changes", "calendar", *args)
    assert (code, err) == (0, "")
    return out


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_golden(run, fmt: str) -> None:
    out = calendar(run, *DECEMBER, "--format", fmt)
    golden = GOLDEN / f"changes-calendar.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(out.encode())
    assert out == golden.read_bytes().decode()


def test_one_timeline_in_order(run) -> None:
    data = json.loads(calendar(run, *DECEMBER, "--format", "json"))
    entries = data["entries"]
    assert (data["from"], data["to"]) == ("2026-12-01T00:00:00+00:00", "2026-12-21T00:00:00+00:00")
    starts = [dt.datetime.fromisoformat(e["start"]) for e in entries]
    assert starts == sorted(starts)
    kinds = {e["kind"] for e in entries}
    assert kinds == {"ChangeRequest", "MaintenanceWindow", "ChangeFreeze"}
    [chg] = [e for e in entries if e["kind"] == "ChangeRequest"]
    assert (chg["name"], chg["outcome"], chg["start"]) == (
        "chg-2026-0142", "pre-approved", "2026-12-06T02:00:00+01:00")
    [freeze] = [e for e in entries if e["kind"] == "ChangeFreeze"]
    assert (freeze["start"], freeze["end"]) == ("2026-12-18T00:00:00+01:00",
                                                "2027-01-05T00:00:00+01:00")
    assert "erp" in freeze["services"] and "printing" not in freeze["services"]


def _events(text: str) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(text)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_ics_is_valid_and_says_what_the_json_says(run) -> None:
    text = calendar(run, *DECEMBER, "--format", "ics")
    assert "\r\n" in text and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = icalendar.Calendar.from_ical(text)
    assert (str(cal["VERSION"]), str(cal["METHOD"])) == ("2.0", "PUBLISH")
    zones = {str(z["TZID"]): z for z in cal.walk("VTIMEZONE")}
    assert set(zones) == {"Europe/Berlin"}
    entries = json.loads(calendar(run, *DECEMBER, "--format", "json"))["entries"]
    events = _events(text)
    assert len(events) == len(entries)  # UIDs are unique
    for entry in entries:
        event = events[entry["uid"]]
        for key in ("DTSTART", "DTEND"):
            assert event[key].params["TZID"] == entry["timezone"] == "Europe/Berlin"
            assert event.decoded(key) == dt.datetime.fromisoformat(
                entry["start" if key == "DTSTART" else "end"])
        assert event.decoded("DTSTAMP") == dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc)
    chg = events["changerequest-chg-2026-0142@itsmctl"]
    assert (str(chg["STATUS"]), str(chg["TRANSP"])) == ("CONFIRMED", "OPAQUE")
    assert "pre-approved" in str(chg["DESCRIPTION"])


def test_uids_are_stable_and_output_byte_identical(run) -> None:
    first = calendar(run, *DECEMBER, "--format", "ics")
    assert calendar(run, *DECEMBER, "--format", "ics") == first
    later = calendar(run, "--now", NOW, "--from", "2026-12-10", "--to", "2027-01-31",
                     "--format", "ics")
    shared = set(_events(first)) & set(_events(later))
    assert "maintenancewindow-sunday-early-20261213T020000@itsmctl" in shared
    assert "changefreeze-year-end-2026@itsmctl" in shared


def test_across_spring_forward_the_vtimezone_says_when(run) -> None:
    text = calendar(run, "--now", NOW, "--from", "2027-03-20", "--to", "2027-04-05",
                    "--format", "ics")
    events = _events(text)
    sunday = events["maintenancewindow-sunday-early-20270328T030000@itsmctl"]
    assert "DTSTART;TZID=Europe/Berlin:20270328T030000" in text
    assert "DTEND;TZID=Europe/Berlin:20270328T070000" in text  # four real hours
    assert (sunday.decoded("DTEND").timestamp() - sunday.decoded("DTSTART").timestamp()
            ) == 4 * 3600
    [vtimezone] = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    tz = vtimezone.to_tz()  # the VTIMEZONE itself, not the system's zone of that name
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    for day in range(19, 40):
        moment = dt.datetime(2027, 3, 1, 12) + dt.timedelta(days=day)
        assert tz.utcoffset(moment) == moment.replace(tzinfo=berlin).utcoffset()


def test_markdown_has_one_row_per_entry(run) -> None:
    out = calendar(run, *DECEMBER)
    rows = [line for line in out.splitlines() if line.startswith("| 2026")]
    entries = json.loads(calendar(run, *DECEMBER, "--format", "json"))["entries"]
    assert len(rows) == len(entries)
    assert "| change | chg-2026-0142: Open HTTPS" in out and "**pre-approved**" in out


def test_output_file_and_defaults(run, tmp_path: Path) -> None:
    target = tmp_path / "public" / "changes.ics"
    code, out, _ = run("--repo", str(ROOT), "changes", "calendar", "--now", NOW, "--format",
                       "ics", "--output", str(target))
    assert (code, out) == (0, "")
    events = _events(target.read_text())
    starts = [e.decoded("DTSTART") for e in events.values()]
    assert min(starts) >= dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
    assert max(starts) < dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc) + dt.timedelta(90)


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-12-10", "--to", "2026-12-01"], "--to (2026-12-01) is not after --from"),
    (["--from", "2026-01-01", "--to", "2030-01-01"], "the calendar spans more than 1098 days"),
    (["--from", "soon"], "--from: 'soon' is not a date (YYYY-MM-DD) or an ISO 8601 date-time"),
])
def test_ranges_that_cannot_be_drawn_exit_2(run, args: list[str], message: str) -> None:
    code, out, err = run("--repo", str(ROOT), "changes", "calendar", "--now", NOW, *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"itsmctl: error: {message}")


def test_a_window_as_one_recurring_event_for_calendars_that_expand_rules() -> None:
    catalog = read(ROOT).catalog
    window = catalog.typed(MaintenanceWindow)["sunday-early"]
    after = dt.datetime(2027, 3, 20, tzinfo=dt.timezone.utc).timestamp()
    event = window_series(window, after, ("firewall",))
    assert event is not None
    text = write_calendar([event], name="Windows", stamp=NOW_STAMP,
                          zones_until=dt.datetime(2029, 1, 1, tzinfo=dt.timezone.utc))
    [parsed] = _events(text).values()
    assert str(parsed["UID"]) == "maintenancewindow-sunday-early@itsmctl"
    assert parsed.decoded("DTSTART") == dt.datetime(2027, 3, 21, 2,
                                                    tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    assert dict(parsed["RRULE"]) == {"FREQ": ["WEEKLY"], "BYDAY": ["SU"], "BYHOUR": [2],
                                     "BYMINUTE": [0]}
    assert parsed.decoded("DURATION") == dt.timedelta(hours=4)
    [vtimezone] = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    assert len(vtimezone.subcomponents) == 1 + 2 * 2  # 2027 and 2028 each change twice


NOW_STAMP = dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc)


def test_a_change_request_whose_period_cannot_be_read_does_not_vanish(run, make_repo) -> None:
    """It cannot be placed in time: every format still names it (stderr: the .ics has no
    place to), with the problem `check` reports; the exit code stays 0."""
    text = (ROOT / "changes/CHG-2026-0142.yaml").read_text().replace(
        'start: "2026-12-06T02:00:00+01:00"', 'start: "2026-13-45"')
    repo = example_repo(make_repo, {"changes/CHG-2026-0142.yaml": text})
    problem = ("changes/CHG-2026-0142.yaml:11:10: error: start: month must be in 1..12 "
               "[time-order]")
    warning = (f"warning: change request chg-2026-0142 is not in the calendar: its period "
               f"cannot be read ({problem})\n")
    outputs = {}
    for fmt in SUFFIX:
        code, out, err = run("--repo", str(repo), "changes", "calendar", *DECEMBER,
                             "--format", fmt)
        assert (code, err) == (0, warning), fmt
        outputs[fmt] = out
    markdown = outputs["markdown"].splitlines()
    assert markdown[2].endswith(": 0 change requests, 10 window occurrences, 1 freeze.")
    assert markdown[4].startswith("Not placed in time: 1 change request whose period")
    assert markdown[6] == ("- chg-2026-0142: Open HTTPS from the new carrier API to transport "
                           f"management (firewall; standard, scheduled, **blocked**): `{problem}`")
    data = json.loads(outputs["json"])
    assert all(e["name"] != "chg-2026-0142" for e in data["entries"])
    [unplaced] = data["unplaced"]
    assert (unplaced["name"], unplaced["outcome"], unplaced["path"]) == (
        "chg-2026-0142", "blocked", "changes/CHG-2026-0142.yaml")
    assert [(p["line"], p["column"], p["rule"]) for p in unplaced["problems"]] == [
        (11, 10, "time-order")]
    assert "chg-2026-0142" not in outputs["ics"]


def test_every_change_request_is_placed_in_the_example(run) -> None:
    assert json.loads(calendar(run, *DECEMBER, "--format", "json"))["unplaced"] == []


def test_catalog_text_in_the_markdown_is_escaped(run, make_repo) -> None:
    """A change request comes from a pull request: its title cannot add HTML, mention
    anyone, format text or break the table."""
    text = (ROOT / "changes/CHG-2026-0142.yaml").read_text().replace(
        "title: Open HTTPS from the new carrier API to transport management",
        'title: "<img src=x> **@klange** | col"')
    repo = example_repo(make_repo, {"changes/CHG-2026-0142.yaml": text})
    code, out, _ = run("--repo", str(repo), "changes", "calendar", *DECEMBER)
    assert code == 0
    [row] = [line for line in out.splitlines() if "chg-2026-0142" in line]
    assert "&lt;img src=x&gt; \\*\\*@\u2060klange\\*\\* \\| col" in row
    assert row.count(" | ") == 5 and "**pre-approved**" in row
