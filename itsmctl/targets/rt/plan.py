"""The plan: what `apply` would change in a live RT to make it hold the catalog, object by
object and field by field, with what each change expects to find (so a change made in
RT between plan and apply is refused, not overwritten). Only objects itsmctl manages are
changed; unmanaged ones with a wanted name are adopted only when asked (docs/rt.md)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.targets.rt.client import Client
from itsmctl.targets.rt.desired import EVERYONE, MANAGED_BY, REQUESTOR, Desired, Grant
from itsmctl.targets.rt.state import TICKET_CF, Live, Record

CREATE, UPDATE, DISABLE, ADOPT = "create", "update", "disable", "adopt"
ACTIONS = (CREATE, UPDATE, DISABLE, ADOPT)
PLAN_FORMAT = "itsmctl-rt-plan/1"
LEVELS = ("ServiceAgreements", "Levels")
OBJECT_CLASS = {"queue": "RT::Queue", "customfield": "RT::CustomField"}


@dataclass(frozen=True)
class Diff:
    field: str
    before: Any
    after: Any


@dataclass
class Change:
    action: str  # create | update | disable | adopt
    kind: str  # user, group, members, lifecycle, queue, customfield, values, field-queues,
    # config, rights, scrip
    key: str  # the catalog's name for it
    label: str  # RT's name for it
    diffs: list[Diff] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)  # what apply needs, incl. what
    # it expects to find (an ETag, or the value as read)


@dataclass
class Plan:
    url: str
    version: str
    digest: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ids: dict[str, Any] = field(default_factory=dict)  # RT ids of what exists, by key
    prune: bool = False
    adopt: bool = False

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_json(self) -> str:
        data = {"format": PLAN_FORMAT, **asdict(self)}
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, origin: str) -> Plan:
        try:
            data = json.loads(text)
            if data.pop("format", None) != PLAN_FORMAT:
                raise ValueError("not an itsmctl RT plan")
            changes = [Change(**{**c, "diffs": [Diff(**d) for d in c["diffs"]]})
                       for c in data.pop("changes")]
            return cls(changes=changes, **data)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise FatalError(f"{origin}: not a plan written by itsmctl plan --out "
                             f"({error})") from None


def norm(value: Any) -> Any:
    """RT hands JSON back through Perl: numbers may come back as strings."""
    if isinstance(value, dict):
        return {str(k): norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def json_diffs(before: Any, after: Any, prefix: str = "") -> list[Diff]:
    """Field-level differences between two JSON values, by dotted path."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[Diff] = []
        for key in sorted(set(before) | set(after), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in after:
                out.append(Diff(path, before[key], None))
            elif key not in before:
                out.append(Diff(path, None, after[key]))
            else:
                out += json_diffs(before[key], after[key], path)
        return out
    return [] if norm(before) == norm(after) else [Diff(prefix or "value", before, after)]


class Planner:
    def __init__(self, desired: Desired, live: Live, client: Client, prune: bool,
                 adopt: bool) -> None:
        self.desired, self.live, self.client = desired, live, client
        self.plan = Plan(live.url, live.version, desired.digest(), prune=prune, adopt=adopt)
        self.ids: dict[str, dict[str, int]] = {"user": {}, "group": {}, "queue": {},
                                               "customfield": {}}
        self.disables: list[Change] = []

    # -- helpers ------------------------------------------------------------------------

    def add(self, change: Change) -> None:
        if change.action == DISABLE:
            self.disables.append(change)
        else:
            self.plan.changes.append(change)

    def etag(self, kind: str, record_id: int) -> str:
        response = self.client.get(f"/{kind}/{record_id}")
        return response.etag or ""

    def match(self, kind: str, records: list[Record], key: str, name: str
              ) -> tuple[Record | None, bool]:
        """The live record for a desired object: (record, managed)."""
        for record in records:
            if record.managed == (kind, key):
                return record, True
        for record in records:
            if record.managed is None and record.name.lower() == name.lower():
                return record, False
        return None, False

    def object_change(self, kind: str, rest: str, key: str, name: str, records: list[Record],
                      wanted: dict[str, Any], marker_kind: str) -> Record | None:
        """Create, update or adopt one REST2 object (queue, custom field, group)."""
        record, managed = self.match(marker_kind, records, key, name)
        if record is None:
            self.add(Change(CREATE, kind, key, name, [Diff(k, None, v) for k, v in
                                                      wanted.items() if k != "LookupType"],
                            {"fields": wanted}))
            return None
        self.ids[kind][key] = record.id
        current = {k: record.fields.get(k) for k in wanted}
        wanted = {**wanted, "Disabled": 0}
        current["Disabled"] = 1 if record.disabled else 0
        diffs = [Diff(k, current.get(k), v) for k, v in wanted.items()
                 if norm(current.get(k)) != norm(v) and k != "LookupType"]
        if diffs or not managed:
            action = UPDATE if managed else ADOPT
            changed = {d.field: d.after for d in diffs}
            self.add(Change(action, kind, key, record.name, diffs,
                            {"id": record.id, "etag": self.etag(rest, record.id),
                             "fields": changed}))
        return record

    def orphans(self, kind: str, rest: str, marker_kind: str, records: list[Record],
                wanted: Iterable[str]) -> None:
        keys = set(wanted)
        for record in records:
            mark = record.managed
            if mark is None or mark[0] != marker_kind or mark[1] in keys or record.disabled:
                continue
            if self.plan.prune:
                self.add(Change(DISABLE, kind, mark[1], record.name, [Diff("Disabled", 0, 1)],
                                {"id": record.id, "etag": self.etag(rest, record.id)}))
            else:
                self.plan.notes.append(f"{kind} '{record.name}' ({marker_kind} {mark[1]}) "
                                       "is managed by itsmctl but no longer in the catalog: "
                                       "kept (--prune disables it)")

    # -- people -------------------------------------------------------------------------

    def users(self) -> None:
        by_name = {u.name.lower(): u for u in self.live.users}
        by_email = {str(u.fields.get("EmailAddress") or "").lower(): u for u in self.live.users}
        for key, user in self.desired.users.items():
            record = by_name.get(key.lower()) or (by_email.get(user.email.lower())
                                                 if user.email else None)
            wanted = {"Name": key, "EmailAddress": user.email or "", "RealName": user.real_name,
                      "Privileged": 1, "Comments": user.comments}
            if record is None:
                self.add(Change(CREATE, "user", key, key,
                                [Diff(k, None, v) for k, v in wanted.items()
                                 if k != "Comments"], {"fields": wanted}))
                continue
            self.ids["user"][key] = record.id
            if record.managed != ("user", key):
                if not int(norm(record.fields.get("Privileged")) or 0) or record.disabled:
                    self.plan.notes.append(
                        f"user '{record.name}' (not managed by itsmctl) is a member of a team "
                        "but is not privileged or is disabled in RT: itsmctl does not change "
                        "users it does not manage; make them a privileged user in RT")
                continue
            current = {k: record.fields.get(k) or "" for k in wanted}
            wanted["Disabled"] = 0
            current["Disabled"] = 1 if record.disabled else 0
            current["Privileged"] = norm(record.fields.get("Privileged"))
            diffs = [Diff(k, current[k], v) for k, v in wanted.items()
                     if norm(current[k]) != norm(v)]
            if diffs:
                self.add(Change(UPDATE, "user", key, record.name, diffs,
                                {"id": record.id, "etag": self.etag("user", record.id),
                                 "fields": {d.field: d.after for d in diffs}}))
        for record in self.live.users:
            mark = record.managed
            if mark and mark[0] == "user" and mark[1] not in self.desired.users \
                    and not record.disabled:
                if self.plan.prune:
                    self.add(Change(DISABLE, "user", mark[1], record.name,
                                    [Diff("Disabled", 0, 1)],
                                    {"id": record.id, "etag": self.etag("user", record.id)}))
                else:
                    self.plan.notes.append(f"user '{record.name}' is managed by itsmctl but in "
                                           "no team of the catalog: kept (--prune disables it)")

    def groups(self) -> None:
        for key, group in self.desired.groups.items():
            record = self.object_change("group", "group", key, group.name, self.live.groups,
                                        {"Name": group.name, "Description": group.description},
                                        "team")
            before = sorted(self.live.members.get(record.id, set())) if record else []
            users = {u.id: u.name for u in self.live.users}
            wanted_ids = {self.ids["user"][m] for m in group.members if m in self.ids["user"]}
            add = [m for m in group.members if self.ids["user"].get(m) not in before]
            remove = [pid for pid in before if pid not in wanted_ids]
            if add or remove:
                diffs = [Diff(m, False, True) for m in add]
                diffs += [Diff(users.get(pid, f"principal #{pid}"), True, False) for pid in remove]
                self.add(Change(UPDATE if record else CREATE, "members", key, group.name, diffs,
                                {"add": add, "remove": remove, "before": before}))
        self.orphans("group", "group", "team", self.live.groups, self.desired.groups)

    # -- workflows, queues, fields ------------------------------------------------------

    def lifecycles(self) -> None:
        # RT's graphical lifecycle editor may drop the marker: a lifecycle that a managed
        # queue uses is managed too
        in_use = {str(q.fields.get("Lifecycle")) for q in self.live.queues if q.managed}
        for name, config in self.desired.lifecycles.items():
            listed = name in self.live.lifecycles
            current = self.live.lifecycles.get(name)
            payload = {"name": name, "config": config, "before": current,
                       "exists": current is not None}
            if current is None:
                note = [Diff("(listed in RT's configuration but not in effect)", None, None)] \
                    if listed else []
                self.add(Change(CREATE, "lifecycle", name, name, note, payload))
                continue
            ours = {k: current.get(k) for k in config}
            diffs = json_diffs(ours, config)
            if current.get("disabled"):
                diffs.append(Diff("disabled", current.get("disabled"), None))
            managed = current.get("ManagedBy") == MANAGED_BY or name in in_use
            if diffs or not managed:
                self.add(Change(UPDATE if managed else ADOPT, "lifecycle", name, name, diffs,
                                payload))
        for name, current in self.live.lifecycles.items():
            if current is None or name in self.desired.lifecycles:
                continue
            if current.get("ManagedBy") == MANAGED_BY and not current.get("disabled"):
                if self.plan.prune:
                    self.add(Change(DISABLE, "lifecycle", name, name, [Diff("disabled", None, 1)],
                                    {"name": name, "config": {**current, "disabled": 1},
                                     "before": current, "exists": True}))
                else:
                    self.plan.notes.append(f"lifecycle '{name}' is managed by itsmctl but no "
                                           "longer in the catalog: kept (--prune disables it)")

    def queues(self) -> None:
        for key, queue in self.desired.queues.items():
            self.object_change("queue", "queue", key, queue.name, self.live.queues,
                               {"Name": queue.name, "Description": queue.description,
                                "Lifecycle": queue.lifecycle, "SLADisabled": 0}, "team")
        self.orphans("queue", "queue", "team", self.live.queues, self.desired.queues)

    def custom_fields(self) -> None:
        for key, cf in self.desired.custom_fields.items():
            record = self.object_change(
                "customfield", "customfield", key, cf.name, self.live.custom_fields,
                {"Name": cf.name, "Description": cf.description, "Type": "Select",
                 "MaxValues": 1, "LookupType": TICKET_CF}, "customfield")
            self.values(key, cf.name, cf.values, record)
            self.field_queues(key, cf.name, cf.queues, record)
        self.orphans("customfield", "customfield", "customfield", self.live.custom_fields,
                     self.desired.custom_fields)

    def values(self, key: str, name: str, values: Iterable[Any], record: Record | None) -> None:
        live = {v.name: v for v in self.live.values.get(record.id, [])} if record else {}
        before = {v.name: [v.fields.get("Description") or "", norm(v.fields.get("SortOrder"))]
                  for v in live.values()}
        add, update, diffs = [], [], []
        wanted = {}
        for value in values:
            wanted[value.name] = value
            fields = {"Name": value.name, "Description": value.description,
                      "SortOrder": value.sort_order}
            current = live.get(value.name)
            if current is None:
                add.append(fields)
                diffs.append(Diff(f"value {value.name}", None, value.description))
            elif before[value.name] != [value.description, value.sort_order]:
                update.append({"id": current.id, **fields})
                diffs.append(Diff(f"value {value.name}",
                                  f"{before[value.name][0]} (#{before[value.name][1]})",
                                  f"{value.description} (#{value.sort_order})"))
        extra = [v for n, v in live.items() if n not in wanted]
        remove = []
        for v in extra:
            if self.plan.prune:
                remove.append({"id": v.id, "Name": v.name})
                diffs.append(Diff(f"value {v.name}", v.fields.get("Description"), None))
            else:
                self.plan.notes.append(f"custom field '{name}' offers value '{v.name}', which "
                                       "is not in the catalog: kept (--prune takes it off the "
                                       "list)")
        if diffs:
            self.add(Change(UPDATE if record else CREATE, "values", key, name, diffs,
                            {"add": add, "update": update, "remove": remove,
                             "before": before}))

    def field_queues(self, key: str, name: str, queues: Iterable[str],
                     record: Record | None) -> None:
        applied = self.live.field_queues.get(record.id, set()) if record else set()
        add = [q for q in queues if self.ids["queue"].get(q) not in applied]
        if add:
            names = {k: q.name for k, q in self.desired.queues.items()}
            self.add(Change(UPDATE if record else CREATE, "field-queues", key, name,
                            [Diff(f"queue {names[q]}", False, True) for q in add],
                            {"add": add, "before": sorted(applied)}))

    # -- configuration ------------------------------------------------------------------

    def config(self) -> None:
        config = self.live.config
        levels = config.get("ServiceAgreements", {}).get("Levels") or {}
        hours = config.get("ServiceBusinessHours") or {}
        names = {k: q.name for k, q in self.desired.queues.items()}
        self.entries("sla-level", list(LEVELS), levels, self.desired.levels)
        self.entries("business-hours", ["ServiceBusinessHours"], hours,
                     self.desired.business_hours)
        priorities = config.get("PriorityAsString") or {}
        wanted = {names[k]: v for k, v in self.desired.priorities.items()}
        for queue, levels_of_queue in wanted.items():
            current = priorities.get(queue)
            if norm(current) != norm(levels_of_queue):
                self.add(Change(CREATE if current is None else UPDATE, "config",
                                f"priorities/{queue}", f"PriorityAsString {queue}",
                                json_diffs({"levels": current}, {"levels": levels_of_queue}),
                                {"path": ["PriorityAsString", queue], "value": levels_of_queue,
                                 "before": current}))

    def entries(self, kind: str, path: list[str], live: dict[str, Any],
                wanted: dict[str, dict[str, Any]]) -> None:
        label = {"sla-level": "SLA level", "business-hours": "business hours"}[kind]
        for name, value in wanted.items():
            current = live.get(name)
            payload = {"path": [*path, name], "value": value, "before": current}
            if current is None:
                self.add(Change(CREATE, "config", f"{kind}/{name}", f"{label} {name}",
                                [], payload))
                continue
            diffs = json_diffs(current, value)
            managed = isinstance(current, dict) and current.get("ManagedBy") == MANAGED_BY
            if diffs or not managed:
                self.add(Change(UPDATE if managed else ADOPT, "config", f"{kind}/{name}",
                                f"{label} {name}", diffs, payload))
        for name, current in live.items():
            if name not in wanted and isinstance(current, dict) \
                    and current.get("ManagedBy") == MANAGED_BY:
                # RT merges a hash option from its database into what it holds, so an
                # entry cannot be dropped before RT restarts: it stays, unused
                self.plan.notes.append(f"{label} '{name}' is managed by itsmctl but no longer "
                                       "in the catalog: RT keeps configuration entries until "
                                       "it restarts, so it stays (unused)")

    # -- rights and the scrip -----------------------------------------------------------

    def principal_id(self, principal: str, target: str) -> int | None:
        if principal == EVERYONE:
            return self.live.everyone or None
        if principal == REQUESTOR:
            queue = self.ids["queue"].get(target.split(":", 1)[1])
            return self.live.requestors.get(queue) if queue else None
        return self.ids["group"].get(principal.split(":", 1)[1])

    def object_id(self, target: str) -> tuple[str, int | None]:
        kind, key = target.split(":", 1)
        return OBJECT_CLASS[kind], self.ids[kind].get(key)

    def rights(self) -> None:
        wanted: dict[tuple[str, str], Grant] = {(g.principal, g.object): g
                                                for g in self.desired.grants}
        group_keys = {v: k for k, v in self.ids["group"].items()}
        targets = {(OBJECT_CLASS[kind], oid): f"{kind}:{key}"
                   for kind in OBJECT_CLASS for key, oid in self.ids[kind].items()}
        for principal_id, acl_class, acl_object, _right in sorted(self.live.acl):
            target = targets.get((acl_class, acl_object))
            team = group_keys.get(principal_id)
            if target and team and (f"group:{team}", target) not in wanted:
                wanted[(f"group:{team}", target)] = Grant(f"group:{team}", target, ())
        for (principal, target), grant in sorted(wanted.items()):
            pid = self.principal_id(principal, target)
            cls, oid = self.object_id(target)
            current = sorted(r for p, c, o, r in self.live.acl if (p, c, o) == (pid, cls, oid)) \
                if pid and oid else []
            exact = principal.startswith("group:")
            final = sorted(grant.rights) if exact else sorted(set(current) | set(grant.rights))
            if final == current:
                continue
            diffs = [Diff(r, r in current, r in final) for r in sorted(set(current) | set(final))
                     if (r in current) != (r in final)]
            self.add(Change(UPDATE if current else CREATE, "rights", f"{principal} on {target}",
                            f"{self.principal_label(principal)} on {self.object_label(target)}",
                            diffs, {"principal": principal, "object": target,
                                    "rights": final, "before": current}))

    def principal_label(self, principal: str) -> str:
        if principal == EVERYONE:
            return "Everyone"
        if principal == REQUESTOR:
            return "Requestors"
        group = self.desired.groups.get(principal.split(":", 1)[1])
        return f"group {group.name}" if group else principal

    def object_label(self, target: str) -> str:
        kind, key = target.split(":", 1)
        if kind == "queue":
            return f"queue {self.desired.queues[key].name}" if key in self.desired.queues \
                else target
        cf = self.desired.custom_fields.get(key)
        return f"custom field {cf.name}" if cf else target

    def scrip(self) -> None:
        wanted = self.desired.scrip
        current = self.live.scrip
        if wanted is None:
            if current is not None and current["Enabled"] and self.plan.prune:
                self.add(Change(DISABLE, "scrip", "sla-level", current["Description"],
                                [Diff("Enabled", True, False)],
                                {"id": current["id"], "before": current}))
            return
        fields = {"Description": wanted.description, "CustomIsApplicableCode": wanted.condition,
                  "CustomPrepareCode": wanted.prepare, "CustomCommitCode": wanted.commit}
        if current is None:
            self.add(Change(CREATE, "scrip", "sla-level", wanted.description, [],
                            {"fields": fields}))
            return
        diffs = [Diff(k, current.get(k), v) for k, v in fields.items()
                 if (current.get(k) or "").strip() != v.strip()]
        if not current["Enabled"]:
            diffs.append(Diff("Enabled", False, True))
        if diffs:
            self.add(Change(UPDATE, "scrip", "sla-level", wanted.description, diffs,
                            {"id": current["id"], "fields": fields, "before": current}))

    def run(self) -> Plan:
        self.users()
        self.groups()
        self.lifecycles()
        self.queues()
        self.custom_fields()
        self.config()
        self.rights()
        self.scrip()
        self.plan.changes += self.disables
        self.plan.ids = {**self.ids, "everyone": self.live.everyone,
                         "requestors": {str(k): v for k, v in self.live.requestors.items()}}
        return self.plan


def make_plan(desired: Desired, live: Live, client: Client, prune: bool = False,
              adopt: bool = False) -> Plan:
    return Planner(desired, live, client, prune, adopt).run()


def set_path(tree: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """A copy of `tree` with the value at `path` replaced (None: removed)."""
    out = copy.deepcopy(tree)
    node = out
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return out
