"""The seeds of a well-run service desk, and where they are missing: services without an
SLA, workflows, a maintenance window, categories or request items; categories nobody is
assigned; request items without a form; standard changes due for review."""

from __future__ import annotations

import datetime as dt

from itsmctl.kinds import TICKET_TYPES
from itsmctl.model.typed import CatalogItem, Category, Service, StandardChange
from itsmctl.reports.facts import index_of
from itsmctl.reports.model import Column, Report, ReportInput, Row, Section

NAME = "coverage"
DESCRIPTION = "what services, categories, items and standard changes are missing"
REVIEW_HORIZON_DAYS = 60  # a standard change this close to reviewBy is listed


def build(job: ReportInput) -> Report:
    catalog = job.catalog
    ix = index_of(catalog)
    report = Report(NAME, "Coverage", job.today.isoformat(), job.ref)
    matrix = Section("services", "Services", [
        Column("service", "Service"), Column("lifecycle", "Lifecycle"),
        Column("sla", "SLA"), Column("incidentWorkflow", "Incident workflow"),
        Column("requestWorkflow", "Request workflow"), Column("window", "Window"),
        Column("categories", "Categories"), Column("items", "Request items"),
        Column("score", "Covered", numeric=True)],
        note="Retired services are left out. Covered: how many of the six columns are set.")
    gaps = Section("gaps", "Gaps", [
        Column("kind", "Kind"), Column("name", "Name"), Column("gap", "Gap"),
        Column("detail", "Detail")])
    services = sorted(catalog.typed(Service).values(), key=lambda s: s.name)
    for service in services:
        if service.lifecycle == "retired":
            continue
        row: Row = {
            "service": service.name, "lifecycle": service.lifecycle,
            "sla": service.sla is not None,
            "incidentWorkflow": "incident" in service.workflows,
            "requestWorkflow": "request" in service.workflows,
            "window": bool(service.maintenance_windows),
            "categories": bool(service.categories),
            "items": bool(ix.items.get(service.name))}
        row["score"] = sum(1 for v in row.values() if v is True)
        matrix.rows.append(row)
        for key, gap, detail in (
                ("sla", "no SLA", "tickets have no targets"),
                ("incidentWorkflow", "no incident workflow", "incidents follow no lifecycle"),
                ("requestWorkflow", "no request workflow",
                 "missing: " + ", ".join(t for t in TICKET_TYPES
                                         if t not in service.workflows)),
                ("window", "no maintenance window", "changes can never be in a window"),
                ("categories", "no categories", "tickets cannot be routed to it"),
                ("items", "no request items", "nothing can be requested from the catalog")):
            if row[key] is False:
                gaps.rows.append({"kind": Service.KIND, "name": service.name, "gap": gap,
                                  "detail": detail})
    for category in sorted(catalog.typed(Category).values(), key=lambda c: c.name):
        if category.assignment_group is None:
            gaps.rows.append({"kind": Category.KIND, "name": category.name,
                              "gap": "no assignment group",
                              "detail": "neither it nor a parent names one"})
    for item in sorted(catalog.typed(CatalogItem).values(), key=lambda i: i.name):
        if not item.form:
            gaps.rows.append({"kind": CatalogItem.KIND, "name": item.name, "gap": "no form",
                              "detail": "requesters are asked nothing"})
    horizon = job.today + dt.timedelta(days=REVIEW_HORIZON_DAYS)
    for template in sorted(catalog.typed(StandardChange).values(), key=lambda t: t.name):
        review_by = dt.date.fromisoformat(template.review_by)
        if review_by <= horizon:
            left = (review_by - job.today).days
            gaps.rows.append({
                "kind": StandardChange.KIND, "name": template.name,
                "gap": "review due" if left >= 0 else "review overdue",
                "detail": f"reviewBy {review_by.isoformat()} "
                          + (f"(in {left} days)" if left >= 0 else f"({-left} days ago)")})
    counts: dict[str, int] = {}
    for found in gaps.rows:
        counts[str(found["gap"])] = counts.get(str(found["gap"]), 0) + 1
    full = sum(1 for r in matrix.rows if r["score"] == 6)
    report.summary = [f"{full} of {len(matrix.rows)} services are fully covered."]
    report.summary += [f"{what}: {count}" for what, count in sorted(counts.items())] or \
        ["No gaps."]
    report.sections = [matrix, gaps]
    return report
