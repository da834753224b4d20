"""The pages of the catalog site: what each shows, gathered from the catalog once
(reports.facts.Index) and handed to its template."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from itsmctl.changes.outcome import Evaluation, evaluate
from itsmctl.model.catalog import Catalog
from itsmctl.model.typed import (
    SLA,
    Calendar,
    CatalogItem,
    Category,
    ChangeFreeze,
    ChangeRequest,
    MaintenanceWindow,
    Service,
    StandardChange,
    Team,
    Typed,
    Workflow,
    priority_matrix,
)
from itsmctl.reports.facts import (
    Index,
    clocks,
    example_due,
    freeze_covers,
    holidays_text,
    hours_text,
    index_of,
    weekly_hours,
)
from itsmctl.targets.base import BuildInput
from itsmctl.targets.site import layout
from itsmctl.targets.site.chips import chips
from itsmctl.targets.site.render import macro, render
from itsmctl.targets.site.svg import draw
from itsmctl.timecalc import WEEKDAYS, Clock, clock_minutes, parse_instant
from itsmctl.validate.change_requests import Schedule

NEXT_OCCURRENCES = 3  # of a maintenance window, on its pages
PAGE_SIZE = 250  # rows of a list page: keeps every page small on a large catalog
SHOWN = 60  # names listed in a card before "and N more"
T = TypeVar("T")
N = TypeVar("N", bound=Typed)

KIND_PAGES = {  # kind -> (folder of its pages, list page, title of the list)
    "Service": ("services", "services.html", "Services"),
    "Team": ("teams", "teams.html", "Teams"),
    "SLA": ("slas", "slas.html", "SLAs"),
    "Calendar": ("calendars", "calendars.html", "Calendars"),
    "CatalogItem": ("items", "items.html", "Request items"),
    "Workflow": ("workflows", "workflows.html", "Workflows"),
    "StandardChange": ("standard-changes", "standard-changes.html", "Standard changes"),
}
NAV = [("services.html", "Services"), ("teams.html", "Teams"), ("slas.html", "SLAs"),
       ("calendars.html", "Calendars"), ("categories.html", "Categories"),
       ("items.html", "Request items"), ("workflows.html", "Workflows"),
       ("standard-changes.html", "Standard changes"), ("change-calendar.html", "Change calendar")]


def page_of(kind: str, name: str) -> str:
    return f"{KIND_PAGES[kind][0]}/{name}.html"


def _span(begin: float, end: float, tz: dt.tzinfo) -> str:
    start, finish = dt.datetime.fromtimestamp(begin, tz), dt.datetime.fromtimestamp(end, tz)
    until = f"{finish:%H:%M}" if finish.date() == start.date() else f"{finish:%a %d %b %H:%M}"
    return f"{start:%a %d %b %H:%M}–{until} {start:%Z}"


def by_name(values: Iterable[N]) -> list[N]:
    return sorted(values, key=lambda v: v.name)


@dataclass(frozen=True)
class Page:
    path: str
    html: str


def pages_of(items: Sequence[T], size: int = PAGE_SIZE) -> list[Sequence[T]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [items]


def list_path(base: str, number: int) -> str:
    return base if number == 1 else base.replace(".html", f"-{number}.html")


def _week(calendar: Calendar) -> list[dict[str, Any]]:
    """The calendar's week as bars on a 24-hour scale (percent of the day)."""
    out = []
    for day in WEEKDAYS:
        ranges: tuple[str, ...] = ("00:00-24:00",) if calendar.always else \
            tuple((calendar.hours or {}).get(day, ()))
        bars = []
        for text in ranges:
            start, end = (clock_minutes(t) for t in text.split("-"))
            bars.append({"left": round(start / 14.4, 3), "width": round((end - start) / 14.4, 3),
                         "text": text})
        out.append({"day": day.capitalize(), "bars": bars})
    return out


class Site:
    """One build of the site: the catalog's indexes, clocks and upcoming dates, shared by
    every page."""

    def __init__(self, job: BuildInput) -> None:
        self.catalog: Catalog = job.catalog
        self.today = job.now.date()
        self.ix: Index = index_of(job.catalog)
        self.clocks: dict[str, Clock] = clocks(job.catalog)
        self.default_tz = job.config.default_timezone
        c = job.catalog
        self.services = by_name(c.typed(Service).values())
        self.service_map = {s.name: s for s in self.services}
        self.teams = {t.name: t for t in by_name(c.typed(Team).values())}
        self.slas = {s.name: s for s in by_name(c.typed(SLA).values())}
        self.calendars = {x.name: x for x in by_name(c.typed(Calendar).values())}
        self.categories = {x.name: x for x in by_name(c.typed(Category).values())}
        self.items = {x.name: x for x in by_name(c.typed(CatalogItem).values())}
        self.workflows = {x.name: x for x in by_name(c.typed(Workflow).values())}
        self.windows = {x.name: x for x in by_name(c.typed(MaintenanceWindow).values())}
        self.freezes = by_name(c.typed(ChangeFreeze).values())
        self.templates = {x.name: x for x in by_name(c.typed(StandardChange).values())}
        self.changes = by_name(c.typed(ChangeRequest).values())
        self.matrix = priority_matrix(c)
        self.levels = self.matrix.level_names if self.matrix else sorted(
            {lv for s in self.slas.values() for lv in s.targets})
        self.level_titles = {lv.name: lv.title for lv in self.matrix.levels} \
            if self.matrix else {}
        self._sla_rows: dict[str, list[dict[str, Any]]] = {}
        self._freeze_text = {f.name: self._period(f) for f in self.freezes}
        self._fragments: dict[tuple[str, ...], Any] = {}
        self._boxes: dict[tuple[str, str, bool], layout.Box] = {}
        self.now, self.config = job.now, job.config
        self.day_start = dt.datetime.combine(self.today, dt.time(),
                                             tzinfo=dt.timezone.utc).timestamp()
        self.schedule = Schedule.of(job.catalog, job.config)
        self._occurrences: dict[str, list[str]] = {}
        self._evaluations: dict[str, Evaluation] = {}

    def sla_section(self, sla: SLA, root: str) -> Any:
        key = ("sla", sla.name, root)
        if key not in self._fragments:
            self._fragments[key] = macro("service_level")(
                root, sla, self.sla_rows(sla.name), self.calendar_facts(sla.calendar))
        return self._fragments[key]

    def fragment(self, key: tuple[str, ...], name: str, *args: Any) -> Any:
        """A macro's output, rendered once for every page that shows the same thing."""
        if key not in self._fragments:
            self._fragments[key] = macro(name)(*args)
        return self._fragments[key]

    # -- shared pieces -------------------------------------------------------------------

    def _render(self, view: str, path: str, title: str, **context: Any) -> Page:
        root = "../" * path.count("/")
        nav = self.fragment(("nav", root), "navigation", root, NAV)
        return Page(path, render(view, root=root, title=title, nav=nav, site=self,
                                 inline_css=None, standalone=False, **context))

    def _period(self, freeze: ChangeFreeze) -> dict[str, Any]:
        tz = freeze.timezone or self.default_tz
        try:
            start = parse_instant(freeze.start, tz)
            end = parse_instant(freeze.end, tz, end_of_day=True)
        except ValueError:
            return {"text": f"{freeze.start} – {freeze.end}", "state": "unknown"}
        today = dt.datetime.combine(self.today, dt.time(), tzinfo=dt.timezone.utc)
        state = "past" if end <= today else "current" if start <= today else "upcoming"
        return {"text": f"{freeze.start} – {freeze.end} ({tz})", "state": state}

    def window_occurrences(self, name: str) -> list[str]:
        """The next occurrences of a maintenance window from the build's day, in the
        window's timezone ('Tue 24 Nov 20:00-22:00 CET')."""
        if name not in self._occurrences:
            window = self.schedule.windows.get(name)
            found = [] if window is None else list(itertools.islice(
                window.recurrence.upcoming(self.day_start), NEXT_OCCURRENCES))
            self._occurrences[name] = [_span(begin, end, window.recurrence.tz)
                                       for begin, end in found] if window else []
        return self._occurrences[name]

    def evaluation(self, change: ChangeRequest) -> Evaluation:
        """A change request's outcome, problems and collisions (change enablement's)."""
        if change.name not in self._evaluations:
            self._evaluations[change.name] = evaluate(self.catalog, change, self.now,
                                                      self.config)
        return self._evaluations[change.name]

    def freeze(self, name: str) -> dict[str, Any]:
        return self._freeze_text[name]

    def sla_rows(self, name: str) -> list[dict[str, Any]]:
        """Targets per level with what the resolution target means on the calendar."""
        if name not in self._sla_rows:
            sla = self.slas[name]
            clock = self.clocks.get(sla.calendar)
            rows = []
            for level in [lv for lv in self.levels if lv in sla.targets]:
                target = sla.targets[level]
                example = example_due(clock, target.resolution, self.today) \
                    if clock is not None else None
                rows.append({"level": level, "title": self.level_titles.get(level),
                             "response": target.response, "resolution": target.resolution,
                             "example": example.text if example else None})
            self._sla_rows[name] = rows
        return self._sla_rows[name]

    def calendar_facts(self, name: str) -> dict[str, Any] | None:
        calendar = self.calendars.get(name)
        if calendar is None:
            return None
        clock = self.clocks.get(name)
        return {"calendar": calendar, "hours": hours_text(calendar),
                "weekly": weekly_hours(clock) if clock is not None else None,
                "holidays": holidays_text(calendar), "week": _week(calendar)}

    def box(self, service: Service, root: str, center: bool = False) -> layout.Box:
        key = (service.name, root, center)
        found = self._boxes.get(key)
        if found is None:
            found = self._boxes[key] = self._box(service, root, center)
        return found

    def _box(self, service: Service, root: str, center: bool) -> layout.Box:
        tier = f"tier {service.tier}" if service.tier is not None else "no tier"
        cls = f"svc tier-{service.tier or 0} {service.lifecycle}" + (" center" if center else "")
        return layout.Box(service.name, service.title, f"{service.name} · {tier}", cls,
                          None if center else f"{root}services/{service.name}.html",
                          f"{service.title} ({service.name}, {tier}, {service.lifecycle})")

    # -- pages ---------------------------------------------------------------------------

    def service(self, service: Service) -> Page:
        path = page_of("Service", service.name)
        root = "../"
        known = self.service_map
        dependencies = [known[n] for n in sorted(set(service.depends_on)) if n in known]
        dependants = self.ix.dependants.get(service.name, [])
        diagram = layout.neighbourhood(
            "deps", f"Neighbourhood of {service.title}", self.box(service, root, True),
            [self.box(s, root) for s in dependants], [self.box(s, root) for s in dependencies],
            "#dependencies")
        changes = [c for c in self.ix.changes.get(service.name, []) if c.in_flight]
        owner = self.teams.get(service.owner)
        sla = self.slas.get(service.sla) if service.sla else None
        cats = tuple(c for c in service.categories if c in self.categories)
        flows = tuple(sorted(service.workflows.items()))
        wins = tuple(w for w in service.maintenance_windows if w in self.windows)
        frozen = tuple(f.name for f in self.freezes if freeze_covers(f, service))
        return self._render(
            "service.html", path, service.title, service=service,
            meta=service.entity.metadata, owner=owner,
            owner_card=self.fragment(("team", "Owner", service.owner), "team_card", root,
                                     "Owner", owner, service.owner),
            support_card=self.fragment(
                ("team", "Support", service.support_group), "team_card", root, "Support",
                self.teams.get(service.support_group), service.support_group),
            sla=sla,
            sla_section=None if sla is None else self.sla_section(sla, root),
            categories_html=self.fragment(("categories", *cats), "categories_card", root,
                                          [self.categories[c] for c in cats]),
            workflows_html=self.fragment(("workflows", *(f"{k}={v}" for k, v in flows)),
                                         "workflows_card", root, flows),
            windows_html=self.fragment(("windows", *wins), "windows_list", root, self,
                                       [self.windows[w] for w in wins]),
            freezes_html=self.fragment(("freezes", *frozen), "freezes_list", root, self,
                                       [f for f in self.freezes if f.name in frozen]),
            items=self.ix.items.get(service.name, []),
            templates=self.ix.standard_changes.get(service.name, []),
            changes=changes, dependencies=dependencies, dependants=dependants,
            diagram=draw(diagram), workflows=sorted(service.workflows.items()),
            badges=self.fragment(("badges", str(service.tier), service.lifecycle), "badges",
                                 service.tier, service.lifecycle),
            dependencies_html=chips(root, "services", dependencies, 500, "Nothing."),
            dependants_html=chips(root, "services", dependants, 500, "No other service."),
            templates_html=chips(root, "standard-changes",
                                 self.ix.standard_changes.get(service.name, []), 50,
                                 "No pre-approved standard change."))

    def team(self, team: Team) -> Page:
        ix = self.ix
        return self._render(
            "team.html", page_of("Team", team.name), team.title, team=team,
            meta=team.entity.metadata, owns=ix.owned.get(team.name, []),
            supports=[s for s in ix.supported.get(team.name, []) if s.owner != team.name],
            categories=ix.assigned.get(team.name, []), items=ix.fulfilled.get(team.name, []),
            templates=ix.team_standard_changes.get(team.name, []),
            escalations=ix.escalated_to.get(team.name, []), shown=SHOWN)

    def sla(self, sla: SLA) -> Page:
        return self._render(
            "sla.html", page_of("SLA", sla.name), sla.title, sla=sla, meta=sla.entity.metadata,
            rows=self.sla_rows(sla.name), calendar=self.calendar_facts(sla.calendar),
            services=self.ix.sla_services.get(sla.name, []),
            items=self.ix.sla_items.get(sla.name, []), shown=SHOWN)

    def calendar(self, calendar: Calendar) -> Page:
        clock = self.clocks.get(calendar.name)
        upcoming = []
        if clock is not None and not calendar.always:
            for offset in range(366):
                day = self.today + dt.timedelta(days=offset)
                name = clock.holiday(day)
                if name is not None:
                    upcoming.append({"date": day.isoformat(), "weekday": day.strftime("%a"),
                                     "name": name})
        return self._render(
            "calendar.html", page_of("Calendar", calendar.name), calendar.title,
            facts=self.calendar_facts(calendar.name), meta=calendar.entity.metadata,
            upcoming=upcoming, slas=self.ix.calendar_slas.get(calendar.name, []))

    def item(self, item: CatalogItem) -> Page:
        return self._render(
            "item.html", page_of("CatalogItem", item.name), item.title, item=item,
            meta=item.entity.metadata, service=self.service_map.get(item.service))

    def workflow(self, workflow: Workflow) -> Page:
        boxes = []
        for state in workflow.states:
            clock = {"running": "clock runs", "paused": "clock paused",
                     "stopped": "clock stops"}.get(state.sla, state.sla)
            boxes.append(layout.Box(state.name, state.title or state.name,
                                    f"{state.category} · {clock}",
                                    f"state {state.category}" + (" initial" if state.initial
                                                                 else "")))
        initial = next((s.name for s in workflow.states if s.initial), None)
        arrows = []
        for transition in workflow.transitions:
            label = transition.name or ""
            tip = [f"to {transition.to}"]
            if transition.requires:
                tip.append("requires " + ", ".join(transition.requires))
            if transition.approval:
                tip.append(f"approval by {transition.approval}")
                label = label or f"✓ {transition.approval}"
            for source in transition.sources:
                arrows.append(layout.Arrow(source, transition.to, label, "; ".join(tip)))
        diagram = layout.state_diagram("states", f"States of {workflow.title}", boxes,
                                       initial, arrows)
        return self._render(
            "workflow.html", page_of("Workflow", workflow.name), workflow.title,
            workflow=workflow, meta=workflow.entity.metadata, diagram=draw(diagram),
            users=self.ix.workflow_users.get(workflow.name, []), shown=SHOWN)

    def template(self, template: StandardChange) -> Page:
        review_by = dt.date.fromisoformat(template.review_by)
        return self._render(
            "standard_change.html", page_of("StandardChange", template.name), template.title,
            template=template, meta=template.entity.metadata,
            review_days=(review_by - self.today).days,
            services=[self.service_map[n] for n in template.services
                      if n in self.service_map])

    def categories_page(self) -> Page:
        return self._render("categories.html", "categories.html", "Categories",
                            tree=self.ix.children, roots=self.ix.children.get(None, []),
                            items=self.ix.category_items,
                            services=self.ix.category_services, shown=SHOWN)

    def change_calendar(self) -> Page:
        in_flight = [c for c in self.changes if c.in_flight]
        done = [c for c in self.changes if not c.in_flight]
        return self._render("change_calendar.html", "change-calendar.html", "Change calendar",
                            in_flight=in_flight, done=done, freezes=self.freezes,
                            windows=list(self.windows.values()),
                            window_services=self.ix.window_services, shown=SHOWN)

    def lists(self) -> Iterator[Page]:
        kinds: list[tuple[str, Sequence[Typed]]] = [
            ("Service", self.services), ("Team", list(self.teams.values())),
            ("SLA", list(self.slas.values())), ("Calendar", list(self.calendars.values())),
            ("CatalogItem", list(self.items.values())),
            ("Workflow", list(self.workflows.values())),
            ("StandardChange", list(self.templates.values()))]
        for kind, values in kinds:
            _folder, base, title = KIND_PAGES[kind]
            chunks = pages_of(values)
            pager = [list_path(base, n) for n in range(1, len(chunks) + 1)]
            for number, chunk in enumerate(chunks, 1):
                yield self._render("list.html", list_path(base, number), title, kind=kind,
                                   rows=chunk, number=number, pager=pager, total=len(values),
                                   folder=KIND_PAGES[kind][0])

    def index(self) -> Page:
        tiers: dict[str, int] = {}
        lifecycles: dict[str, int] = {}
        domains: dict[str, int] = {}
        for service in self.services:
            tier = f"Tier {service.tier}" if service.tier is not None else "No tier"
            tiers[tier] = tiers.get(tier, 0) + 1
            lifecycles[service.lifecycle] = lifecycles.get(service.lifecycle, 0) + 1
            domain = str(service.entity.metadata.get("labels", {}).get("domain", "(none)"))
            domains[domain] = domains.get(domain, 0) + 1
        counts = [("services.html", "Services", len(self.services)),
                  ("teams.html", "Teams", len(self.teams)),
                  ("slas.html", "SLAs", len(self.slas)),
                  ("calendars.html", "Calendars", len(self.calendars)),
                  ("categories.html", "Categories", len(self.categories)),
                  ("items.html", "Request items", len(self.items)),
                  ("workflows.html", "Workflows", len(self.workflows)),
                  ("standard-changes.html", "Standard changes", len(self.templates)),
                  ("change-calendar.html", "Change requests", len(self.changes))]
        total = max(1, len(self.services))
        return self._render(
            "index.html", "index.html", "Service catalog", counts=counts,
            tiers=sorted(tiers.items()), lifecycles=sorted(lifecycles.items()),
            domains=sorted(domains.items(), key=lambda kv: (-kv[1], kv[0]))[:24],
            total=total, freezes=[f for f in self.freezes
                                  if self.freeze(f.name)["state"] != "past"],
            in_flight=[c for c in self.changes if c.in_flight][:8])


def search_entries(site: Site) -> list[dict[str, str]]:
    """What the search box finds: every page-worthy document, in a compact form."""
    out: list[dict[str, str]] = []

    def add(kind: str, label: str, value: Typed, url: str, extra: str = "") -> None:
        meta = value.entity.metadata
        out.append({"k": label, "n": value.name, "t": value.title,
                    "d": str(meta.get("description") or ""), "u": url, "x": extra})

    for service in site.services:
        labels = service.entity.metadata.get("labels", {})
        add("Service", "service", service, page_of("Service", service.name),
            " ".join([service.owner, service.support_group, *map(str, labels.values())]))
    for team in site.teams.values():
        add("Team", "team", team, page_of("Team", team.name),
            " ".join(m.name for m in team.members))
    for sla in site.slas.values():
        add("SLA", "SLA", sla, page_of("SLA", sla.name), sla.calendar)
    for calendar in site.calendars.values():
        add("Calendar", "calendar", calendar, page_of("Calendar", calendar.name),
            calendar.timezone)
    for category in site.categories.values():
        add("Category", "category", category, f"categories.html#category-{category.name}")
    for item in site.items.values():
        add("CatalogItem", "request item", item, page_of("CatalogItem", item.name),
            item.service)
    for workflow in site.workflows.values():
        add("Workflow", "workflow", workflow, page_of("Workflow", workflow.name),
            workflow.applies_to)
    for template in site.templates.values():
        add("StandardChange", "standard change", template,
            page_of("StandardChange", template.name), " ".join(template.services))
    return out


def search_files(site: Site) -> dict[str, bytes]:
    entries = search_entries(site)
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # As a script too: a page opened from file:// may not fetch() a JSON file.
    script = "window.ITSMCTL_SEARCH=" + text.replace("</", "<\\/") + ";\n"
    return {"assets/search-index.json": (text + "\n").encode(),
            "assets/search-index.js": script.encode()}
