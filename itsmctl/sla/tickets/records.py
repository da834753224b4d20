"""What ticket readers produce, and the CSV reading they share."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsmctl.timecalc import Interval


class BadInput(ValueError):
    """The input as a whole cannot be read (a missing column): the command cannot run."""


@dataclass
class Ticket:
    line: int
    id: str
    priority: str
    opened: float
    responded: float | None
    resolved: float | None
    pauses: list[Interval]
    sla: str | None = None
    service: str | None = None
    made_sla: bool | None = None  # ServiceNow's own verdict, when the input has one


@dataclass(frozen=True)
class Skipped:
    line: int
    reason: str
    ref: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, "reason": self.reason}
        if self.ref is not None:
            data["ref"] = self.ref
        return data


@dataclass(frozen=True)
class Remark:
    """Something about the input as a whole that the summary should say."""

    text: str


@dataclass(frozen=True)
class ReadOptions:
    tz: dt.tzinfo  # of naive timestamps
    levels: list[str] = field(default_factory=list)  # the priority matrix's, in order
    mapping: Path | None = None  # a reader-specific mapping file


MAX_LINE = 1 << 20  # bytes; a longer line is skipped, never held whole
Progress = Callable[[int], None]  # told how many bytes were read since it was last told


class LineFile:
    """A ticket file read as physical lines: every line is one record, so one stray quote
    cannot swallow the lines after it, and every line is accounted for. Lines may be read
    again by offset (a reader may make two passes). A UTF-8 byte-order mark is dropped."""

    def __init__(self, path: Path, progress: Progress | None = None) -> None:
        self.path = path
        self.progress = progress
        try:
            self._file = path.open("rb")
            self._again = path.open("rb")
        except OSError as error:
            raise BadInput(f"cannot read {path}: {error.strerror}") from error

    def close(self) -> None:
        self._file.close()
        self._again.close()

    def lines(self) -> Iterator[tuple[int, int, str | None]]:
        """(line number, byte offset, text without its line ending); the text is None
        for a line over MAX_LINE bytes (its end is skipped without being held)."""
        self._file.seek(0)
        offset, number, pending = 0, 0, 0
        while True:
            raw = self._file.readline(MAX_LINE + 1)
            if not raw:
                break
            number += 1
            start = offset
            offset += len(raw)
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):
                    raw = self._file.readline(MAX_LINE)
                    offset += len(raw)
                text = None
            else:
                text = _text(raw, start == 0)
            if self.progress is not None:
                pending += offset - start
                if pending > 1 << 20:
                    self.progress(pending)
                    pending = 0
            yield number, start, text
        if self.progress is not None and pending:
            self.progress(pending)

    def line_at(self, offset: int) -> str:
        self._again.seek(offset)
        return _text(self._again.readline(MAX_LINE + 1), offset == 0)


def _text(raw: bytes, first: bool) -> str:
    text = raw.decode("utf-8", "replace").rstrip("\n")
    if text.endswith("\r"):
        text = text[:-1]
    return text.removeprefix("\ufeff") if first else text


def parse_line(text: str) -> list[str] | str:
    """The fields of one CSV line, or why it is not one (a quoted field that does not end
    on its line: fields never span lines here)."""
    if '"' not in text and "\r" not in text:
        return text.split(",")
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error as error:
        if str(error) == "unexpected end of data":
            return "a quoted field does not end on its line (fields cannot span lines)"
        return f"not CSV: {error}"
    except StopIteration:
        return [""]


def quoted(value: str, limit: int = 80) -> str:
    """A field as a skip reason shows it: quoted, at most `limit` characters."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


Record = tuple[int, int, list[str]]  # line number, offset, fields


def csv_records(file: LineFile) -> tuple[list[str], Iterator[Record | Skipped]]:
    """The header, and every record after it. Blank lines are passed over; a line that is
    not CSV, or has another number of fields than the header, is a Skipped row. Raises
    BadInput when the first line is not a readable header."""
    lines = file.lines()
    first = next(lines, None)
    if first is None:
        raise BadInput("the file is empty (expected a header line)")
    header = parse_line(first[2]) if first[2] is not None else "longer than 1 MiB"
    if isinstance(header, str):
        raise BadInput(f"line 1: the header is {header}")

    def body() -> Iterator[Record | Skipped]:
        for number, offset, text in lines:
            if text is None:
                yield Skipped(number, f"the line is longer than {MAX_LINE // 1024} KiB")
                continue
            if not text.strip():
                continue
            fields = parse_line(text)
            if isinstance(fields, str):
                yield Skipped(number, fields)
            elif len(fields) != len(header):
                yield Skipped(number, f"expected {len(header)} fields, found {len(fields)}")
            else:
                yield number, offset, fields

    return header, body()
