"""What ticket readers produce, and the CSV reading they share."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from itsmctl.timecalc import Interval


class BadInput(ValueError):
    """The input as a whole cannot be read (a missing column): the command cannot run."""


@dataclass(slots=True)
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
CHUNK = 1 << 20  # bytes read at a time
Progress = Callable[[int], None]  # told how many bytes were read since it was last told


@dataclass(frozen=True)
class Part:
    """A run of whole lines of a file: from byte `start` (where line `first_line` begins)
    to byte `end` (None: the end of the file)."""

    start: int = 0
    end: int | None = None
    first_line: int = 1


WHOLE = Part()


class LineFile:
    """A ticket file read as physical lines: every line is one record, so one stray quote
    cannot swallow the lines after it, and every line is accounted for. Lines may be read
    again by offset (a reader may make two passes). A UTF-8 byte-order mark is dropped.

    Opened on a `part` of the file, it reads the file's first line (the header) and then
    that part's lines, numbered as in the whole file."""

    def __init__(self, path: Path, progress: Progress | None = None, part: Part = WHOLE
                 ) -> None:
        self.path = path
        self.progress = progress
        self.part = part
        try:
            self._file = path.open("rb")
            self._again = path.open("rb")
        except OSError as error:
            raise BadInput(f"cannot read {path}: {error.strerror}") from error

    def on(self, part: Part, progress: Progress | None) -> LineFile:
        """The same file opened anew on a part of it (with file offsets of its own: a
        forked process must not move this one's)."""
        return LineFile(self.path, progress, part)

    def close(self) -> None:
        self._file.close()
        self._again.close()

    def lines(self) -> Iterator[Line]:
        """Every physical line: (number, byte offset, text without its line ending, or
        None and why it cannot be read: not UTF-8, or longer than MAX_LINE — said as soon
        as that is known, and the rest of the line let go without being held). Read in
        chunks split on newlines (much faster than a line at a time)."""
        if self.part.start > 0:
            header = self.first_line()
            assert header is not None  # a part after the first: the file is not empty
            yield header
        self._file.seek(self.part.start)
        number, start, carry = self.part.first_line - 1, self.part.start, b""
        left = None if self.part.end is None else self.part.end - self.part.start
        dropped = -1  # >= 0 while the current line is too long: its bytes let go so far
        while True:
            chunk = self._file.read(CHUNK if left is None else min(CHUNK, left))
            if left is not None:
                left -= len(chunk)
            if self.progress is not None and chunk:
                self.progress(len(chunk))
            if not chunk:
                if carry and dropped < 0:
                    yield _line(number + 1, start, carry)
                return
            block = carry + chunk
            cut = block.rfind(b"\n")
            if dropped < 0 and cut >= 0 and block.isascii():
                # the usual chunk: whole lines of ASCII, decoded at once (a character is a
                # byte, so offsets are lengths; no line here can carry a byte-order mark)
                carry = block[cut + 1:]
                for text in block[:cut].decode("ascii").split("\n"):
                    number += 1
                    if len(text) > MAX_LINE:
                        yield number, start, None, _too_long()
                    else:
                        yield number, start, text[:-1] if text[-1:] == "\r" else text, None
                    start += len(text) + 1
                if len(carry) > MAX_LINE:
                    number += 1
                    yield number, start, None, _too_long()
                    dropped, carry = len(carry), b""
                continue
            pieces = block.split(b"\n")
            carry = pieces.pop()
            for raw in pieces:
                if dropped < 0:
                    number += 1
                    yield _line(number, start, raw)
                start += max(dropped, 0) + len(raw) + 1
                dropped = -1
            if len(carry) > MAX_LINE:
                if dropped < 0:
                    number += 1
                    yield number, start, None, _too_long()
                dropped = max(dropped, 0) + len(carry)
                carry = b""

    def first_line(self) -> Line | None:
        """The file's first line (None: the file is empty), read apart from `lines` and
        without telling the progress bar."""
        self._again.seek(0)
        raw = self._again.readline(MAX_LINE + 1)
        if not raw:
            return None
        return _line(1, 0, raw[:-1] if raw.endswith(b"\n") else raw)

    def parts(self, count: int, smallest: int) -> list[Part]:
        """The file cut into at most `count` parts of whole lines, none (but the last)
        smaller than `smallest` bytes: for readers that judge each line on its own."""
        size = self.path.stat().st_size
        count = min(count, size // max(smallest, 1))
        if count <= 1:
            return [WHOLE]
        starts = [0]
        with self.path.open("rb") as file:
            for i in range(1, count):
                start = _next_line(file, max(size * i // count, starts[-1]))
                if start is None or start >= size:
                    break
                if start > starts[-1]:
                    starts.append(start)
            numbers = _line_numbers(file, starts)
        ends: list[int | None] = [*starts[1:], None]
        return [Part(s, e, n) for s, e, n in zip(starts, ends, numbers, strict=True)]

    def line_at(self, offset: int) -> str:
        """The text of a line read before (and read then without a problem)."""
        self._again.seek(offset)
        return _text(self._again.readline(MAX_LINE + 1).removesuffix(b"\n"), offset == 0)


Line = tuple[int, int, str | None, str | None]  # number, offset, text, why there is none


def _next_line(file: BinaryIO, offset: int) -> int | None:
    """Where the first line that starts after `offset` begins (None: no line does)."""
    file.seek(offset)
    while True:
        chunk = file.read(CHUNK)
        if not chunk:
            return None
        cut = chunk.find(b"\n")
        if cut >= 0:
            return offset + cut + 1
        offset += len(chunk)


def _line_numbers(file: BinaryIO, starts: list[int]) -> list[int]:
    """The number of the line that begins at each of `starts` (sorted line starts)."""
    file.seek(0)
    numbers, counted, at = [], 0, 0
    for start in starts:
        while at < start:
            chunk = file.read(min(CHUNK, start - at))
            counted += chunk.count(b"\n")
            at += len(chunk)
        numbers.append(counted + 1)
    return numbers


def _too_long() -> str:
    return f"the line is longer than {MAX_LINE // 1024} KiB"



def _line(number: int, start: int, raw: bytes) -> Line:
    if len(raw) > MAX_LINE:
        return number, start, None, _too_long()
    try:
        return number, start, _text(raw, start == 0), None
    except UnicodeDecodeError as error:
        column = len(raw[:error.start].decode("utf-8", "replace")) + 1
        return number, start, None, (f"not UTF-8 (byte 0x{raw[error.start]:02x} at column "
                                     f"{column}); save the file as UTF-8")


def _text(raw: bytes, first: bool) -> str:
    text = raw.decode("utf-8")
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
    header = _header(next(lines, None))

    def body() -> Iterator[Record | Skipped]:
        for number, offset, text, problem in lines:
            if text is None:
                yield Skipped(number, str(problem))
                continue
            if not text or text.isspace():
                continue
            fields = parse_line(text)
            if isinstance(fields, str):
                yield Skipped(number, fields)
            elif len(fields) != len(header):
                yield Skipped(number, f"expected {len(header)} fields, found {len(fields)}")
            else:
                yield number, offset, fields

    return header, body()


def csv_header(file: LineFile) -> list[str]:
    """The header alone, as `csv_records` reads it (for a reader's first look)."""
    return _header(file.first_line())


def _header(first: Line | None) -> list[str]:
    if first is None:
        raise BadInput("the file is empty (expected a header line)")
    header = parse_line(first[2]) if first[2] is not None else str(first[3])
    if isinstance(header, str):
        raise BadInput(f"line 1: the header is {header}")
    return header
