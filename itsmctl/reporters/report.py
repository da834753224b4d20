"""`itsmctl report`: any report as Markdown (for a pull request or a wiki), HTML (a page
in the site's style), CSV (for a spreadsheet) or JSON (for tools) (docs/reports.md)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from itsmctl.reports.model import Cell, Report, Section
from itsmctl.targets.site.render import render_report

MISSING = "—"


def plain(value: Cell) -> str:
    """A cell as text: lists joined, booleans as yes/no, nothing as a dash."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else MISSING
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


_MENTION = re.compile(r"(?<![\w.])@(?=\w)")


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell: no HTML, no pipes, one line, and no
    @-mention (a word joiner after the @: pasted in a pull request, it notifies nobody)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MENTION.sub("@\u2060", text)
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _md_cell(value: Cell) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list) and value:
        return "<br>".join(_md(v) for v in value)
    return _md(plain(value))


def _md_section(section: Section) -> list[str]:
    lines = [f"## {_md(section.title)}", ""]
    if section.note:
        lines += [_md(section.note), ""]
    if not section.rows:
        return [*lines, _md(section.empty), ""]
    lines.append("| " + " | ".join(_md(c.title) for c in section.columns) + " |")
    lines.append("|" + "|".join("---:" if c.numeric else "---" for c in section.columns) + "|")
    lines += ["| " + " | ".join(_md_cell(row.get(c.key)) for c in section.columns) + " |"
              for row in section.rows]
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    where = f" at `{_md(report.ref)}`" if report.ref else ""
    lines = [f"# {_md(report.title)}", "", f"_{report.name}, as of {report.as_of}{where}_", ""]
    lines += [f"- {_md(fact)}" for fact in report.summary]
    if report.summary:
        lines.append("")
    for section in report.sections:
        lines += _md_section(section)
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(report: Report) -> dict[str, Any]:
    return {
        "report": report.name, "title": report.title, "asOf": report.as_of,
        **({"ref": report.ref} if report.ref else {}),
        "summary": report.summary,
        "sections": {s.key: {"title": s.title,
                             "columns": [{"key": c.key, "title": c.title} for c in s.columns],
                             "rows": s.rows} for s in report.sections}}


def render_json(report: Report) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return plain(value)


def render_csv(report: Report) -> str:
    """One table per section, one after the other, separated by an empty line; with more
    than one section, the first column says which section a row belongs to."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    several = len(report.sections) > 1
    for index, section in enumerate(report.sections):
        if index:
            buffer.write("\n")
        lead = ["section"] if several else []
        writer.writerow(lead + [c.key for c in section.columns])
        for row in section.rows:
            writer.writerow(([section.key] if several else [])
                            + [_csv_cell(row.get(c.key)) for c in section.columns])
    return buffer.getvalue()


def render_html(report: Report) -> str:
    return render_report(report, plain)


RENDERERS: dict[str, Callable[[Report], str]] = {
    "markdown": render_markdown, "html": render_html, "csv": render_csv, "json": render_json}
