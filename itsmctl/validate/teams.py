"""Teams: member handles unique, the lead one of the members."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.validate.context import Context
from itsmctl.validate.schema import did_you_mean

RULES = ("duplicate-name", "unknown-reference")


def check(ctx: Context) -> Iterator[Diagnostic]:
    for team in ctx.catalog.of_kind("Team"):
        handles: list[str] = []
        for i, member in enumerate(team.spec["members"]):
            handle = member.get("handle")
            if handle is None:
                continue
            if handle.lower() in (h.lower() for h in handles):
                yield team.diagnostic("duplicate-name",
                                      f"handle '{handle}' appears twice in the team",
                                      ("spec", "members", i, "handle"))
            handles.append(handle)
        lead = team.spec.get("lead")
        if lead is not None and lead.lower() not in (h.lower() for h in handles):
            yield team.diagnostic(
                "unknown-reference",
                f"lead '{lead}' is not a member's handle{did_you_mean(lead, handles)}",
                ("spec", "lead"))
