"""Services x priorities: the targets each service is held to, on which calendar, and what
a target means in calendar time (a ticket opened on Friday at 16:00)."""

from __future__ import annotations

from itsmctl.model.typed import SLA, Calendar, Service, priority_matrix
from itsmctl.reports.facts import EXAMPLE_MINUTES, clocks, example_due, hours_text, weekly_hours
from itsmctl.reports.model import Column, Report, ReportInput, Row, Section
from itsmctl.text import plural

NAME = "sla-matrix"
DESCRIPTION = "services x priorities: response and resolution targets, calendar, open hours"


def _levels(job: ReportInput) -> list[str]:
    matrix = priority_matrix(job.catalog)
    if matrix is not None:
        return matrix.level_names
    found = {level for sla in job.catalog.typed(SLA).values() for level in sla.targets}
    return sorted(found)


def build(job: ReportInput) -> Report:
    catalog = job.catalog
    levels = _levels(job)
    slas = catalog.typed(SLA)
    calendars = catalog.typed(Calendar)
    running = clocks(catalog)
    report = Report(NAME, "SLA matrix", job.today.isoformat(), job.ref)

    services = Section("services", "Targets per service", [
        Column("service", "Service"), Column("tier", "Tier", numeric=True),
        Column("sla", "SLA"), Column("calendar", "Calendar"), Column("hours", "Open"),
        Column("hoursPerWeek", "Hours/week", numeric=True),
        *(Column(f"{level}.{what}", f"{level} {what}") for level in levels
          for what in ("response", "resolution"))],
        note="Response and resolution targets count open time of the SLA's calendar only.")
    for service in sorted(catalog.typed(Service).values(), key=lambda s: s.name):
        sla = slas.get(service.sla) if service.sla is not None else None
        calendar = calendars.get(sla.calendar) if sla is not None else None
        clock = running.get(calendar.name) if calendar is not None else None
        row: Row = {"service": service.name, "tier": service.tier, "sla": service.sla,
                    "calendar": calendar.name if calendar is not None else None,
                    "hours": hours_text(calendar) if calendar is not None else None,
                    "hoursPerWeek": weekly_hours(clock) if clock is not None else None}
        for level in levels:
            target = sla.targets.get(level) if sla is not None else None
            row[f"{level}.response"] = target.response if target is not None else None
            row[f"{level}.resolution"] = target.resolution if target is not None else None
        services.rows.append(row)

    opened = f"{EXAMPLE_MINUTES // 60:02d}:{EXAMPLE_MINUTES % 60:02d}"
    meaning = Section("calendar-time", "What the targets mean in calendar time", [
        Column("sla", "SLA"), Column("calendar", "Calendar"), Column("priority", "Priority"),
        Column("response", "Response"), Column("responseDue", "A ticket opened Friday "
                                               f"{opened} gets its response"),
        Column("resolution", "Resolution"), Column("resolutionDue", "and its resolution"),
        Column("services", "Services", numeric=True)],
        note=f"Due times computed by itsmctl's SLA clock for a ticket opened on the first "
             f"Friday after {job.today.isoformat()} at {opened} in the calendar's timezone "
             "(holidays included).")
    users: dict[str, int] = {}
    for service in catalog.typed(Service).values():
        if service.sla is not None:
            users[service.sla] = users.get(service.sla, 0) + 1
    for sla in sorted(slas.values(), key=lambda s: s.name):
        clock = running.get(sla.calendar)
        for level in [lv for lv in levels if lv in sla.targets] + \
                sorted(set(sla.targets) - set(levels)):
            target = sla.targets[level]
            response = example_due(clock, target.response, job.today) \
                if clock is not None and target.response is not None else None
            resolution = example_due(clock, target.resolution, job.today) \
                if clock is not None else None
            meaning.rows.append({
                "sla": sla.name, "calendar": sla.calendar, "priority": level,
                "response": target.response,
                "responseDue": response.text if response is not None else None,
                "resolution": target.resolution,
                "resolutionDue": resolution.text if resolution is not None else None,
                "services": users.get(sla.name, 0)})

    cal_section = Section("calendars", "Calendars", [
        Column("calendar", "Calendar"), Column("timezone", "Timezone"),
        Column("hours", "Open"), Column("hoursPerWeek", "Hours/week", numeric=True),
        Column("slas", "SLAs")])
    by_calendar: dict[str, list[str]] = {}
    for sla in slas.values():
        by_calendar.setdefault(sla.calendar, []).append(sla.name)
    for calendar in sorted(calendars.values(), key=lambda c: c.name):
        clock = running.get(calendar.name)
        cal_section.rows.append({
            "calendar": calendar.name, "timezone": calendar.timezone,
            "hours": hours_text(calendar),
            "hoursPerWeek": weekly_hours(clock) if clock is not None else None,
            "slas": sorted(by_calendar.get(calendar.name, []))})

    without = [r["service"] for r in services.rows if r["sla"] is None]
    report.summary = [
        f"{plural(len(services.rows), 'service')} on {plural(len(slas), 'SLA')} and "
        f"{plural(len(calendars), 'calendar')}.",
        f"Without an SLA: {', '.join(str(s) for s in without)}." if without
        else "Every service has an SLA."]
    report.sections = [services, meaning, cal_section]
    return report
