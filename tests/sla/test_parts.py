"""A ticket file judged in parts, side by side: the same tickets, skipped rows and report
as one process makes, whatever the file holds and wherever it is cut."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import strategies as st

from itsmctl.parallel import can_fork
from itsmctl.sla import replay as replay_module
from itsmctl.sla.tickets import READERS, records
from itsmctl.timecalc import timezone
from tests.helpers import ROOT, budgets, run_property
from tests.sla.test_commands import _row, _servicenow

HEADER = "id,priority,opened,responded,resolved,sla,paused"
ROWS = [
    "T{n},P1,2026-11-20T16:30:00-05:00,2026-11-20T16:40:00-05:00,2026-11-23T11:30:00-05:00,gold,",
    "T{n},P2,2026-11-20T09:00:00Z,,,silver,",
    "T{n},P3,2026-11-21T09:00:00+01:00,2026-11-21T10:00:00+01:00,2026-11-25T09:00:00+01:00,"
    "desk-standard,2026-11-22T08:00:00Z/2026-11-23T09:00:00Z",
    "T{n},P9,2026-11-20T09:00:00Z,,,gold,",
    "T{n},P1,?,,,gold,",
    'T{n},P1,"2026-11-20T09:00:00Z,,,gold,',  # a quote that does not end on its line
    "T{n},P1,2026-11-20T09:00:00Z",  # too few fields
    "",
    "T{n},P2,2026-11-20T09:00:00Z,,,silver,\r",
    "T{n},P1," + "x" * 90 + ",,,gold,",  # longer than the test's MAX_LINE
    "T{n},P1,2026-11-20T09:00:00Z,,,café,",
]


# ServiceNow rows: (incident, state, updated); the incidents' rows together or apart
SN_ROWS = [
    ("INC1", "New", "1/3/2016 09:00"), ("INC1", "Active", "1/3/2016 10:00"),
    ("INC1", "Resolved", "2/3/2016 10:00"), ("INC2", "New", "1/3/2016 11:00"),
    ("INC2", "Awaiting User Info", "1/3/2016 12:00"), ("INC2", "Closed", "3/3/2016 12:00"),
    ("INC3", "Mystery", "1/3/2016 13:00"), ("INC3", "Resolved", "1/3/2016 15:00"),
    ("INC4", "New", "1/3/2016 14:00"),
]


def _servicenow_file(picks: list[tuple[int, int]]) -> bytes:
    """Rows of several copies of the incidents: (copy, row) picks, so an incident's rows
    may be together, apart, or cut off at the file's end."""
    rows = []
    for copy, pick in picks:
        number, state, updated = SN_ROWS[pick]
        rows.append(_row(f"{number}-{copy}", state, updated, resolved=(
            "2/3/2016 10:00" if state in ("Resolved", "Closed") else "?")))
        if pick == 6 and copy % 3 == 0:
            rows.append('INC9,"Active,broken')  # a quote that does not end on its line
    return _servicenow(rows).encode()


def _file(rows: list[int], bom: bool) -> bytes:
    lines = [("\ufeff" if bom else "") + HEADER]
    lines += [ROWS[r].format(n=i) for i, r in enumerate(rows)]
    return "\n".join(lines).encode() + b"\n"


def _with_file(data: bytes, body: object, max_line: int = 80) -> None:
    """`body` given the data as a LineFile read in small chunks, lines over `max_line`
    bytes too long."""
    saved = records.CHUNK, records.MAX_LINE
    records.CHUNK, records.MAX_LINE = 37, max_line
    try:
        with tempfile.NamedTemporaryFile() as handle:
            handle.write(data)
            handle.flush()
            body(records.LineFile(Path(handle.name)))  # type: ignore[operator]
    finally:
        records.CHUNK, records.MAX_LINE = saved


def _parts_are_the_whole(rows: list[int], bom: bool, count: int, smallest: int) -> None:
    def check(whole: records.LineFile) -> None:
        expected = list(whole.lines())
        parts = whole.parts(count, smallest)
        assert 1 <= len(parts) <= max(count, 1)
        seen = []
        for i, part in enumerate(parts):
            file = whole.on(part, None)
            lines = list(file.lines())
            file.close()
            if i > 0:  # every part starts with the header, then its own lines
                assert lines[0] == expected[0]
                lines = lines[1:]
                assert lines, "no part is empty"
            seen += lines
        whole.close()
        assert seen == expected

    _with_file(_file(rows, bom), check)


@budgets(quick=150, full=2000)
def test_the_parts_of_a_file_are_its_lines_once_each(examples: int) -> None:
    run_property(examples, _parts_are_the_whole,
                 st.lists(st.integers(0, len(ROWS) - 1), max_size=30), st.booleans(),
                 st.integers(1, 8), st.integers(1, 200))


def _tickets_in_parts_are_the_tickets(reader: str, data: bytes, count: int, smallest: int
                                      ) -> None:
    def check(whole: records.LineFile) -> None:
        options = records.ReadOptions(timezone("UTC"), ["P1", "P2", "P3", "P4"])
        prepared = READERS[reader].prepare(whole, options)
        expected = list(prepared.tickets(whole))
        seen = []
        for part in prepared.parts(count, smallest):
            file = whole.on(part, None)
            seen += list(prepared.tickets(file))
            file.close()
        whole.close()
        assert seen == expected

    _with_file(data, check, 80 if reader == "generic" else 1000)


@budgets(quick=100, full=1500)
def test_generic_tickets_read_in_parts_are_those_read_whole(examples: int) -> None:
    run_property(examples, lambda rows, bom, count, smallest: _tickets_in_parts_are_the_tickets(
        "generic", _file(rows, bom), count, smallest),
        st.lists(st.integers(0, len(ROWS) - 1), max_size=30), st.booleans(),
        st.integers(1, 8), st.integers(1, 400))


@budgets(quick=100, full=1500)
def test_servicenow_incidents_read_in_parts_are_those_read_whole(examples: int) -> None:
    """Wherever the parts are cut: no contiguous incident is split, an incident with rows
    apart is judged once from all of them, the remark about them said once."""
    run_property(examples, lambda picks, count, smallest: _tickets_in_parts_are_the_tickets(
        "servicenow", _servicenow_file(picks), count, smallest),
        st.lists(st.tuples(st.integers(0, 3), st.integers(0, len(SN_ROWS) - 1)),
                 max_size=40), st.integers(1, 8), st.integers(1, 2000))


@pytest.mark.skipif(not can_fork(), reason="processes cannot be forked here")
@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_a_replay_in_parts_is_byte_for_byte_a_replay_in_one(
        run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    tickets = tmp_path / "tickets.csv"
    tickets.write_bytes(_file([i % len(ROWS) for i in range(7 * len(ROWS))], bom=True))
    args = ["--repo", str(ROOT), "sla", "replay", str(tickets), "--now",
            "2026-11-24T12:00:00Z", "--details", "--format", fmt]
    one = run(*args, "--jobs", "1")
    monkeypatch.setattr(replay_module, "PART_BYTES", 300)
    monkeypatch.setattr(replay_module, "usable_cpus", lambda: 8)  # more parts than 2
    assert len(records.LineFile(tickets).parts(4, 300)) == 4
    parts = run(*args, "--jobs", "4")
    assert parts == one
    assert one[0] == 0
    if fmt == "json":
        data = json.loads(one[1])
        assert data["skipped"] and data["results"] and data["tickets"]


@pytest.mark.skipif(not can_fork(), reason="processes cannot be forked here")
def test_a_servicenow_replay_in_parts_is_byte_for_byte_a_replay_in_one(
        run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tickets = tmp_path / "export.csv"
    picks = [(copy, row) for copy in range(6) for row in range(len(SN_ROWS))]
    tickets.write_bytes(_servicenow_file(picks[::-1] + picks))  # apart, and together
    args = ["--repo", str(ROOT), "sla", "replay", "--from", "servicenow", str(tickets),
            "--sla", "gold", "--timezone", "UTC", "--now", "2016-03-10T00:00:00Z",
            "--details", "--format", "json"]
    one = run(*args, "--jobs", "1")
    monkeypatch.setattr(replay_module, "PART_BYTES", 2000)
    monkeypatch.setattr(replay_module, "usable_cpus", lambda: 8)
    parts = run(*args, "--jobs", "3")
    assert parts == one
    data = json.loads(one[1])
    assert data["tickets"] and data["skipped"] and data["remarks"]
