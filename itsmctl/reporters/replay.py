"""`itsmctl sla replay`: a table for people, CSV and JSON for tools
(docs/sla-clock.md#sla-replay)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from itsmctl.sla.replay import ReplayReport, Tally
from itsmctl.text import printable

DETAIL_FIELDS = ["ref", "line", "id", "sla", "priority", "opened", "responseDue", "responded",
                 "response", "resolutionDue", "resolved", "resolution", "elapsedPercent",
                 "madeSla"]


def _label(ref: str | None) -> str:
    return ref if ref is not None else "work tree"


def result_rows(report: ReplayReport) -> list[dict[str, Any]]:
    """The JSON `results`: one object per ref x SLA x priority."""
    out = []
    for sla, priority in report.rows():
        for ref in report.refs:
            tally = report.tallies.get((ref, sla, priority), Tally())
            row: dict[str, Any] = {"ref": ref} if ref is not None else {}
            row.update({
                "sla": sla, "priority": priority, "tickets": tally.tickets,
                "responseMet": tally.response_met, "responseBreached": tally.response_breached,
                "resolutionMet": tally.resolution_met,
                "resolutionBreached": tally.resolution_breached,
                "compliance": tally.compliance,
                "responsePending": tally.response_pending,
                "resolutionPending": tally.resolution_pending,
            })
            if tally.made_sla_compared:
                row["madeSlaCompared"] = tally.made_sla_compared
                row["madeSlaAgreement"] = round(
                    100 * tally.made_sla_agree / tally.made_sla_compared, 2)
            out.append(row)
    return out


def render_json(report: ReplayReport) -> str:
    data: dict[str, Any] = {"results": result_rows(report),
                            "skipped": [s.to_json() for s in report.skipped]}
    if report.remarks:
        data["remarks"] = report.remarks
    if report.warnings:
        data["warnings"] = report.warnings
    if report.details:
        data["tickets"] = report.details
    return json.dumps(data, indent=2) + "\n"


def render_csv(report: ReplayReport) -> str:
    buffer = io.StringIO()
    if report.details:
        fields = [f for f in DETAIL_FIELDS if any(f in d for d in report.details)]
        writer = csv.DictWriter(buffer, fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(report.details)
        return buffer.getvalue()
    rows = result_rows(report)
    fields = list(dict.fromkeys(k for row in rows for k in row)) or [
        "sla", "priority", "tickets", "responseMet", "responseBreached", "resolutionMet",
        "resolutionBreached", "compliance"]
    writer = csv.DictWriter(buffer, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} %"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()
    return [line(header), *(line(r) for r in rows)]


def _details(report: ReplayReport) -> list[str]:
    header = ["ID", "SLA", "PRIORITY", "OPENED", "RESPONSE DUE", "RESPONSE",
              "RESOLUTION DUE", "RESOLUTION", "ELAPSED"]
    multi = len(report.refs) > 1
    if multi:
        header.insert(0, "REF")
    rows = []
    for d in report.details:
        row = [printable(d["id"]), d["sla"], d["priority"], d["opened"],
               d["responseDue"] or "-", d["response"] or "-", d["resolutionDue"],
               d["resolution"], f"{d['elapsedPercent']} %"]
        if multi:
            row.insert(0, _label(d.get("ref")))
        rows.append(row)
    return [*_table(header, rows), ""]


def _tallies(report: ReplayReport, ref: str | None) -> list[str]:
    """One ref's table (refs are stacked, so the table stays narrow)."""
    header = ["SLA", "PRIORITY", "TICKETS", "RESPONSE MET/BREACHED",
              "RESOLUTION MET/BREACHED", "COMPLIANCE"]
    agreement = any(t.made_sla_compared for (r, _s, _p), t in report.tallies.items()
                    if r == ref)
    if agreement:
        header.append("AGREES WITH made_sla")
    rows = []
    for sla, priority in report.rows():
        t = report.tallies.get((ref, sla, priority), Tally())
        row = [sla, priority, str(t.tickets), f"{t.response_met}/{t.response_breached}",
               f"{t.resolution_met}/{t.resolution_breached}", _percent(t.compliance)]
        if agreement:
            row.append(_percent(100 * t.made_sla_agree / t.made_sla_compared
                                if t.made_sla_compared else None))
        rows.append(row)
    return _table(header, rows) if rows else ["no tickets could be judged"]


def _summary(report: ReplayReport, ref: str | None) -> str:
    summary = f"{report.judged(ref)} tickets judged, {report.skipped_at(ref)} skipped"
    pending = report.pending(ref)
    if pending:
        summary += f", {pending} still open within their resolution target"
    return summary


def render_table(report: ReplayReport) -> str:
    lines = [f"warning: {w}" for w in report.warnings]
    if report.details:
        lines += _details(report)
    multi = len(report.refs) > 1
    for ref in report.refs:
        if multi:
            lines += [f"at {_label(ref)}:"]
        lines += _tallies(report, ref)
        if multi:
            lines.append("")
    if report.skipped:
        lines += ["", f"skipped {len(report.skipped)}:"]
        lines += [f"  line {s.line}: {printable(s.reason)}" + (f" (at {s.ref})" if s.ref else "")
                  for s in report.skipped]
    lines += [""] + [f"note: {remark}" for remark in report.remarks]
    if multi:
        lines += [f"at {_label(ref)}: {_summary(report, ref)}" for ref in report.refs]
    else:
        lines.append(_summary(report, report.refs[0]))
    shown = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]  # one blank
    return "\n".join(shown) + "\n"


def skipped_lines(report: ReplayReport, source: object) -> str:
    """The skipped rows as `file:line: skipped: reason` (on standard error beside CSV)."""
    return "".join(f"{source}:{s.line}: skipped: {s.reason}\n" for s in report.skipped)


CHART_LEFT, CHART_SPAN = 96, 300  # the bars start after the labels; 100 % is this wide


def _share(part: int, whole: int) -> float:
    return round(CHART_SPAN * part / whole, 1) if whole else 0.0


def charts(report: ReplayReport) -> list[dict[str, Any]]:
    """Per SLA, a 100 % bar per priority (and ref): met, breached, pending resolution."""
    out: list[dict[str, Any]] = []
    for sla, priority in report.rows():
        if not out or out[-1]["sla"] != sla:
            out.append({"sla": sla, "bars": [], "left": CHART_LEFT, "span": CHART_SPAN,
                        "width": CHART_LEFT + CHART_SPAN + 70, "height": 0})
        chart = out[-1]
        for index, ref in enumerate(report.refs):
            t = report.tallies.get((ref, sla, priority), Tally())
            y = chart["height"]
            chart["bars"].append({
                "priority": priority, "ref": _label(ref), "short": _label(ref)[:8],
                "first": index == 0, "y": y, "tickets": t.tickets,
                "met": t.resolution_met, "breached": t.resolution_breached,
                "pending": t.resolution_pending, "compliance": t.compliance,
                "response_met": t.response_met, "response_breached": t.response_breached,
                "w_met": _share(t.resolution_met, t.tickets),
                "w_breached": _share(t.resolution_breached, t.tickets),
                "w_pending": _share(t.resolution_pending, t.tickets)})
            chart["height"] = y + 22 + (10 if index == len(report.refs) - 1 else 0)
    return out


def render_html(report: ReplayReport) -> str:
    """A standalone page: per SLA a bar chart (SVG) with the numbers in a table beside."""
    from itsmctl.targets.site.render import render_standalone  # Jinja2: only for html

    first = report.refs[0]
    judged = sum(t.tickets for (ref, _s, _p), t in report.tallies.items() if ref == first)
    return render_standalone("replay.html", "SLA replay", charts=charts(report),
                             refs=[_label(r) for r in report.refs], judged=judged,
                             skipped=report.skipped, warnings=report.warnings)


RENDERERS: dict[str, Callable[[ReplayReport], str]] = {
    "table": render_table, "csv": render_csv, "json": render_json, "html": render_html}
