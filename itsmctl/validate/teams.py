"""Teams: member handles unique, the lead one of the members."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.model.typed import Team
from itsmctl.text import did_you_mean
from itsmctl.validate.context import Context
from itsmctl.validate.names import DUPLICATE_NAME
from itsmctl.validate.references import UNKNOWN_REFERENCE

RULES = (DUPLICATE_NAME, UNKNOWN_REFERENCE)


def check(ctx: Context) -> Iterator[Diagnostic]:
    for team in ctx.catalog.typed(Team).values():
        handles: list[str] = []
        for i, member in enumerate(team.members):
            handle = member.handle
            if handle is None:
                continue
            if handle.lower() in (h.lower() for h in handles):
                yield team.diagnostic(DUPLICATE_NAME,
                                      f"handle '{handle}' appears twice in the team",
                                      ("spec", "members", i, "handle"))
            handles.append(handle)
        if team.lead is not None and team.lead.lower() not in (h.lower() for h in handles):
            yield team.diagnostic(
                UNKNOWN_REFERENCE,
                f"lead '{team.lead}' is not a member's handle{did_you_mean(team.lead, handles)}",
                ("spec", "lead"))
