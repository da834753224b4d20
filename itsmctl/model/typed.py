"""Typed kinds: what the logic works with, built once from valid entities.

The user-facing format is the JSON Schema of each kind (itsmctl/schemas/kinds.py); these
classes are the internal model the checks, the SLA clock, change enablement and the
build targets read. Inherited values (itsmctl.model.inherit) are already filled in.
Each keeps its `entity`, for positions and for the fields the logic does not type.
Kinds compare by identity; their small parts are named tuples (cheap to define and make).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, TypeVar

from itsmctl import kinds
from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.catalog import Catalog
from itsmctl.model.documents import Entity
from itsmctl.model.inherit import inherited, state_clock
from itsmctl.text import FieldPath, parse_percent

T = TypeVar("T", bound="Typed")


@dataclass(frozen=True, eq=False, repr=False)
class Typed:
    KIND: ClassVar[str] = ""
    entity: Entity = field(repr=False, compare=False)

    def __repr__(self) -> str:
        return f"<{self.ref}>"

    @property
    def name(self) -> str:
        return self.entity.name

    @property
    def title(self) -> str:
        return self.entity.title

    @property
    def ref(self) -> str:
        return self.entity.ref

    def diagnostic(self, rule: Rule, message: str, path: FieldPath = (), key: bool = False,
                   severity: Severity | None = None) -> Diagnostic:
        return self.entity.diagnostic(rule, message, path, key, severity)


def _spec(entity: Entity, catalog: Catalog) -> dict[str, Any]:
    """The entity's spec with its inherited values."""
    extra = inherited(catalog, entity.kind, entity.spec)
    return {**entity.spec, **extra} if extra else entity.spec


class Member(NamedTuple):
    name: str
    email: str | None
    handle: str | None


@dataclass(frozen=True, eq=False, repr=False)
class Team(Typed):
    KIND: ClassVar[str] = kinds.TEAM
    email: str | None
    chat: str | None
    forge_team: str | None
    lead: str | None
    members: tuple[Member, ...]

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> Team:
        s = entity.spec
        return cls(entity, s.get("email"), s.get("chat"), s.get("forgeTeam"), s.get("lead"),
                   tuple(Member(m["name"], m.get("email"), m.get("handle"))
                         for m in s["members"]))

    @property
    def handles(self) -> tuple[str, ...]:
        return tuple(m.handle for m in self.members if m.handle)


class Holiday(NamedTuple):
    date: str
    name: str | None


@dataclass(frozen=True, eq=False, repr=False)
class Calendar(Typed):
    KIND: ClassVar[str] = kinds.CALENDAR
    timezone: str
    always: bool
    hours: Mapping[str, tuple[str, ...]] | None  # None: not given
    holidays: tuple[Holiday, ...]
    public_holidays: tuple[str, str | None] | None  # (country, subdivision)

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> Calendar:
        s = entity.spec
        hours = s.get("hours")
        public = s.get("publicHolidays")
        return cls(entity, s["timezone"], bool(s.get("always", False)),
                   {day: tuple(ranges) for day, ranges in hours.items()}
                   if hours is not None else None,
                   tuple(Holiday(h["date"], h.get("name")) for h in s.get("holidays", [])),
                   (public["country"], public.get("subdivision")) if public else None)

    @property
    def opens(self) -> bool:
        """Whether the calendar has any opening at all by its definition."""
        return self.always or any((self.hours or {}).values())


class Level(NamedTuple):
    name: str
    title: str | None


@dataclass(frozen=True, eq=False, repr=False)
class PriorityMatrix(Typed):
    KIND: ClassVar[str] = kinds.PRIORITY_MATRIX
    levels: tuple[Level, ...]
    impact: tuple[str, ...]
    urgency: tuple[str, ...]
    matrix: Mapping[str, Mapping[str, str]]

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> PriorityMatrix:
        s = entity.spec
        return cls(entity, tuple(Level(lv["name"], lv.get("title")) for lv in s["levels"]),
                   tuple(s["impact"]), tuple(s["urgency"]), s["matrix"])

    @property
    def level_names(self) -> list[str]:
        return [level.name for level in self.levels]


class Target(NamedTuple):
    response: str | None
    resolution: str


class Escalation(NamedTuple):
    at: str  # as written, e.g. "75%"
    percent: float
    notify: str


@dataclass(frozen=True, eq=False, repr=False)
class SLA(Typed):
    KIND: ClassVar[str] = kinds.SLA
    calendar: str
    applies_to: tuple[str, ...]
    targets: Mapping[str, Target]
    escalations: tuple[Escalation, ...]

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> SLA:
        s = entity.spec
        return cls(entity, s["calendar"], tuple(s.get("appliesTo", ("incident", "request"))),
                   {level: Target(t.get("response"), t["resolution"])
                    for level, t in s["targets"].items()},
                   tuple(Escalation(e["at"], parse_percent(e["at"]), e["notify"])
                         for e in s.get("escalations", [])))


@dataclass(frozen=True, eq=False, repr=False)
class Category(Typed):
    KIND: ClassVar[str] = kinds.CATEGORY
    parent: str | None
    applies_to: tuple[str, ...]
    assignment_group: str | None  # its own, else the nearest ancestor's
    default_priority: str | None

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> Category:
        s = _spec(entity, catalog)
        return cls(entity, s.get("parent"), tuple(s.get("appliesTo", ())),
                   s.get("assignmentGroup"), s.get("defaultPriority"))


@dataclass(frozen=True, eq=False, repr=False)
class Service(Typed):
    KIND: ClassVar[str] = kinds.SERVICE
    owner: str
    support_group: str  # defaults to the owner
    tier: int | None
    lifecycle: str
    sla: str | None
    categories: tuple[str, ...]
    depends_on: tuple[str, ...]
    workflows: Mapping[str, str]
    maintenance_windows: tuple[str, ...]
    availability_target: float | None

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> Service:
        s = _spec(entity, catalog)
        return cls(entity, s["owner"], s["supportGroup"], s.get("tier"),
                   s.get("lifecycle", "production"), s.get("sla"),
                   tuple(s.get("categories", ())), tuple(s.get("dependsOn", ())),
                   s.get("workflows", {}), tuple(s.get("maintenanceWindows", ())),
                   s.get("availabilityTarget"))


class FormField(NamedTuple):
    name: str
    type: str
    label: str | None
    required: bool
    options: tuple[str, ...] | None
    help: str | None


@dataclass(frozen=True, eq=False, repr=False)
class CatalogItem(Typed):
    KIND: ClassVar[str] = kinds.CATALOG_ITEM
    service: str
    category: str | None
    fulfillment_group: str | None  # default: the service's support group
    sla: str | None  # default: the service's SLA
    workflow: str | None  # default: the service's request workflow
    approvals: tuple[str, ...]
    form: tuple[FormField, ...]
    estimated_delivery: str | None

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> CatalogItem:
        s = _spec(entity, catalog)
        return cls(entity, s["service"], s.get("category"), s.get("fulfillmentGroup"),
                   s.get("sla"), s.get("workflow"), tuple(s.get("approvals", ())),
                   tuple(FormField(f["name"], f["type"], f.get("label"),
                                   bool(f.get("required", False)),
                                   tuple(f["options"]) if "options" in f else None, f.get("help"))
                         for f in s.get("form", [])),
                   s.get("estimatedDelivery"))


class State(NamedTuple):
    name: str
    title: str | None
    category: str
    sla: str  # running | paused | stopped, by default from the category
    initial: bool


class Transition(NamedTuple):
    name: str | None
    sources: tuple[str, ...]  # '*' = any state
    to: str
    requires: tuple[str, ...]
    approval: str | None


@dataclass(frozen=True, eq=False, repr=False)
class Workflow(Typed):
    KIND: ClassVar[str] = kinds.WORKFLOW
    applies_to: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> Workflow:
        s = entity.spec
        return cls(entity, s["appliesTo"],
                   tuple(State(st["name"], st.get("title"), st["category"], state_clock(st),
                               bool(st.get("initial", False))) for st in s["states"]),
                   tuple(Transition(t.get("name"), tuple(t["from"]), t["to"],
                                    tuple(t.get("requires", ())), t.get("approval"))
                         for t in s.get("transitions", [])))

    @property
    def state_names(self) -> list[str]:
        return [state.name for state in self.states]


@dataclass(frozen=True, eq=False, repr=False)
class MaintenanceWindow(Typed):
    KIND: ClassVar[str] = kinds.MAINTENANCE_WINDOW
    timezone: str
    rrule: str
    duration: str

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> MaintenanceWindow:
        s = entity.spec
        return cls(entity, s["timezone"], s["rrule"], s["duration"])


@dataclass(frozen=True, eq=False, repr=False)
class ChangeFreeze(Typed):
    KIND: ClassVar[str] = kinds.CHANGE_FREEZE
    start: str
    end: str
    timezone: str | None  # of plain dates; None: the repository's default
    reason: str | None
    tiers: tuple[int, ...]
    services: tuple[str, ...]
    allow_emergency: bool

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> ChangeFreeze:
        s = entity.spec
        scope = s.get("scope", {})
        return cls(entity, s["start"], s["end"], s.get("timezone"), s.get("reason"),
                   tuple(scope.get("tiers", ())), tuple(scope.get("services", ())),
                   bool(s.get("allowEmergency", True)))

    @property
    def everything(self) -> bool:
        """No scope: every service is frozen."""
        return not self.tiers and not self.services


@dataclass(frozen=True, eq=False, repr=False)
class StandardChange(Typed):
    KIND: ClassVar[str] = kinds.STANDARD_CHANGE
    owner: str
    services: tuple[str, ...]
    risk: str
    implementation_plan: str
    backout_plan: str
    test_plan: str
    max_duration: str | None
    require_window: bool
    approval: str
    review_by: str

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> StandardChange:
        s = entity.spec
        return cls(entity, s["owner"], tuple(s["services"]), s.get("risk", "low"),
                   s["implementationPlan"], s["backoutPlan"], s["testPlan"],
                   s.get("maxDuration"), bool(s.get("requireWindow", False)),
                   s.get("approval", "none"), s["reviewBy"])


@dataclass(frozen=True, eq=False, repr=False)
class ChangeRequest(Typed):
    KIND: ClassVar[str] = kinds.CHANGE_REQUEST
    type: str
    template: str | None
    summary: str
    description: str | None
    services: tuple[str, ...]
    start: str
    end: str
    risk: str | None
    implementation_plan: str | None
    backout_plan: str | None
    test_plan: str | None
    requested_by: str | None
    status: str
    timezone: str | None = None  # of plain dates; None: the repository's default

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> ChangeRequest:
        s = entity.spec
        return cls(entity, s["type"], s.get("template"), s["summary"], s.get("description"),
                   tuple(s["services"]), s["start"], s["end"], s.get("risk"),
                   s.get("implementationPlan"), s.get("backoutPlan"), s.get("testPlan"),
                   s.get("requestedBy"), s.get("status", "requested"), s.get("timezone"))

    @property
    def in_flight(self) -> bool:
        return self.status in ("requested", "scheduled")


@dataclass(frozen=True, eq=False, repr=False)
class Waiver(Typed):
    KIND: ClassVar[str] = kinds.WAIVER
    policy: str
    entities: tuple[str, ...]
    reason: str
    expires: str

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> Waiver:
        s = entity.spec
        return cls(entity, s["policy"], tuple(s["entities"]), str(s["reason"]).strip(),
                   s["expires"])


class Requirement(NamedTuple):
    team: str | None
    role: str | None  # owner | cab
    number: int  # how many approvals (the document's `count`)


@dataclass(frozen=True, eq=False, repr=False)
class ApprovalRule(Typed):
    KIND: ClassVar[str] = kinds.APPROVAL_RULE
    when: str
    description: str | None
    require: tuple[Requirement, ...]

    @classmethod
    def build(cls, entity: Entity, catalog: Catalog) -> ApprovalRule:
        s = entity.spec
        return cls(entity, s["when"], s.get("description"),
                   tuple(Requirement(r.get("team"), r.get("role"), int(r.get("count", 1)))
                         for r in s["require"]))


def priority_matrix(catalog: Catalog) -> PriorityMatrix | None:
    """The one priority matrix, or None when there is none (or several)."""
    matrices = list(catalog.typed(PriorityMatrix).values())
    return matrices[0] if len(matrices) == 1 else None
