"""What a report is: a title, a few summary facts and tables of typed cells, so that one
renderer per format (reporters/report.py) shows every report alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from itsmctl.config import Config
from itsmctl.load import read_config
from itsmctl.model.catalog import Catalog
from itsmctl.pipeline import read_catalog
from itsmctl.sources import Source

Cell = str | int | float | bool | None | list[str]
Row = dict[str, Cell]


@dataclass(frozen=True)
class Column:
    key: str  # the field name in JSON and CSV
    title: str  # the heading people read
    numeric: bool = False


@dataclass
class Section:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    note: str = ""  # one sentence under the title: what the table shows
    empty: str = "None."  # what an empty table says


@dataclass
class Report:
    name: str
    title: str
    as_of: str  # the date the report was judged on (ISO)
    ref: str | None  # the git ref read; None: the work tree
    summary: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


@dataclass(frozen=True)
class ReportInput:
    """What a report is made from: the repository's catalog and settings (read when a report
    first asks for them: the audit report reads git history, not the catalog), its source,
    and the moment it is judged at. Problems in the catalog are `check`'s business."""

    source: Source
    root: Path
    ref: str | None
    now: dt.datetime
    since: str | None = None  # the audit report's period (git dates)
    until: str | None = None

    @cached_property
    def catalog(self) -> Catalog:
        """The documents that pass their schema, validated (not judged by policy)."""
        return read_catalog(self.source, now=self.now).catalog

    @cached_property
    def config(self) -> Config:
        return read_config(self.source)

    @property
    def today(self) -> dt.date:
        return self.now.date()
