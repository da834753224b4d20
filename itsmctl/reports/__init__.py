"""Reports: the catalog read by people who never open a YAML file (docs/reports.md).

Each report is a module with `NAME`, `DESCRIPTION` and `build(job) -> Report`, listed in
`REPORTS`; reporters/report.py renders any of them as Markdown, HTML, CSV or JSON.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Protocol

from itsmctl.errors import FatalError
from itsmctl.reports import audit, changes, compliance, coverage, ownership, sla_matrix
from itsmctl.reports.model import Report, ReportInput
from itsmctl.sources import open_source
from itsmctl.text import did_you_mean


class ReportKind(Protocol):
    NAME: str
    DESCRIPTION: str

    def build(self, job: ReportInput) -> Report: ...


REPORTS: dict[str, ReportKind] = {
    module.NAME: module for module in (
        sla_matrix, ownership, coverage, compliance, changes, audit)}


def make_report(root: Path, name: str, ref: str | None = None,
                now: dt.datetime | None = None, since: str | None = None,
                until: str | None = None) -> Report:
    """Read the catalog (at `ref`, or the work tree) and make the report `name`."""
    if name not in REPORTS:
        raise FatalError(f"unknown report '{name}'{did_you_mean(name, sorted(REPORTS))}",
                         f"the reports are: {', '.join(sorted(REPORTS))}")
    now = now or dt.datetime.now(dt.timezone.utc)
    job = ReportInput(open_source(root, ref), root, ref, now, since, until)
    return REPORTS[name].build(job)
