"""What a live RT holds, read in batches: REST2 searches return whole collections with
their fields inline; RT's admin pages give the configuration kept in its database, the
lifecycles, the rights and the scrips (docs/rt.md#how-plan-reads-rt)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.targets.rt.client import Client
from itsmctl.targets.rt.desired import Desired, parse_marker
from itsmctl.targets.rt.html import Form, read_form, textareas
from itsmctl.targets.rt.scrip import DESCRIPTION as SCRIP_DESCRIPTION

QUEUE_FIELDS = ("Name", "Description", "Lifecycle", "Disabled", "SLADisabled")
CF_FIELDS = ("Name", "Description", "Type", "MaxValues", "LookupType", "Disabled")
GROUP_FIELDS = ("Name", "Description", "Disabled")
USER_FIELDS = ("Name", "EmailAddress", "RealName", "Comments", "Privileged", "Disabled")
CONFIG_OPTIONS = ("ServiceAgreements", "ServiceBusinessHours", "PriorityAsString")
TICKET_CF = "RT::Queue-RT::Ticket"
SCRIP_FIELDS = ("Description", "ScripCondition", "ScripAction", "Template",
                "CustomIsApplicableCode", "CustomPrepareCode", "CustomCommitCode")

Acl = tuple[int, str, int, str]  # (principal id, object class, object id, right)


@dataclass
class Record:
    """One RT object as REST2 lists it: its id, its fields, and its itsmctl marker."""

    id: int
    fields: dict[str, Any]

    @property
    def managed(self) -> tuple[str, str] | None:
        return parse_marker(self.fields.get("Description") or self.fields.get("Comments"))

    @property
    def name(self) -> str:
        return str(self.fields.get("Name") or "")

    @property
    def disabled(self) -> bool:
        return str(self.fields.get("Disabled", "0")) not in ("0", "")


@dataclass
class Live:
    url: str
    version: str
    queues: list[Record] = field(default_factory=list)
    custom_fields: list[Record] = field(default_factory=list)
    values: dict[int, list[Record]] = field(default_factory=dict)  # cf id -> its values
    field_queues: dict[int, set[int]] = field(default_factory=dict)  # cf id -> queue ids
    groups: list[Record] = field(default_factory=list)
    members: dict[int, set[int]] = field(default_factory=dict)  # group id -> principal ids
    users: list[Record] = field(default_factory=list)
    everyone: int = 0
    privileged: int = 0  # the Privileged system group
    requestors: dict[int, int] = field(default_factory=dict)  # queue id -> role group id
    acl: set[Acl] = field(default_factory=set)
    lifecycles: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # None: listed,
    # but not in effect (RT has not loaded it)
    config: dict[str, Any] = field(default_factory=dict)
    lifecycles_read_at: float = 0.0  # time.monotonic() when the lifecycles were read
    scrip: dict[str, Any] | None = None  # the managed scrip's fields, with "id" and "Enabled"


def _id(item: dict[str, Any]) -> int:
    return int(item["id"])


def _records(items: list[dict[str, Any]], names: tuple[str, ...]) -> list[Record]:
    return [Record(_id(i), {n: i.get(n) for n in names}) for i in items]


def read_objects(client: Client, live: Live) -> None:
    """The queues, ticket custom fields, groups and special principals (all of them: the
    managed ones are recognised by their marker)."""
    every = [{"field": "id", "operator": ">", "value": 0}]  # REST2 finds nothing for []
    live.queues = _records(client.search("/queues", every, QUEUE_FIELDS), QUEUE_FIELDS)
    live.custom_fields = _records(client.search(
        "/customfields", [{"field": "LookupType", "value": TICKET_CF}], CF_FIELDS), CF_FIELDS)
    live.groups = _records(client.search(
        "/groups", [{"field": "Domain", "value": "UserDefined"}], GROUP_FIELDS), GROUP_FIELDS)
    for item in client.search("/groups", [{"field": "Domain", "value": "SystemInternal"}],
                              ("Name",)):
        if item.get("Name") == "Everyone":
            live.everyone = _id(item)
        elif item.get("Name") == "Privileged":
            live.privileged = _id(item)
    for item in client.search("/groups", [{"field": "Domain", "value": "RT::Queue-Role"},
                                          {"field": "Name", "value": "Requestor"}],
                              ("Instance",)):
        instance = item.get("Instance")
        if isinstance(instance, dict) and instance.get("id"):
            live.requestors[int(instance["id"])] = _id(item)


def read_related(client: Client, desired: Desired, live: Live) -> None:
    """What hangs off the catalog's objects: its users (by login or e-mail), the values
    and queues of its custom fields, the members of its groups."""
    wanted = [{"field": "Comments", "operator": "LIKE", "value": "[itsmctl user/"}]
    wanted += [{"field": "Name", "value": n} for n in sorted(desired.users)]
    wanted += [{"field": "EmailAddress", "value": e}
               for e in sorted({u.email for u in desired.users.values() if u.email})]
    found: dict[int, Record] = {}
    for chunk in range(0, len(wanted), 50):  # keep each search's SQL small
        query = [{**w, "entry_aggregator": "OR"} for w in wanted[chunk:chunk + 50]]
        # with "id" among the fields, REST2 gives users' numeric ids (else their names)
        for record in _records(client.search("/users", query, (*USER_FIELDS, "id")),
                               USER_FIELDS):
            found[record.id] = record
    live.users = sorted(found.values(), key=lambda r: r.id)
    # REST2 lists no user's Privileged flag in a search: it is membership of this group
    staff = {_id(m) for m in client.search(f"/group/{live.privileged}/members", None, (),
                                           disabled=False)} if live.privileged else set()
    for user in live.users:
        user.fields["Privileged"] = 1 if user.id in staff else 0
    names = {c.name for c in desired.custom_fields.values()}
    for cf in live.custom_fields:
        if cf.managed or cf.name in names:
            live.values[cf.id] = read_values(client, cf.id)
            live.field_queues[cf.id] = set()
    for queue in live.queues:
        if queue.managed or _named(queue, desired.queues):
            for item in client.search(f"/queue/{queue.id}/customfields", None, ()):
                if _id(item) in live.field_queues:
                    live.field_queues[_id(item)].add(queue.id)
    for group in live.groups:
        if group.managed or _named(group, desired.groups):
            live.members[group.id] = {_id(m) for m in client.search(
                f"/group/{group.id}/members", None, (), disabled=False)}


def _named(record: Record, objects: dict[str, Any]) -> bool:
    return any(getattr(o, "name", None) == record.name for o in objects.values())


_VALUE_FIELD = re.compile(r"^CustomField-(\d+)-Value-(\d+)-(Name|Description|SortOrder)$")


def read_values(client: Client, cf_id: int) -> list[Record]:
    """A custom field's values with their descriptions and sort order, from RT's page for
    the field (REST2 lists only their names)."""
    form = read_form(client.page("/Admin/CustomFields/Modify.html", {"id": cf_id}))
    values: dict[int, dict[str, Any]] = {}
    for name, value in form.values.items():
        match = _VALUE_FIELD.match(name)
        if match and int(match.group(1)) == cf_id:
            values.setdefault(int(match.group(2)), {})[match.group(3)] = value
    return [Record(vid, fields) for vid, fields in sorted(values.items())]


def read_acl(client: Client, live: Live) -> None:
    """Every access control entry, 100 per request (RT's rights inspector)."""
    after = 0
    while True:
        text = client.page("/Helpers/RightsInspector/Search", {"continueAfter": after})
        try:
            data = json.loads(text)
        except ValueError:
            raise FatalError("RT's rights inspector did not answer with JSON") from None
        for entry in data.get("results", []):
            principal, target = entry["principal"], entry["object"]
            live.acl.add((int(principal["id"]), str(target["class"]), int(target["id"]),
                          str(entry["right"])))
        if not data.get("continueAfter"):
            return
        after = int(data["continueAfter"])


_LIFECYCLE_LINK = re.compile(r"Modify\.html\?Type=ticket&Name=(.+)$")


def read_lifecycles(client: Client, live: Live) -> None:
    live.lifecycles_read_at = time.monotonic()
    index = read_form(client.page("/Admin/Lifecycles/index.html",
                                  {"FindDisabledLifecycles": 1}))
    names = sorted({m.group(1) for href, _ in index.links
                    if (m := _LIFECYCLE_LINK.search(href.replace("&amp;", "&")))})
    for name in names:
        live.lifecycles[name] = read_lifecycle(client, name)


def read_lifecycle(client: Client, name: str) -> dict[str, Any] | None:
    """A lifecycle's configuration as RT's advanced lifecycle editor shows it, or None
    when RT has not loaded it (it is not in effect)."""
    form = read_form(client.page("/Admin/Lifecycles/Advanced.html",
                                 {"Type": "ticket", "Name": name}))
    text = form.values.get("Config")
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def config_values(page: str) -> dict[str, Any]:
    """The options itsmctl manages, as RT's System Configuration page shows them (in
    effect: RT's database over its files)."""
    out: dict[str, Any] = {}
    found = textareas(page, CONFIG_OPTIONS)
    for option in CONFIG_OPTIONS:
        text = found.get(option)
        if text is None:
            raise FatalError(f"RT's System Configuration page does not offer {option}",
                             "itsmctl needs $ShowEditSystemConfig enabled")
        try:
            value = json.loads(text) if text.strip() else {}
        except ValueError:
            raise FatalError(f"RT's {option} is not JSON on its System Configuration "
                             "page") from None
        out[option] = value if isinstance(value, dict) else {}
    return out


def read_config(client: Client, live: Live) -> None:
    live.config = config_values(client.page("/Admin/Tools/EditConfig.html"))


def read_scrip(client: Client, live: Live) -> None:
    listing = read_form(client.page("/Admin/Global/Scrips.html", {"FindDisabledScrips": 1}))
    ids = sorted({int(m.group(1)) for href, text in listing.links
                  if parse_marker(text) == parse_marker(SCRIP_DESCRIPTION)
                  and (m := re.search(r"[?&]id=(\d+)", href))})
    if ids:
        live.scrip = read_scrip_fields(client, ids[0])


def read_scrip_fields(client: Client, scrip_id: int) -> dict[str, Any]:
    return scrip_fields(read_form(client.page("/Admin/Scrips/Modify.html", {"id": scrip_id})),
                        scrip_id)


def scrip_fields(form: Form, scrip_id: int) -> dict[str, Any]:
    """A scrip's fields from its page in RT's admin UI."""
    out: dict[str, Any] = {name: form.values.get(name, "").replace("\r\n", "\n")
                           for name in SCRIP_FIELDS}
    out["id"] = scrip_id
    out["Enabled"] = bool(form.checked.get("Enabled"))
    return out


def read_live(client: Client, desired: Callable[[], Desired]) -> Live:
    """Everything plan compares; `desired` is asked for only once the reads that do not
    depend on the catalog are done (so the catalog compiles meanwhile)."""
    version = client.connect()
    live = Live(client.url, version)
    client.login()
    # RT answers one request at a time per worker; reading in two threads overlaps the
    # network and the parsing here with RT's work there
    with ThreadPoolExecutor(2) as pool:
        pages = pool.submit(_read_pages, client, live)
        read_objects(client, live)
        read_related(client, desired(), live)
        pages.result()
    return live


def _read_pages(client: Client, live: Live) -> None:
    read_acl(client, live)
    read_lifecycles(client, live)
    read_config(client, live)
    read_scrip(client, live)
