"""What Request Tracker should hold for a catalog: the objects and the configuration that
`build --target rt` writes and `plan`/`apply` compare with a live RT (docs/rt.md).

Everything here is plain data, keyed by catalog names (a queue by its team, a custom field
by `service`/`category`, a user by its login), never by RT's ids, which differ between
RT instances. RT objects that itsmctl manages carry a marker in their description (or,
for users, their comments), so a renamed queue is still recognised as the same queue.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

MANAGED_BY = "itsmctl"  # the value of "ManagedBy" in managed configuration entries
_MARKER = re.compile(r"\s*\[itsmctl ([a-z]+)/([^\]\s]+)\]\s*$")

# Principals that are not managed groups (their other rights are left alone)
EVERYONE = "everyone"
REQUESTOR = "role:Requestor"

# What support staff need on their queue, requesters on every managed queue, and
# everyone on the ticket fields (docs/rt.md#rights).
AGENT_RIGHTS = ("CommentOnTicket", "CreateTicket", "ModifyTicket", "OwnTicket",
                "ReplyToTicket", "SeeQueue", "ShowOutgoingEmail", "ShowTicket",
                "ShowTicketComments", "StealTicket", "TakeTicket", "Watch", "WatchAsAdminCc")
EVERYONE_RIGHTS = ("CreateTicket", "ReplyToTicket", "SeeQueue")
REQUESTOR_RIGHTS = ("ShowTicket",)
FIELD_RIGHTS = ("ModifyCustomField", "SeeCustomField")


def marker(kind: str, key: str) -> str:
    return f"[itsmctl {kind}/{key}]"


def with_marker(text: str, kind: str, key: str) -> str:
    return f"{text} {marker(kind, key)}".strip()


def parse_marker(text: str | None) -> tuple[str, str] | None:
    """(kind, key) of the itsmctl marker at the end of a description, or None."""
    match = _MARKER.search(text or "")
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class Queue:
    key: str  # the support group's team name
    name: str
    description: str  # with the marker
    lifecycle: str


@dataclass(frozen=True)
class Value:
    name: str
    description: str
    sort_order: int


@dataclass(frozen=True)
class CustomField:
    key: str  # service | category
    name: str
    description: str  # with the marker
    values: tuple[Value, ...]
    queues: tuple[str, ...]  # queue keys it applies to


@dataclass(frozen=True)
class User:
    key: str  # the login name
    email: str | None
    real_name: str

    @property
    def comments(self) -> str:
        return marker("user", self.key)


@dataclass(frozen=True)
class Group:
    key: str  # the team name
    name: str
    description: str  # with the marker
    members: tuple[str, ...]  # user keys


@dataclass(frozen=True)
class Grant:
    """Rights of one principal on one object: `group:<team>`, `everyone` or
    `role:Requestor` on `queue:<team>` or `customfield:<key>`."""

    principal: str
    object: str
    rights: tuple[str, ...]


@dataclass(frozen=True)
class Scrip:
    description: str  # with the marker
    condition: str  # the User Defined condition's code
    prepare: str
    commit: str


@dataclass
class Desired:
    queues: dict[str, Queue] = field(default_factory=dict)
    custom_fields: dict[str, CustomField] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    lifecycles: dict[str, dict[str, Any]] = field(default_factory=dict)
    levels: dict[str, dict[str, Any]] = field(default_factory=dict)  # %ServiceAgreements
    business_hours: dict[str, dict[str, Any]] = field(default_factory=dict)
    priorities: dict[str, list[Any]] = field(default_factory=dict)  # queue key -> [P1, 30, ...]
    scrip: Scrip | None = None
    mapping: dict[str, Any] = field(default_factory=dict)
    horizon: tuple[str, str] = ("", "")  # the days public holidays are expanded over

    def config(self) -> dict[str, Any]:
        """The RT configuration options, as RT's System Configuration editor takes them."""
        return {
            "Lifecycles": self.lifecycles,
            "ServiceAgreements": {"Levels": self.levels},
            "ServiceBusinessHours": self.business_hours,
            "PriorityAsString": {self.queues[key].name: levels
                                 for key, levels in sorted(self.priorities.items())},
        }

    def objects(self) -> dict[str, Any]:
        """The RT objects, for build/rt/objects.json."""
        return {
            "queues": [asdict(q) for q in self.queues.values()],
            "customFields": [asdict(cf) for cf in self.custom_fields.values()],
            "groups": [asdict(g) for g in self.groups.values()],
            "users": [{**asdict(u), "comments": u.comments} for u in self.users.values()],
            "rights": [asdict(g) for g in self.grants],
            "scrip": asdict(self.scrip) if self.scrip else None,
        }

    def digest(self) -> str:
        """A digest of everything `apply` would push: a saved plan is only applied to the
        catalog it was made from."""
        text = json.dumps({"objects": self.objects(), "config": self.config()},
                          sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
