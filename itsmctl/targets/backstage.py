"""`build --target backstage`: the catalog as Backstage entities (docs/site.md#backstage).

- a **Component** (type `service`) per service: owner, lifecycle, `dependsOn`, its system;
  tier, SLA and itsmctl's lifecycle as labels, the SLA's targets and calendar, the
  support group and the availability target as annotations, a link to its site page;
- a **Group** (type `team`) per team, with its members as **Users** (named by their forge
  handle, else the local part of their e-mail);
- a **Domain** per value of the services' `domain` label and a **System** per value of
  their `system` label, or, for a service without one, per domain (the System `network`
  in the Domain `network`).

Settings (itsmctl.yaml): `targets.backstage.siteUrl` (where build/docs is published: the
links point there; without it they are relative to build/backstage/) and
`targets.backstage.namespace` (default `default`).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from itsmctl.model.typed import SLA, Service, Team, priority_matrix
from itsmctl.targets.base import BuildInput, Output
from itsmctl.yamlio import dump_documents

NAME = "backstage"
DESCRIPTION = "Backstage entities (catalog-info.yaml): components, groups, users, systems"
API = "backstage.io/v1alpha1"
PREFIX = "itsmctl.io"
LIFECYCLE = {"planned": "experimental", "production": "production",
             "retiring": "deprecated", "retired": "deprecated"}
_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def entity_name(text: str) -> str:
    """A Backstage entity name: [A-Za-z0-9._-], at most 63, alphanumeric at both ends."""
    name = _NOT_NAME.sub("-", text).strip("-._")[:63].strip("-._")
    return name or "unnamed"


def label_value(text: str) -> str:
    return entity_name(text)


def _meta(name: str, title: str, description: Any = None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if title and title != name:
        meta["title"] = title
    if description:
        meta["description"] = str(description)
    meta.update({k: v for k, v in extra.items() if v})
    return meta


def _user_name(member: Any) -> str:
    return entity_name(member.handle or (member.email or member.name).split("@")[0])


def _targets(sla: SLA, levels: list[str]) -> str:
    return ", ".join(f"{lv} {t.response or '-'}/{t.resolution}" for lv in levels
                     if (t := sla.targets.get(lv)) is not None)


def _most(counts: Counter[str]) -> str:
    """The team owning most of a domain's services (the first by name on a tie)."""
    return min(counts, key=lambda team: (-counts[team], team))


def build(job: BuildInput) -> Output:
    settings = job.config.targets.get(NAME, {})
    base = str(settings.get("siteUrl", "../docs/")).rstrip("/") + "/"
    namespace = str(settings.get("namespace", "default"))
    catalog = job.catalog
    services = sorted(catalog.typed(Service).values(), key=lambda s: s.name)
    teams = sorted(catalog.typed(Team).values(), key=lambda t: t.name)
    slas = catalog.typed(SLA)
    matrix = priority_matrix(catalog)
    levels = matrix.level_names if matrix else sorted({lv for s in slas.values()
                                                       for lv in s.targets})
    systems: dict[str, tuple[str | None, str]] = {}  # system -> (its domain, its owner)
    owners_in_domain: dict[str, Counter[str]] = {}
    components = []
    for service in services:
        labels = service.entity.metadata.get("labels", {})
        domain = labels.get("domain")
        system = labels.get("system") or domain
        if system is not None:
            systems.setdefault(entity_name(system), (entity_name(domain) if domain else None,
                                                     entity_name(service.owner)))
        if domain is not None:
            owners_in_domain.setdefault(entity_name(domain), Counter())[
                entity_name(service.owner)] += 1
        sla = slas.get(service.sla) if service.sla else None
        annotations = {
            f"{PREFIX}/support-group": service.support_group,
            f"{PREFIX}/sla": service.sla or "",
            f"{PREFIX}/sla-targets": _targets(sla, levels) if sla else "",
            f"{PREFIX}/sla-calendar": sla.calendar if sla else "",
            f"{PREFIX}/availability-target": "" if service.availability_target is None
            else f"{service.availability_target:g}",
            f"{PREFIX}/site-page": f"{base}services/{service.name}.html"}
        spec: dict[str, Any] = {
            "type": "service", "lifecycle": LIFECYCLE.get(service.lifecycle, "production"),
            "owner": f"group:{namespace}/{entity_name(service.owner)}"}
        if system is not None:
            spec["system"] = entity_name(system)
        if service.depends_on:
            spec["dependsOn"] = [f"component:{namespace}/{entity_name(d)}"
                                 for d in service.depends_on]
        components.append({"apiVersion": API, "kind": "Component", "metadata": _meta(
            entity_name(service.name), service.title,
            service.entity.metadata.get("description"), namespace=namespace,
            labels={k: v for k, v in {
                f"{PREFIX}/tier": str(service.tier) if service.tier else "",
                f"{PREFIX}/lifecycle": service.lifecycle,
                f"{PREFIX}/sla": label_value(service.sla) if service.sla else ""}.items() if v},
            annotations={k: v for k, v in annotations.items() if v},
            links=[{"url": f"{base}services/{service.name}.html", "title": "Service catalog",
                    "type": "itsmctl-site"}]), "spec": spec})
    groups: list[dict[str, Any]] = []
    users: dict[str, dict[str, Any]] = {}
    for team in teams:
        names = [_user_name(m) for m in team.members]
        profile = {k: v for k, v in (("displayName", team.title), ("email", team.email)) if v}
        groups.append({"apiVersion": API, "kind": "Group", "metadata": _meta(
            entity_name(team.name), team.title, team.entity.metadata.get("description"),
            namespace=namespace, annotations={
                k: v for k, v in ((f"{PREFIX}/chat", team.chat),
                                  (f"{PREFIX}/forge-team", team.forge_team)) if v},
            links=[{"url": f"{base}teams/{team.name}.html", "title": "Service catalog",
                    "type": "itsmctl-site"}]),
            "spec": {"type": "team", "profile": profile, "children": [],
                     "members": [f"user:{namespace}/{n}" for n in sorted(set(names))]}})
        for member, name in zip(team.members, names, strict=True):
            user = users.setdefault(name, {
                "apiVersion": API, "kind": "User", "metadata": {"name": name,
                                                                "namespace": namespace},
                "spec": {"profile": {k: v for k, v in (("displayName", member.name),
                                                       ("email", member.email)) if v},
                         "memberOf": []}})
            group = f"group:{namespace}/{entity_name(team.name)}"
            if group not in user["spec"]["memberOf"]:
                user["spec"]["memberOf"].append(group)
    domains = [{"apiVersion": API, "kind": "Domain", "metadata": {
        "name": name, "namespace": namespace},
        "spec": {"owner": f"group:{namespace}/{_most(owners_in_domain[name])}"}}
        for name in sorted(owners_in_domain)]
    system_docs = []
    for name, (domain, owner) in sorted(systems.items()):
        spec = {"owner": f"group:{namespace}/{owner}"}
        if domain is not None:
            spec["domain"] = f"domain:{namespace}/{domain}"
        system_docs.append({"apiVersion": API, "kind": "System",
                            "metadata": {"name": name, "namespace": namespace}, "spec": spec})
    entities = [*domains, *system_docs, *groups, *(users[n] for n in sorted(users)),
                *components]
    header = "# Generated by itsmctl build --target backstage: do not edit.\n"
    return Output({"catalog-info.yaml": (header + dump_documents(entities)).encode()})
