"""Ticket files, read as a hostile user would write them: every physical line is judged
or skipped with its number, byte-order marks and far-off years are handled, and the exit
status says when nothing (or, with --strict, not everything) could be judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import strategies as st

from tests.helpers import DATA, ROOT, budgets, run_property
from tests.sla.test_commands import GENERIC, _replay, _row, _servicenow


def _skipped(out: str) -> list[tuple[int, str]]:
    return [(s["line"], s["reason"]) for s in json.loads(out)["skipped"]]


def test_a_byte_order_mark_is_accepted(run, tmp_path: Path) -> None:
    code, out, _ = _replay(run, tmp_path, "\ufeff" + GENERIC, "--format", "json")
    assert code == 0 and json.loads(out)["results"]


def test_a_stray_quote_loses_no_other_line(run, tmp_path: Path) -> None:
    lines = GENERIC.splitlines()
    text = "\n".join([lines[0], lines[1], 'T90,P1,"2026-11-20T09:00:00-05:00,,,gold,,',
                      lines[2], lines[7]]) + "\n"
    code, out, _ = _replay(run, tmp_path, text, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert _skipped(out) == [(3, "a quoted field does not end on its line (fields cannot "
                                 "span lines)")]
    assert sum(r["tickets"] for r in data["results"]) == 3


def test_every_line_of_a_servicenow_export_with_a_stray_quote_is_accounted_for(
        run, tmp_path: Path) -> None:
    rows = [_row("INC1", "New", "1/3/2016 09:00"),
            _row("INC1", "Resolved", "1/3/2016 10:00", resolved="1/3/2016 10:00"),
            '"' + _row("INC2", "New", "1/3/2016 09:00"),
            *[_row(f"INC{n}", "Resolved", "2/3/2016 10:00", opened="2/3/2016 09:00",
                   resolved="2/3/2016 10:00") for n in range(3, 40)]]
    tickets = tmp_path / "sn.csv"
    tickets.write_text(_servicenow(rows))
    code, out, _ = run("--repo", str(ROOT), "sla", "replay", "--from", "servicenow",
                       str(tickets), "--sla", "gold", "--timezone", "UTC", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert sum(r["tickets"] for r in data["results"]) == 38
    assert [line for line, _ in _skipped(out)] == [4]


@pytest.mark.parametrize("opened", ["9999-12-31T23:59:00Z", "0001-01-01T00:00:00Z"])
def test_far_off_years_are_a_skipped_row_and_a_clear_option_error(
        opened: str, run, tmp_path: Path) -> None:
    text = GENERIC.splitlines()[0] + "\n" + f"T1,P1,{opened},,,gold,,\n" + \
        GENERIC.splitlines()[1] + "\n"
    code, out, _ = _replay(run, tmp_path, text, "--format", "json")
    assert code == 0
    assert _skipped(out) == [(2, f"unparseable opened time '{opened}' (outside the supported "
                                 "years 1900-9000)")]
    code, _, err = run("--repo", str(ROOT), "sla", "due", "gold", "P1", "--opened", opened)
    assert code == 2 and "internal error" not in err
    assert "outside the supported years 1900-9000" in err


def test_exit_status_when_nothing_or_not_everything_could_be_judged(
        run, tmp_path: Path) -> None:
    header = GENERIC.splitlines()[0]
    code, _, _ = _replay(run, tmp_path, header + "\nT1,P1,bad,,,gold,,\n")
    assert code == 1  # rows, and none judged
    code, _, _ = _replay(run, tmp_path, header + "\n")
    assert code == 0  # no rows at all
    assert _replay(run, tmp_path, GENERIC)[0] == 0
    assert _replay(run, tmp_path, GENERIC, "--strict")[0] == 1


def test_skip_reasons_quote_at_most_80_characters(run, tmp_path: Path) -> None:
    header = GENERIC.splitlines()[0]
    _code, out, _ = _replay(run, tmp_path, header + "\nT1,P1," + "x" * 500 + ",,,gold,,\n"
                           + GENERIC.splitlines()[1] + "\n", "--format", "json")
    [(_line, reason)] = _skipped(out)
    assert reason == "unparseable opened time '" + "x" * 80 + "…'"


def test_the_servicenow_sample_excerpt_still_replays(run) -> None:
    code, out, _ = run("--repo", str(ROOT), "sla", "replay", "--from", "servicenow",
                       str(DATA / "servicenow-incident-events-excerpt.csv"), "--sla", "gold",
                       "--timezone", "UTC", "--format", "json")
    assert code == 0 and json.loads(out)["skipped"] == []


def _lines_are_every_physical_line(lines: list[str], final_newline: bool, chunk: int) -> None:
    import tempfile

    from itsmctl.sla.tickets import records

    data = ("\n".join(lines) + ("\n" if final_newline and lines else "")).encode()
    expected, offset = [], 0
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    for number, raw in enumerate(parts, 1):
        text = raw.decode().removesuffix("\r")
        long = len(raw) > 20
        expected.append((number, offset, None if long else text,
                         "the line is longer than 0 KiB" if long else None))
        offset += len(raw) + 1
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(data)
        handle.flush()
        saved = records.CHUNK, records.MAX_LINE
        records.CHUNK, records.MAX_LINE = chunk, 20
        try:
            file = records.LineFile(Path(handle.name))
            assert list(file.lines()) == expected
            for _number, at, text, _problem in expected:
                if text is not None:
                    assert file.line_at(at) == text
            file.close()
        finally:
            records.CHUNK, records.MAX_LINE = saved


@budgets(quick=150, full=2000)
def test_lines_are_every_physical_line_whatever_the_chunks(examples: int) -> None:
    run_property(examples, _lines_are_every_physical_line,
                 st.lists(st.sampled_from(["", "a", "abcde", "x" * 19, "x" * 20, "x" * 21,
                                           "é" * 12, "a,b\r"]), max_size=10),
                 st.booleans(), st.integers(1, 9))


@budgets(300, 5000)
def test_the_short_way_to_read_a_time_reads_it_as_the_long_way_does(examples: int) -> None:
    """A generic file's times take a short way when they are the usual ISO 8601 with an
    offset well inside the years computed with: any time, with any offset, near those
    years' ends or not, reads the same as through `to_instant` (or is refused alike)."""
    import datetime as dt

    from itsmctl.sla.tickets.generic import _instant
    from itsmctl.timecalc import timezone, to_instant

    tz = timezone("Europe/Berlin")

    def body(moment: dt.datetime, offset_minutes: int, spaced: bool) -> None:
        zone = dt.timezone(dt.timedelta(minutes=offset_minutes))
        text = moment.replace(tzinfo=zone).isoformat()
        text = f" {text} " if spaced else text
        try:
            expected: float | str = to_instant(text.strip(), tz)
        except ValueError:
            expected = "refused"
        try:
            got: float | str | None = _instant(text, tz, "opened")
        except ValueError:
            got = "refused"
        assert got == expected, text

    new_years = [dt.datetime(year, 1, 1) for year in (1900, 1901, 9000, 9001)]
    near_ends = st.builds(lambda day, minutes: day + dt.timedelta(minutes=minutes),
                          st.sampled_from(new_years), st.integers(-2 * 1440, 2 * 1440))
    run_property(examples, body, st.one_of(near_ends, st.datetimes()),
                 st.integers(-23 * 60 - 59, 23 * 60 + 59), st.booleans())
