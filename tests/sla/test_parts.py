"""A generic ticket file judged in parts, side by side: the same report as one process
makes, whatever the file holds and wherever it is cut."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import strategies as st

from itsmctl.parallel import can_fork
from itsmctl.sla import replay as replay_module
from itsmctl.sla.tickets import records
from tests.helpers import ROOT, budgets, run_property

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


def _file(rows: list[int], bom: bool) -> bytes:
    lines = [("\ufeff" if bom else "") + HEADER]
    lines += [ROWS[r].format(n=i) for i, r in enumerate(rows)]
    return "\n".join(lines).encode() + b"\n"


def _parts_are_the_whole(rows: list[int], bom: bool, count: int, smallest: int,
                         chunk: int) -> None:
    saved = records.CHUNK, records.MAX_LINE
    records.CHUNK, records.MAX_LINE = chunk, 80
    try:
        with tempfile.NamedTemporaryFile() as handle:
            handle.write(_file(rows, bom))
            handle.flush()
            whole = records.LineFile(Path(handle.name))
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
    finally:
        records.CHUNK, records.MAX_LINE = saved


@budgets(quick=150, full=2000)
def test_the_parts_of_a_file_are_its_lines_once_each(examples: int) -> None:
    run_property(examples, _parts_are_the_whole,
                 st.lists(st.integers(0, len(ROWS) - 1), max_size=30), st.booleans(),
                 st.integers(1, 8), st.integers(1, 200), st.integers(1, 64))


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
    assert len(records.LineFile(tickets).parts(4, 300)) == 4
    parts = run(*args, "--jobs", "4")
    assert parts == one
    assert one[0] == 0
    if fmt == "json":
        data = json.loads(one[1])
        assert data["skipped"] and data["results"] and data["tickets"]
