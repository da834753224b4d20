"""Change requests for the CAB: by status and outcome, those starting in the next 30 days,
collisions between them, and the success rate of the ones carried out. Outcomes,
problems and collisions are change enablement's (itsmctl.changes.outcome)."""

from __future__ import annotations

import datetime as dt

from itsmctl.changes.outcome import Outcome, evaluate_all
from itsmctl.reports.model import Column, Report, ReportInput, Row, Section
from itsmctl.text import agree, plural

NAME = "changes"
DESCRIPTION = "change requests by outcome and status, upcoming, collisions, success rate"
UPCOMING_DAYS = 30
STATUSES = ("requested", "scheduled", "implemented", "failed", "cancelled")


def build(job: ReportInput) -> Report:
    evaluations = evaluate_all(job.catalog, job.now, job.config)
    report = Report(NAME, "Change requests", job.today.isoformat(), job.ref)
    by_status = Section("status", "By status and outcome", [
        Column("status", "Status"), Column("count", "Change requests", numeric=True),
        *(Column(o.value, o.value, numeric=True) for o in Outcome)],
        note="Outcomes are judged for change requests in flight (requested or scheduled).")
    for status in STATUSES:
        found = [e for e in evaluations if e.change.status == status]
        row: Row = {"status": status, "count": len(found)}
        for outcome in Outcome:
            row[outcome.value] = sum(1 for e in found if e.outcome is outcome) \
                if status in ("requested", "scheduled") else None
        by_status.rows.append(row)
    horizon = job.now + dt.timedelta(days=UPCOMING_DAYS)
    upcoming = Section("upcoming", f"Starting in the next {UPCOMING_DAYS} days", [
        Column("change", "Change"), Column("type", "Type"), Column("status", "Status"),
        Column("outcome", "Outcome"), Column("start", "Start"), Column("end", "End"),
        Column("services", "Services"), Column("problems", "Problems")])
    collisions = Section("collisions", "Collisions", [
        Column("change", "Change"), Column("start", "Start"), Column("with", "Overlaps"),
        Column("services", "Services")],
        note="In-flight change requests whose periods overlap and that share a service "
             "(or where one's service depends on the other's).")
    for e in evaluations:
        if e.outcome is None or e.start is None:
            continue
        if job.now <= e.start <= horizon or (e.start < job.now and e.end and e.end > job.now):
            upcoming.rows.append({
                "change": e.name, "type": e.change.type, "status": e.change.status,
                "outcome": e.outcome.value, "start": e.start.isoformat(),
                "end": e.end.isoformat() if e.end else None,
                "services": list(e.change.services),
                "problems": [f"{d.severity.value}: {d.message} [{d.rule}]"
                             for d in e.problems]})
        if e.collisions:
            collisions.rows.append({"change": e.name, "start": e.start.isoformat(),
                                    "with": list(e.collisions),
                                    "services": list(e.change.services)})
    done = {s: sum(1 for e in evaluations if e.change.status == s)
            for s in ("implemented", "failed")}
    carried = done["implemented"] + done["failed"]
    rate = round(100 * done["implemented"] / carried, 1) if carried else None
    success = Section("success", "Success rate", [
        Column("implemented", "Implemented", numeric=True),
        Column("failed", "Failed", numeric=True),
        Column("rate", "Success rate %", numeric=True)],
        note="Implemented as a share of the change requests carried out (implemented or "
             "failed).", rows=[{**done, "rate": rate}])
    in_flight = sum(1 for e in evaluations if e.outcome is not None)
    blocked = sum(1 for e in evaluations if e.outcome is Outcome.BLOCKED)
    report.summary = [
        f"{plural(len(evaluations), 'change request')}, {in_flight} in flight "
        f"({blocked} blocked); {len(upcoming.rows)} "
        f"{agree(len(upcoming.rows), 'starts', 'start')} within {UPCOMING_DAYS} days.",
        f"Success rate: {rate} % of {carried} carried out." if rate is not None
        else "None carried out yet."]
    report.sections = [by_status, upcoming, collisions, success]
    return report
