"""Teams and what they own and support; the gaps: teams owning nothing, services whose
owner has fewer than two members, and people who are the only ones for a service."""

from __future__ import annotations

from itsmctl.model.typed import Member, Service, Team
from itsmctl.reports.facts import index_of, teams
from itsmctl.reports.model import Column, Report, ReportInput, Section
from itsmctl.text import agree, plural

NAME = "ownership"
DESCRIPTION = "teams and what they own and support; orphans and single points of knowledge"


def person(member: Member) -> str:
    """A member's identity across teams: the forge handle, else the e-mail, else the name."""
    return member.handle or member.email or member.name


def build(job: ReportInput) -> Report:
    catalog = job.catalog
    ix = index_of(catalog)
    all_teams = teams(catalog)
    by_name = {t.name: t for t in all_teams}
    report = Report(NAME, "Ownership", job.today.isoformat(), job.ref)

    table = Section("teams", "Teams", [
        Column("team", "Team"), Column("members", "Members", numeric=True),
        Column("lead", "Lead"), Column("contact", "Contact"),
        Column("owns", "Owns"), Column("supports", "Supports"),
        Column("categories", "Assigned categories"), Column("items", "Fulfils items"),
        Column("standardChanges", "Standard changes"), Column("escalations", "Escalated to by")])
    for team in all_teams:
        table.rows.append({
            "team": team.name, "members": len(team.members), "lead": team.lead,
            "contact": ", ".join(c for c in (team.email, team.chat) if c) or None,
            "owns": [s.name for s in ix.owned.get(team.name, [])],
            "supports": [s.name for s in ix.supported.get(team.name, [])
                         if s.owner != team.name],
            "categories": [c.name for c in ix.assigned.get(team.name, [])],
            "items": [i.name for i in ix.fulfilled.get(team.name, [])],
            "standardChanges": [t.name for t in ix.team_standard_changes.get(team.name, [])],
            "escalations": [s.name for s in ix.escalated_to.get(team.name, [])]})

    idle = Section("idle-teams", "Teams that own and support nothing", [
        Column("team", "Team"), Column("members", "Members", numeric=True),
        Column("otherDuties", "Other duties")],
        note="A team that owns no service and supports none: merge it, or give it work.")
    for row in table.rows:
        if not row["owns"] and not row["supports"]:
            duties = [plural(len(v), k) for k, v in (
                ("category", row["categories"]), ("request item", row["items"]),
                ("standard change", row["standardChanges"]),
                ("escalation", row["escalations"])) if isinstance(v, list) and v]
            idle.rows.append({"team": row["team"], "members": row["members"],
                              "otherDuties": duties})

    thin = Section("thin-owners", "Services whose owner has fewer than two members", [
        Column("service", "Service"), Column("tier", "Tier", numeric=True),
        Column("owner", "Owner"), Column("members", "Members", numeric=True)],
        note="Nobody to cover holidays and sickness for the service's owner.")
    single = Section("single-points", "Single points of knowledge", [
        Column("person", "Person"), Column("name", "Name"), Column("services", "Services")],
        note="People who are the only member of both the owner and the support group of a "
             "service.")
    alone: dict[str, tuple[str, list[str]]] = {}
    for service in sorted(catalog.typed(Service).values(), key=lambda s: s.name):
        owner = by_name.get(service.owner)
        if owner is not None and len(owner.members) < 2:
            thin.rows.append({"service": service.name, "tier": service.tier,
                              "owner": owner.name, "members": len(owner.members)})
        people = _people(owner, by_name.get(service.support_group))
        if len(people) == 1:
            (key, member), = people.items()
            alone.setdefault(key, (member.name, []))[1].append(service.name)
    for key in sorted(alone):
        name, services = alone[key]
        single.rows.append({"person": key, "name": name, "services": services})

    owned = sum(1 for r in table.rows if r["owns"])
    report.summary = [
        f"{plural(len(all_teams), 'team')}: {owned} {agree(owned, 'owns', 'own')} services; "
        f"{len(idle.rows)} {agree(len(idle.rows), 'owns and supports', 'own and support')} "
        "nothing.",
        f"Services whose owner has fewer than two members: {len(thin.rows)}; "
        f"single points of knowledge: {len(single.rows)}."]
    report.sections = [table, idle, thin, single]
    return report


def _people(*groups: Team | None) -> dict[str, Member]:
    return {person(m): m for team in groups if team is not None for m in team.members}
