"""The `spec` of every kind (docs/format.md). Every property has a description: it is what
editors show on hover and what `itsmctl explain` prints."""

from __future__ import annotations

from itsmctl import kinds as k
from itsmctl.kinds import KIND_NAMES, TICKET_TYPES
from itsmctl.schemas.build import (
    Schema,
    array,
    boolean,
    defn,
    duration,
    enum,
    obj,
    ref,
    refs,
    string,
    text,
)

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = dict(zip(DAYS, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                            "Saturday", "Sunday"], strict=True))
TIME_RANGE = r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"

_team = obj(
    "A team: who is in it and how to reach it. Teams own services and handle tickets.",
    {
        "email": string("The team's shared mailbox.", format="email"),
        "chat": string("The team's chat channel, e.g. #network-ops."),
        "forgeTeam": string(
            "The team on the forge, e.g. @acme/network-ops; used in CODEOWNERS.",
            pattern=r"^@[A-Za-z0-9-]+/[A-Za-z0-9._-]+$",
            **{"x-error": "a forge team is written @org/team"},
        ),
        "lead": defn("handle", "The forge handle of the team's lead (one of its members)."),
        "members": array(
            "The people in the team.",
            obj(
                "A team member.",
                {
                    "name": text("The person's full name."),
                    "email": string("The person's e-mail address.", format="email"),
                    "handle": defn("handle", "The person's user name on the forge."),
                },
                required=["name"],
            ),
        ),
    },
    required=["members"],
)

_calendar = obj(
    "A business calendar: when the SLA clock runs. Open during `hours` (local time in "
    "`timezone`) except on holidays, or always when `always: true`.",
    {
        "timezone": string("The IANA timezone of the hours and holidays, e.g. Europe/Berlin."),
        "always": boolean("Open 24 hours a day, 7 days a week (then give no `hours`)."),
        "hours": obj(
            "Opening hours per weekday: a list of HH:MM-HH:MM ranges (24:00 allowed as an end). "
            "A day that is not listed is closed.",
            {
                day: array(
                    f"Open ranges on {DAY_NAMES[day]}: a list of HH:MM-HH:MM (local time; "
                    "24:00 allowed as an end), e.g. [\"08:00-12:00\", \"13:00-17:00\"].",
                    string("An open range, HH:MM-HH:MM.", pattern=TIME_RANGE,
                           **{"x-error": "a range is HH:MM-HH:MM, e.g. 08:00-18:00"}),
                )
                for day in DAYS
            },
        ),
        "holidays": array(
            "Closed whole days (local), besides public holidays.",
            obj(
                "A closed day.",
                {"date": defn("date", "The day."), "name": string("What the day is.")},
                required=["date"],
            ),
        ),
        "publicHolidays": obj(
            "Public holidays of a country (and subdivision), from the `holidays` package.",
            {
                "country": string(
                    "ISO 3166-1 alpha-2 country code, e.g. DE. Quote NO (Norway).",
                    pattern="^[A-Z]{2}$",
                    **{"x-error": "a country is an ISO 3166-1 alpha-2 code such as DE or US"},
                ),
                "subdivision": string("A subdivision code, e.g. BY or CA."),
            },
            required=["country"],
        ),
    },
    required=["timezone"],
)

_level = obj(
    "A priority level.",
    {
        "name": string("The level's name, e.g. P1.", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$"),
        "title": string("A display title, e.g. Critical."),
        "description": string("When this level applies."),
    },
    required=["name"],
)

_priority_matrix = obj(
    "The priority matrix: priority levels and the level for each impact x urgency.",
    {
        "levels": array("The priority levels, most urgent first.", _level, minItems=1),
        "impact": array("Impact values, highest first.", string("An impact value."),
                        unique=True, minItems=1),
        "urgency": array("Urgency values, highest first.", string("An urgency value."),
                         unique=True, minItems=1),
        "matrix": {
            "type": "object",
            "description": "matrix[impact][urgency] = the priority level.",
            "additionalProperties": {
                "type": "object",
                "description": "Per urgency: the priority level.",
                "additionalProperties": string("A priority level's name."),
            },
        },
    },
    required=["levels", "impact", "urgency", "matrix"],
)

_target = obj(
    "Response and resolution targets for one priority level, in open calendar time.",
    {
        "response": duration("Time to the first response."),
        "resolution": duration("Time to resolution."),
    },
    required=["resolution"],
)

_sla = obj(
    "A service level agreement: targets per priority level, counted on a calendar.",
    {
        "calendar": ref(k.CALENDAR, "The calendar whose open time the targets count."),
        "appliesTo": array("The ticket types this SLA covers.", defn("ticketType", "A type."),
                           unique=True, default=["incident", "request"]),
        "targets": {
            "type": "object",
            "description": "Targets per priority level (a key for every level of the matrix).",
            "propertyNames": {"x-reference": k.PRIORITY_LEVEL},
            "additionalProperties": _target,
        },
        "escalations": array(
            "Who is notified as the resolution clock runs down, in ascending order.",
            obj(
                "An escalation.",
                {
                    "at": string(
                        "The share of the target elapsed, e.g. 75%.",
                        pattern=r"^(100|[1-9]?[0-9])(\.[0-9]+)?%$",
                        **{"x-error": "a threshold is a percentage such as 75%"},
                    ),
                    "notify": ref(k.TEAM, "The team to notify."),
                },
                required=["at", "notify"],
            ),
        ),
    },
    required=["calendar", "targets"],
)

_category = obj(
    "A ticket category (a two-level tree through `parent`).",
    {
        "parent": ref(k.CATEGORY, "The parent category."),
        "appliesTo": array("The ticket types that may use it.", defn("ticketType", "A type."),
                           unique=True),
        "assignmentGroup": ref(k.TEAM, "The team that gets tickets of this category."),
        "defaultPriority": {
            "type": "string",
            "description": "The priority level a new ticket gets (a level of the matrix).",
            "x-reference": k.PRIORITY_LEVEL,
        },
    },
)

_service = obj(
    "A service of the catalog: who owns and supports it, its SLA, workflows and dependencies.",
    {
        "owner": ref(k.TEAM, "The team accountable for the service."),
        "supportGroup": ref(k.TEAM, "The team that handles its tickets (default: the owner)."),
        "tier": {"type": "integer", "minimum": 1, "maximum": 4,
                 "description": "Business criticality, 1 (critical) to 4 (low)."},
        "lifecycle": enum("Where the service is in its life.",
                          ["planned", "production", "retiring", "retired"], "production"),
        "sla": ref(k.SLA, "The SLA its tickets are measured against."),
        "categories": refs(k.CATEGORY, "Ticket categories offered for this service."),
        "dependsOn": refs(k.SERVICE, "Services this one needs to work."),
        "workflows": obj(
            "The workflow per ticket type.",
            {t: ref(k.WORKFLOW, f"The workflow of {t} tickets.") for t in TICKET_TYPES},
        ),
        "maintenanceWindows": refs(k.MAINTENANCE_WINDOW, "When changes may be made."),
        "availabilityTarget": {"type": "number", "exclusiveMinimum": 0, "maximum": 100,
                               "description": "Target availability in percent, e.g. 99.9."},
        "links": array(
            "Links for people: runbooks, dashboards, documentation.",
            obj("A link.", {"title": text("What the link is."),
                            "url": string("The address.", pattern=r"^https?://\S+$")},
                required=["title", "url"]),
        ),
    },
    required=["owner"],
)

_form_field = obj(
    "A field of the request form.",
    {
        "name": string("The field's key.", pattern=r"^[a-z][a-z0-9_]*$",
                       **{"x-error": "a field name is lowercase letters, digits and '_'"}),
        "label": string("The question shown to the requester."),
        "type": enum("The kind of answer.",
                     ["text", "longtext", "number", "boolean", "date", "choice", "user"]),
        "required": boolean("Whether an answer is required.", default=False),
        "options": array("The allowed answers (only for `choice`).", string("An answer."),
                         unique=True),
        "help": string("Help text shown under the field."),
    },
    required=["name", "type"],
)

_catalog_item = obj(
    "A request item: something people can order from a service, with a form.",
    {
        "service": ref(k.SERVICE, "The service that fulfils it."),
        "category": ref(k.CATEGORY, "The ticket category of its requests."),
        "fulfillmentGroup": ref(k.TEAM, "The team that fulfils requests (default: the "
                                        "service's support group)."),
        "sla": ref(k.SLA, "The SLA of its requests (default: the service's SLA)."),
        "approvals": array(
            "Approvals needed before fulfilment: `manager` (the requester's manager) or a team.",
            {"$ref": "#/$defs/name", "x-reference": k.TEAM, "x-reference-except": ["manager"],
             "description": "`manager`, or the name of a Team."},
        ),
        "form": array("The request form.", _form_field),
        "workflow": ref(k.WORKFLOW, "The request workflow (default: the service's)."),
        "estimatedDelivery": duration("Typical time to fulfil, for the requester."),
    },
    required=["service"],
)

_state = obj(
    "A workflow state.",
    {
        "name": string("The state's name.", pattern=r"^[a-z][a-z0-9_-]*$",
                       **{"x-error": "a state name is lowercase letters, digits, '-' or '_'"}),
        "title": string("A display title."),
        "category": enum("What the state means.",
                         ["new", "active", "pending", "resolved", "closed", "cancelled"]),
        "sla": enum("The SLA clock in this state (default: paused for pending, stopped for "
                    "resolved/closed/cancelled, running otherwise).",
                    ["running", "paused", "stopped"]),
        "initial": boolean("The state new tickets start in (exactly one).", default=False),
    },
    required=["name", "category"],
)

_workflow = obj(
    "A ticket workflow: states and the transitions allowed between them.",
    {
        "appliesTo": defn("ticketType", "The one ticket type this workflow is for."),
        "states": array("The states.", _state, minItems=1),
        "transitions": array(
            "The allowed moves between states.",
            obj(
                "A transition.",
                {
                    "name": string("A label for the action, e.g. Resolve."),
                    "from": array("The states it starts from ('*' = any state).",
                                  string("A state name, or '*'."), minItems=1),
                    "to": string("The state it ends in."),
                    "requires": array("Fields that must be set to take it.",
                                      string("A field name.")),
                    "approval": ref(k.TEAM, "A team whose approval it needs."),
                },
                required=["from", "to"],
            ),
        ),
    },
    required=["appliesTo", "states"],
)

_maintenance_window = obj(
    "A recurring window in which changes to the services that list it may be made.",
    {
        "timezone": string("The IANA timezone of the rule's times."),
        "rrule": string("An RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=2.",
                        minLength=1),
        "duration": duration("How long each window lasts."),
    },
    required=["timezone", "rrule", "duration"],
)

_change_freeze = obj(
    "A period in which changes are frozen for the services in scope.",
    {
        "start": defn("dateOrDatetime", "When the freeze starts (a date: the whole day)."),
        "end": defn("dateOrDatetime", "When it ends (a date: to the end of that day)."),
        "timezone": string("The IANA timezone of plain dates (default: the repository's)."),
        "reason": string("Why changes are frozen."),
        "scope": obj(
            "What is frozen; empty or absent means every service.",
            {
                "tiers": array("Service tiers in scope.",
                               {"type": "integer", "minimum": 1, "maximum": 4,
                                "description": "A tier."}, unique=True),
                "services": refs(k.SERVICE, "Services in scope."),
            },
        ),
        "allowEmergency": boolean("Whether emergency changes may still go ahead.", default=True),
    },
    required=["start", "end"],
)

_standard_change = obj(
    "A pre-approved, low-risk, repeatable change (ITIL standard change template).",
    {
        "owner": ref(k.TEAM, "The team that owns the template."),
        "services": refs(k.SERVICE, "The services it may be used for."),
        "risk": enum("The risk of the change; standard changes are low risk.", ["low"], "low"),
        "implementationPlan": text("How the change is made."),
        "backoutPlan": text("How the change is undone."),
        "testPlan": text("How success is verified."),
        "maxDuration": duration("The longest the change may take."),
        "requireWindow": boolean("Whether it must run in a maintenance window.", default=False),
        "approval": enum("Approval needed per use: none, or a peer review.",
                         ["none", "peer"], "none"),
        "reviewBy": defn("date", "The template must be reviewed by this date; past it, "
                                 "the template is expired."),
    },
    required=["owner", "services", "implementationPlan", "backoutPlan", "testPlan", "reviewBy"],
)

_policy = obj(
    "An organisation policy over catalog documents, enforced by `itsmctl check`.",
    {
        "severity": enum("How serious a finding is.", ["error", "warning", "info"], "error"),
        "description": string("Why the policy exists."),
        "match": obj(
            "Which documents it applies to.",
            {
                "kinds": array("Kinds it applies to.", enum("A kind.", KIND_NAMES), unique=True),
                "when": defn("expression", "Only documents for which this is true."),
            },
        ),
        "assert": array(
            "Conditions every matched document must meet.",
            {
                "anyOf": [
                    defn("expression", "A condition."),
                    obj("A condition with the field it is about.",
                        {"that": defn("expression", "The condition."),
                         "path": string("The field the finding points at, e.g. spec.sla.")},
                        required=["that"]),
                ],
                "description": "A condition, or {that, path}.",
                "x-error": "an assertion is an expression, or {that: expression, path: field}",
            },
            minItems=1,
        ),
        "message": string("The finding's message (a template; sees `entity`).", minLength=1),
    },
    required=["assert", "message"],
)

_TEAM_OR_ROLE: Schema = {
    "oneOf": [{"required": ["team"]}, {"required": ["role"]}],
    "x-error": "give exactly one of `team` or `role`",
}

_approval_rule = obj(
    "Who must approve a change (a pull request or a change request) that matches `when`.",
    {
        "when": defn("expression", "An expression over the change."),
        "description": string("Why the approval is needed."),
        "require": array(
            "Approvals required.",
            obj(
                "One required approval: from a team, or by role.",
                {
                    "team": ref(k.TEAM, "A team whose members may approve."),
                    "count": {"type": "integer", "minimum": 1, "default": 1,
                              "description": "How many of the team's members must approve."},
                    "role": enum("A role: the owner of the affected services, or the CAB.",
                                 ["owner", "cab"]),
                },
                **_TEAM_OR_ROLE,
            ),
            minItems=1,
        ),
    },
    required=["when", "require"],
)

_waiver = obj(
    "A time-limited exception to one policy for named documents.",
    {
        "policy": ref(k.POLICY, "The policy waived."),
        "entities": array(
            "The documents exempted, as Kind/name.",
            {"type": "string", "pattern": r"^[A-Za-z]+/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
             "x-reference": k.ANY_DOCUMENT, "description": "A document, as Kind/name.",
             "x-error": "an entity is written Kind/name, e.g. Service/vpn"},
            minItems=1, uniqueItems=True,
        ),
        "reason": text("Why the exception is granted."),
        "expires": defn("date", "The last day the waiver applies."),
    },
    required=["policy", "entities", "reason", "expires"],
)

_change_request = obj(
    "A change request (RFC); the pull request that adds it is its review.",
    {
        "type": enum("The change type.", ["standard", "normal", "emergency"]),
        "template": ref(k.STANDARD_CHANGE, "The standard-change template (type standard)."),
        "summary": text("One line: what changes."),
        "description": string("Background and details."),
        "services": refs(k.SERVICE, "The services the change touches."),
        "start": defn("dateOrDatetime", "Planned start (a date: the start of that day)."),
        "end": defn("dateOrDatetime", "Planned end, exclusive (a date: to the end of that "
                                      "day)."),
        "timezone": string("The IANA timezone of plain dates and of the change calendar "
                           "(default: the repository's)."),
        "risk": enum("Assessed risk.", ["low", "medium", "high"]),
        "implementationPlan": text("How the change is made."),
        "backoutPlan": text("How the change is undone."),
        "testPlan": text("How success is verified."),
        "requestedBy": defn("handle", "The requester's forge handle."),
        "status": enum("Where the change stands.",
                       ["requested", "scheduled", "implemented", "failed", "cancelled"],
                       "requested"),
    },
    required=["type", "summary", "services", "start", "end"],
    allOf=[{"if": {"properties": {"type": {"const": "standard"}}, "required": ["type"]},
            "then": {"required": ["template"]}}],
)

KIND_SPECS: dict[str, Schema] = {
    k.TEAM: _team,
    k.CALENDAR: _calendar,
    k.PRIORITY_MATRIX: _priority_matrix,
    k.SLA: _sla,
    k.CATEGORY: _category,
    k.SERVICE: _service,
    k.CATALOG_ITEM: _catalog_item,
    k.WORKFLOW: _workflow,
    k.MAINTENANCE_WINDOW: _maintenance_window,
    k.CHANGE_FREEZE: _change_freeze,
    k.STANDARD_CHANGE: _standard_change,
    k.POLICY: _policy,
    k.APPROVAL_RULE: _approval_rule,
    k.WAIVER: _waiver,
    k.CHANGE_REQUEST: _change_request,
}

assert list(KIND_SPECS) == KIND_NAMES
