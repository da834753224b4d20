"""Applying a plan to a live RT: change by change, in dependency order, every write read
back (REST2 answers 200 to changes RT refused), stopping at the first refusal.

Every change first checks that RT still holds what the plan saw: REST2 objects by their
ETag (If-Match), the rest by reading them again. Lifecycles and SLA configuration go
through RT's own editors, which record the change in RT's database and tell RT's
workers to reload it; itsmctl then makes one web request so that the worker serving it
reloads at once (docs/rt.md#no-restart).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.targets.rt.client import Client, Refused, Response
from itsmctl.targets.rt.desired import EVERYONE, REQUESTOR, parse_marker
from itsmctl.targets.rt.html import read_form, results
from itsmctl.targets.rt.plan import (
    CREATE,
    DISABLE,
    OBJECT_CLASS,
    Change,
    Plan,
    json_diffs,
    norm,
    set_path,
)
from itsmctl.targets.rt.state import (
    CONFIG_OPTIONS,
    Live,
    config_values,
    read_acl,
    read_lifecycle,
    read_scrip_fields,
    read_values,
    scrip_fields,
)

REST_KIND = ("user", "group", "queue", "customfield")
# RT tells its workers to reload lifecycles by a timestamp in whole seconds, and a worker
# reloads only for a stamp newer than the one it last loaded: saves that must each be
# seen are made at least this long apart.
RELOAD_SPACING = 1.1
CHANGED_SINCE_PLAN = "it was changed in RT since the plan was made; plan again"


@dataclass
class Applied:
    plan: Plan
    done: list[Change] = field(default_factory=list)
    refused: str | None = None  # why apply stopped
    confirmed: bool = True

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0


def _plain(value: Any) -> Any:
    """REST2 shows references (a user, a queue) as objects; compare their ids."""
    return value["id"] if isinstance(value, dict) and "id" in value else value


def _get_path(tree: dict[str, Any], path: list[str]) -> Any:
    node: Any = tree
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _values(form_values: list[Any]) -> dict[str, list[Any]]:
    return {v.name: [v.fields.get("Description") or "", norm(v.fields.get("SortOrder"))]
            for v in form_values}


class Applier:
    def __init__(self, client: Client, plan: Plan, progress: Callable[[Change], None],
                 lifecycles_read_at: float = 0.0) -> None:
        self.client, self.plan, self.progress = client, plan, progress
        ids = plan.ids
        self.ids: dict[str, dict[str, int]] = {k: dict(ids.get(k, {})) for k in REST_KIND}
        self.everyone = int(ids.get("everyone") or 0)
        self.requestors = {int(k): v for k, v in ids.get("requestors", {}).items()}
        self.lifecycles_read_at = lifecycles_read_at
        self.created: list[tuple[Change, int]] = []  # REST2 creations not yet read back
        self.new_objects: set[tuple[str, int]] = set()  # queues and fields made by this apply

    def refuse(self, change: Change, why: str) -> Refused:
        return Refused(f"{change.kind} '{change.label}': {why}")

    def check(self, change: Change, response: Response, expected: tuple[int, ...]) -> Response:
        if response.status == 412:
            raise self.refuse(change, CHANGED_SINCE_PLAN)
        if response.status not in expected:
            messages = "; ".join(response.messages) or f"HTTP {response.status}"
            raise self.refuse(change, f"RT refused: {messages}")
        return response

    def compare(self, change: Change, data: dict[str, Any], fields: dict[str, Any]) -> None:
        wrong = [k for k, v in fields.items() if norm(_plain(data.get(k))) != norm(v)]
        if wrong:
            raise self.refuse(change, "RT did not take " + ", ".join(
                f"{k} (it holds {_plain(data.get(k))!r}, not {fields[k]!r})" for k in wrong))

    # -- REST2 objects ------------------------------------------------------------------

    def rest_object(self, change: Change) -> None:
        kind, payload = change.kind, change.payload
        if change.action == CREATE:
            response = self.check(change, self.client.rest("POST", f"/{kind}",
                                                           payload["fields"]), (201,))
            created = response.json()
            if not str(created.get("id", "")).isdigit():  # REST2 names users by login
                created = self.client.get(f"/{kind}/{created.get('id')}").json()
            record_id = int(created["id"])
            self.ids[kind][change.key] = record_id
            self.created.append((change, record_id))
            if kind in OBJECT_CLASS:
                self.new_objects.add((OBJECT_CLASS[kind], record_id))
            return
        fields = {"Disabled": 1} if change.action == DISABLE else payload["fields"]
        record_id = int(payload["id"])
        self.check(change, self.client.rest("PUT", f"/{kind}/{record_id}", fields,
                                            if_match=payload.get("etag") or None), (200,))
        data = self.client.get(f"/{kind}/{record_id}").json()
        self.compare(change, data, fields)

    def read_back_created(self) -> None:
        """Everything just created, read back with one search per kind."""
        if not self.created:
            return
        by_kind: dict[str, list[tuple[Change, int]]] = {}
        for change, record_id in self.created:
            by_kind.setdefault(change.kind, []).append((change, record_id))
        self.created = []
        for kind, items in by_kind.items():
            names = sorted({k for change, _ in items for k in change.payload["fields"]}
                           - {"Privileged", "LookupType"})
            query = [{"field": "id", "value": record_id, "entry_aggregator": "OR"}
                     for _, record_id in items]
            found = {int(i["id"]): i for i in self.client.search(
                f"/{kind}s", query, (*names, "id"))}
            staff = self.privileged() if kind == "user" else set()
            for change, record_id in items:
                fields = {k: v for k, v in change.payload["fields"].items()
                          if k not in ("Privileged", "LookupType")}
                self.compare(change, found.get(record_id, {}), fields)
                if kind == "user" and record_id not in staff:
                    raise self.refuse(change, "RT did not make the user privileged")
            if kind == "queue":
                self.find_requestor_roles()

    def privileged(self) -> set[int]:
        groups = self.client.search("/groups", [{"field": "Domain", "value": "SystemInternal"},
                                                {"field": "Name", "value": "Privileged"}],
                                    ("Name",))
        return {int(m["id"]) for g in groups for m in self.client.search(
            f"/group/{g['id']}/members", None, (), disabled=False)}

    def find_requestor_roles(self) -> None:
        """The Requestor role groups RT made with the new queues (one search)."""
        for item in self.client.search("/groups", [
                {"field": "Domain", "value": "RT::Queue-Role"},
                {"field": "Name", "value": "Requestor"}], ("Instance",)):
            instance = item.get("Instance")
            if isinstance(instance, dict) and instance.get("id"):
                self.requestors[int(instance["id"])] = int(item["id"])

    def members(self, change: Change) -> None:
        group = self.ids["group"][change.key]
        before = sorted(change.payload["before"])
        current = before if change.action == CREATE else sorted(
            int(m["id"]) for m in self.client.search(f"/group/{group}/members", None, (),
                                                     disabled=False))
        if current != before:
            raise self.refuse(change, CHANGED_SINCE_PLAN)
        add = [self.ids["user"][login] for login in change.payload["add"]]
        messages: list[str] = []
        if add:
            response = self.check(change, self.client.rest("PUT", f"/group/{group}/members",
                                                           add), (200,))
            messages = response.messages
        for principal in change.payload["remove"]:
            self.check(change, self.client.rest("DELETE", f"/group/{group}/member/{principal}"),
                       (200, 204))
        now = {int(m["id"]) for m in self.client.search(f"/group/{group}/members", None, (),
                                                          disabled=False)}
        if now != (set(current) | set(add)) - set(change.payload["remove"]):
            raise self.refuse(change, "RT did not take the membership change: "
                              + "; ".join(messages))

    def values(self, change: Change) -> None:
        cf = self.ids["customfield"][change.key]
        before = change.payload["before"]
        current = before if change.action == CREATE else _values(read_values(self.client, cf))
        if current != before:
            raise self.refuse(change, CHANGED_SINCE_PLAN)
        for fields in change.payload["add"]:
            self.check(change, self.client.rest("POST", f"/customfield/{cf}/value", fields),
                       (201,))
        for item in change.payload["update"]:
            fields = {k: v for k, v in item.items() if k != "id"}
            self.check(change, self.client.rest("PUT", f"/customfield/{cf}/value/{item['id']}",
                                                fields), (200,))
        for item in change.payload["remove"]:
            self.check(change, self.client.rest("DELETE",
                                                f"/customfield/{cf}/value/{item['id']}"),
                       (200, 204))
        wanted = dict(current)
        wanted.update({f["Name"]: [f["Description"], f["SortOrder"]]
                       for f in (*change.payload["add"], *change.payload["update"])})
        for item in change.payload["remove"]:
            wanted.pop(item["Name"], None)
        after = _values(read_values(self.client, cf))
        wrong = sorted(name for name in set(after) | set(wanted)
                       if after.get(name) != wanted.get(name))
        if wrong:
            raise self.refuse(change, f"RT did not take the values {', '.join(wrong[:5])}")

    def field_queues(self, change: Change) -> None:
        cf = self.ids["customfield"][change.key]
        queues = [self.ids["queue"][q] for q in change.payload["add"]]
        form = [("id", str(cf)), ("UpdateObjs", "1")]
        form += [(f"AddCustomField-{cf}", str(q)) for q in queues]
        page = read_form(self.client.page("/Admin/CustomFields/Objects.html", form=form))
        applied = {int(v) for v in page.boxes.get(f"RemoveCustomField-{cf}", []) if v != "0"}
        missing = sorted(set(queues) - applied)
        if missing:
            raise self.refuse(change, f"RT did not apply it to queue(s) {missing}: "
                              + "; ".join(page.results))

    # -- lifecycles ---------------------------------------------------------------------

    def lifecycles(self, changes: list[Change]) -> None:
        """Save each lifecycle through RT's lifecycle editor so that it takes effect:

        RT's workers reload lifecycles when the reload stamp (a whole second) is newer
        than the one they last loaded, at the start of a web request. New lifecycles are
        created first; the first save after them comes a second later, so that the
        request after it loads every new one; the last save comes a second after the
        first, so that the reload after it loads them all.
        """
        new = [c for c in changes if not c.payload["exists"]]
        for change in changes:
            if change in new and change.payload["before"] is None:
                continue  # RT's editor refuses to create one that appeared meanwhile
            current = read_lifecycle(self.client, change.payload["name"])
            if norm(current) != norm(change.payload["before"]):
                raise self.refuse(change, CHANGED_SINCE_PLAN)
        self.wait_since(self.lifecycles_read_at)
        for change in new:
            page = read_form(self.client.page("/Admin/Lifecycles/Create.html", form=[
                ("Name", change.payload["name"]), ("Type", "ticket"), ("Create", "1")]))
            if page.results and not any("created" in r for r in page.results):
                raise self.refuse(change, "RT did not create it: " + "; ".join(page.results))
        created_at = time.monotonic()
        order = [c for c in changes if c.payload["exists"]] + new
        first_at = created_at
        for i, change in enumerate(order):
            if i == 0 and new:
                self.wait_since(created_at)
            if i == len(order) - 1 and len(order) > 1:
                self.wait_since(first_at)
            self.save_lifecycle(change)
            if i == 0:
                first_at = time.monotonic()
        self.client.reload()
        for change in changes:
            current = read_lifecycle(self.client, change.payload["name"])
            if current is None:
                raise self.refuse(change, "RT has not loaded it after the change")
            wanted = change.payload["config"]
            if json_diffs({k: current.get(k) for k in wanted}, wanted):
                raise self.refuse(change, "RT holds a different lifecycle than was written")

    @staticmethod
    def wait_since(moment: float) -> None:
        wait = moment + RELOAD_SPACING - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def save_lifecycle(self, change: Change) -> None:
        page = read_form(self.client.page("/Admin/Lifecycles/Advanced.html", form=[
            ("Name", change.payload["name"]), ("Type", "ticket"),
            ("Config", json.dumps(change.payload["config"])), ("Update", "1")]))
        if not any("updated" in r.lower() for r in page.results):
            raise self.refuse(change, "RT refused the lifecycle: " + "; ".join(page.results))

    # -- configuration, rights, scrip ---------------------------------------------------

    def config(self, changes: list[Change]) -> None:
        current = config_values(self.client.page("/Admin/Tools/EditConfig.html"))
        for change in changes:
            if norm(_get_path(current, change.payload["path"])) != \
                    norm(change.payload["before"]):
                raise self.refuse(change, CHANGED_SINCE_PLAN)
        new = dict(current)
        for change in changes:
            path = change.payload["path"]
            new[path[0]] = set_path(new[path[0]], path[1:], change.payload["value"])
        form = [("Update", "1")]
        for option in CONFIG_OPTIONS:
            if new[option] != current[option]:
                form += [(option, json.dumps(new[option], sort_keys=True)),
                         (f"{option}-Current", json.dumps(current[option]))]
        page = self.client.page("/Admin/Tools/EditConfig.html", form=form)
        after = config_values(page)  # the page shows the options as RT holds them now
        failed = [r for r in results(page) if "No changes made" in r or "Couldn't" in r
                  or "Permission Denied" in r]
        for change in changes:
            if norm(_get_path(after, change.payload["path"])) != norm(change.payload["value"]):
                raise self.refuse(change, "RT did not take it" + (
                    ": " + "; ".join(failed) if failed else ""))

    def rights(self, changes: list[Change]) -> None:
        live = Live(self.client.url, "")
        if any(self.resolve(c)[1:] not in self.new_objects for c in changes):
            read_acl(self.client, live)  # objects made just now have no rights to keep
        form: list[tuple[str, str]] = []
        tuples = []
        for change in changes:
            principal, cls, oid = self.resolve(change)
            current = sorted(r for p, c, o, r in live.acl if (p, c, o) == (principal, cls, oid))
            if change.action != CREATE and current != sorted(change.payload["before"]):
                raise self.refuse(change, CHANGED_SINCE_PLAN)
            key = f"{principal}-{cls}-{oid}"
            form.append(("CheckACL", key))
            form += [(f"SetRights-{key}", r) for r in change.payload["rights"]]
            tuples.append((change, principal, cls, oid))
        page = read_form(self.client.page("/Admin/Global/GroupRights.html", form=form))
        after = Live(self.client.url, "")
        read_acl(self.client, after)
        for change, principal, cls, oid in tuples:
            now = sorted(r for p, c, o, r in after.acl if (p, c, o) == (principal, cls, oid))
            if now != sorted(change.payload["rights"]):
                raise self.refuse(change, "RT did not take the rights: "
                                  + "; ".join(page.results[:5]))

    def resolve(self, change: Change) -> tuple[int, str, int]:
        principal, target = change.payload["principal"], change.payload["object"]
        kind, key = target.split(":", 1)
        oid = self.ids[kind].get(key)
        if oid is None:
            raise self.refuse(change, f"{target} does not exist in RT")
        if principal == EVERYONE:
            pid: int | None = self.everyone
        elif principal == REQUESTOR:
            pid = self.requestors.get(oid)
        else:
            pid = self.ids["group"].get(principal.split(":", 1)[1])
        if not pid:
            raise self.refuse(change, f"{principal} does not exist in RT")
        return pid, OBJECT_CLASS[kind], oid

    def scrip(self, change: Change) -> None:
        payload = change.payload
        fields = payload.get("fields") or {}
        if change.action == CREATE:
            form = read_form(self.client.page("/Admin/Scrips/Create.html", form=[
                ("Queue", "0"), ("Global", "1"), ("Stage", "TransactionCreate"),
                ("ScripCondition", "User Defined"), ("ScripAction", "User Defined"),
                ("Template", "Blank"), ("SetEnabled", "1"), ("Enabled", "1"),
                *fields.items(), ("Create", "1")]))
            scrip_id = int(form.values.get("id") or 0)
            if not scrip_id or parse_marker(form.values.get("Description")) is None:
                raise self.refuse(change, "RT did not create it: " + "; ".join(form.results))
            after = scrip_fields(form, scrip_id)  # RT answers with the new scrip's page
        else:
            scrip_id = int(payload["id"])
            current = read_scrip_fields(self.client, scrip_id)
            before = payload["before"]
            if any(current.get(k) != v for k, v in before.items()):
                raise self.refuse(change, CHANGED_SINCE_PLAN)
            keep = {k: current[k] for k in ("Description", "ScripCondition", "ScripAction",
                                           "CustomIsApplicableCode", "CustomPrepareCode",
                                           "CustomCommitCode")}
            enabled = [] if change.action == DISABLE else [("Enabled", "1")]
            self.client.page("/Admin/Scrips/Modify.html", form=[
                ("id", str(scrip_id)), ("Update", "1"), ("SetEnabled", "1"), *enabled,
                *{**keep, **fields}.items()])
            after = read_scrip_fields(self.client, scrip_id)
        wrong = [k for k, v in fields.items() if after.get(k, "").strip() != v.strip()]
        if wrong or after["Enabled"] != (change.action != DISABLE):
            raise self.refuse(change, "RT did not take " + ", ".join(wrong or ["Enabled"]))

    # -- the run ------------------------------------------------------------------------

    BATCHED = ("lifecycle", "config", "rights")

    def run(self, applied: Applied) -> None:
        batches = {kind: [c for c in self.plan.changes if c.kind == kind]
                   for kind in self.BATCHED}
        pending: list[Change] = []  # created, not yet read back
        previous_kind = ""
        for change in self.plan.changes:
            if change.kind != previous_kind:
                self.read_back_created()
                self.report(applied, pending)
                pending = []
                previous_kind = change.kind
            if change.kind in batches:
                batch = batches.pop(change.kind)
                {"lifecycle": self.lifecycles, "config": self.config,
                 "rights": self.rights}[change.kind](batch)
                self.report(applied, batch)
                continue
            if change.kind not in self.BATCHED:
                self.one(change)
                if change.kind in REST_KIND and change.action == CREATE:
                    pending.append(change)
                else:
                    self.report(applied, [change])
        self.read_back_created()
        self.report(applied, pending)
        self.client.reload()

    def one(self, change: Change) -> None:
        if change.kind in REST_KIND:
            self.rest_object(change)
        elif change.kind == "members":
            self.members(change)
        elif change.kind == "values":
            self.values(change)
        elif change.kind == "field-queues":
            self.field_queues(change)
        elif change.kind == "scrip":
            self.scrip(change)

    def report(self, applied: Applied, changes: list[Change]) -> None:
        for change in changes:
            applied.done.append(change)
            self.progress(change)


def apply_plan(client: Client, plan: Plan, progress: Callable[[Change], None],
               lifecycles_read_at: float = 0.0) -> Applied:
    applied = Applied(plan)
    try:
        Applier(client, plan, progress, lifecycles_read_at).run(applied)
    except Refused as refusal:
        applied.refused = str(refusal)
    except FatalError as error:  # RT went away or failed mid-way: say how far apply got
        applied.refused = error.message
    return applied

