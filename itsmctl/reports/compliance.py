"""Control areas an auditor asks about, with the evidence this repository holds for each
and what is missing. Clauses are named by number and title only: the standards' text is
theirs (ISO/IEC 20000-1:2018, clause 8; AICPA's SOC 2 trust services criteria, CC8.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from itsmctl.kinds import POLICY
from itsmctl.model.typed import (
    SLA,
    ApprovalRule,
    Calendar,
    CatalogItem,
    Category,
    ChangeFreeze,
    ChangeRequest,
    MaintenanceWindow,
    Service,
    StandardChange,
    Waiver,
    Workflow,
    priority_matrix,
)
from itsmctl.reports.model import Column, Report, ReportInput, Section

NAME = "compliance"
DESCRIPTION = "ISO/IEC 20000-1:2018 and SOC 2 CC8.1 control areas: evidence held, gaps"
SHOWN = 5  # names listed before "and N more"

CODEOWNERS_PATHS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
WORKFLOW_PATHS = tuple(f".github/workflows/{name}.{ext}" for name in ("catalog", "itsmctl", "ci")
                       for ext in ("yml", "yaml"))


@dataclass
class Area:
    framework: str
    control: str
    title: str
    evidence: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.evidence:
            return "missing"
        return "partial" if self.missing else "evidenced"


def names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _gap(area: Area, items: Sequence[str], what: str) -> None:
    if items:
        area.missing.append(f"{what} ({len(items)}): {names(items)}")


def _has(area: Area, count: int, what: str) -> None:
    if count:
        area.evidence.append(f"{what}: {count}")


def _workflows(job: ReportInput, ticket: str) -> list[str]:
    return sorted(w.name for w in job.catalog.typed(Workflow).values()
                  if w.applies_to == ticket)


def _live(job: ReportInput) -> list[Service]:
    return sorted((s for s in job.catalog.typed(Service).values()
                   if s.lifecycle in ("production", "retiring")), key=lambda s: s.name)


def _catalogue(job: ReportInput) -> Area:
    area = Area("ISO/IEC 20000-1:2018", "8.2.4", "Service catalogue management")
    services = sorted(job.catalog.typed(Service).values(), key=lambda s: s.name)
    _has(area, len(services), "services, each with an owning team, tier and lifecycle")
    _has(area, sum(1 for s in services if s.entity.metadata.get("description")),
         "services described")
    _has(area, len(job.catalog.typed(CatalogItem)), "request items in the catalogue")
    _gap(area, [s.name for s in services if not s.entity.metadata.get("description")],
         "services without a description")
    return area


def _service_level(job: ReportInput) -> Area:
    area = Area("ISO/IEC 20000-1:2018", "8.3.3", "Service level management")
    slas = job.catalog.typed(SLA).values()
    _has(area, len(slas), "SLAs with response and resolution targets per priority")
    _has(area, len(job.catalog.typed(Calendar)), "business calendars")
    live = _live(job)
    _has(area, sum(1 for s in live if s.sla), "live services under an SLA")
    _has(area, sum(1 for s in slas if s.escalations), "SLAs with escalations")
    _gap(area, [s.name for s in live if not s.sla], "live services without an SLA")
    _gap(area, sorted(s.name for s in slas if not s.escalations), "SLAs without escalations")
    return area


def _change(job: ReportInput) -> Area:
    area = Area("ISO/IEC 20000-1:2018", "8.5.1", "Change management")
    catalog = job.catalog
    templates = sorted(catalog.typed(StandardChange).values(), key=lambda t: t.name)
    _has(area, len(templates), "standard-change templates with plans and a review date")
    _has(area, len(catalog.typed(ChangeRequest)), "change requests recorded in git")
    _has(area, len(_workflows(job, "change")), "change workflows")
    _has(area, len(catalog.typed(MaintenanceWindow)), "maintenance windows")
    _has(area, len(catalog.typed(ChangeFreeze)), "change freezes")
    _has(area, len(catalog.typed(ApprovalRule)), "approval rules")
    if not _workflows(job, "change"):
        area.missing.append("no change workflow")
    if not catalog.typed(ApprovalRule):
        area.missing.append("no approval rules: who approves a change is not written down")
    _gap(area, [t.name for t in templates
                if dt.date.fromisoformat(t.review_by) < job.today],
         "standard changes past their review date")
    _gap(area, [s.name for s in _live(job) if not s.maintenance_windows and
                s.tier is not None and s.tier <= 2], "tier-1/2 services without a window")
    return area


def _incident(job: ReportInput) -> Area:
    area = Area("ISO/IEC 20000-1:2018", "8.6.1", "Incident management")
    _has(area, len(_workflows(job, "incident")), "incident workflows")
    if priority_matrix(job.catalog) is not None:
        area.evidence.append("a priority matrix (impact x urgency)")
    categories = sorted(job.catalog.typed(Category).values(), key=lambda c: c.name)
    _has(area, len(categories), "ticket categories")
    live = _live(job)
    _has(area, sum(1 for s in live if "incident" in s.workflows),
         "live services with an incident workflow")
    _gap(area, [s.name for s in live if "incident" not in s.workflows],
         "live services without an incident workflow")
    _gap(area, [c.name for c in categories if c.assignment_group is None],
         "categories without an assignment group")
    if priority_matrix(job.catalog) is None:
        area.missing.append("no priority matrix")
    return area


def _request(job: ReportInput) -> Area:
    area = Area("ISO/IEC 20000-1:2018", "8.6.2", "Service request management")
    items = sorted(job.catalog.typed(CatalogItem).values(), key=lambda i: i.name)
    _has(area, len(items), "request items")
    _has(area, sum(1 for i in items if i.form), "request items with a form")
    _has(area, sum(1 for i in items if i.approvals), "request items with approvals")
    _has(area, len(_workflows(job, "request")), "request workflows")
    _gap(area, [i.name for i in items if not i.form], "request items without a form")
    if not _workflows(job, "request"):
        area.missing.append("no request workflow")
    return area


def _problem(job: ReportInput) -> Area:
    area = Area("ISO/IEC 20000-1:2018", "8.6.3", "Problem management")
    _has(area, len(_workflows(job, "problem")), "problem workflows")
    live = _live(job)
    _has(area, sum(1 for s in live if "problem" in s.workflows),
         "live services with a problem workflow")
    _gap(area, [s.name for s in live if "problem" not in s.workflows],
         "live services without a problem workflow")
    return area


def _first(job: ReportInput, paths: Sequence[str]) -> tuple[str, bytes] | None:
    for path in paths:
        data = job.source.read(path)
        if data is not None:
            return path, data
    return None


def _soc2(job: ReportInput) -> Area:
    area = Area("SOC 2", "CC8.1", "Change management")
    area.evidence.append("the catalog and its change requests are versioned in git")
    owners = _first(job, CODEOWNERS_PATHS)
    if owners is not None:
        area.evidence.append(f"{owners[0]} names who must review each file")
    else:
        area.missing.append("no CODEOWNERS file (itsmctl codeowners writes one)")
    ci = _first(job, WORKFLOW_PATHS)
    if ci is not None and b"itsmctl" in ci[1]:
        area.evidence.append(f"{ci[0]} runs itsmctl on every change")
        if b"itsmctl review" not in ci[1]:
            area.missing.append(f"{ci[0]} does not run itsmctl review on pull requests")
    else:
        area.missing.append("no CI workflow running itsmctl (.github/workflows/catalog.yml)")
    catalog = job.catalog
    _has(area, len(catalog.typed(ApprovalRule)), "approval rules")
    _has(area, len(catalog.of_kind(POLICY)), "policies checked on every change")
    waivers = catalog.typed(Waiver).values()
    _has(area, len(waivers), "waivers, each with a reason and an expiry date")
    if not catalog.typed(ApprovalRule):
        area.missing.append("no approval rules")
    return area


AREAS: tuple[Callable[[ReportInput], Area], ...] = (
    _catalogue, _service_level, _change, _incident, _request, _problem, _soc2)


def build(job: ReportInput) -> Report:
    report = Report(NAME, "Compliance evidence", job.today.isoformat(), job.ref)
    section = Section("controls", "Control areas", [
        Column("framework", "Framework"), Column("control", "Clause"),
        Column("title", "Area"), Column("status", "Status"),
        Column("evidence", "Evidence in this repository"), Column("missing", "Missing")],
        note="Clauses by number and title; read the standards themselves for what they "
             "require. Evidenced: something is held and nothing found missing.")
    areas = [make(job) for make in AREAS]
    for area in areas:
        section.rows.append({"framework": area.framework, "control": area.control,
                             "title": area.title, "status": area.status,
                             "evidence": area.evidence, "missing": area.missing})
    counts = {status: sum(1 for a in areas if a.status == status)
              for status in ("evidenced", "partial", "missing")}
    report.summary = [f"{len(areas)} control areas: {counts['evidenced']} evidenced, "
                      f"{counts['partial']} partial, {counts['missing']} missing."]
    report.sections = [section]
    return report
