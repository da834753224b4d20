"""Service lifecycle rules: production readiness, no dependencies on retired services."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic, Rule, Severity
from itsmctl.model.typed import Service
from itsmctl.validate.context import Context

RETIRED_DEPENDENCY = Rule("retired-dependency", Severity.ERROR,
                          "A service that is not retired depends on a retired one.")
PRODUCTION_READINESS = Rule("production-readiness", Severity.ERROR,
                            "A production service lacks an owner, an SLA or an incident workflow.")
RULES = (RETIRED_DEPENDENCY, PRODUCTION_READINESS)


def check(ctx: Context) -> Iterator[Diagnostic]:
    services = ctx.catalog.typed(Service)
    for service in services.values():
        if service.lifecycle != "retired":
            for i, name in enumerate(service.depends_on):
                dependency = services.get(name)
                if dependency and dependency.lifecycle == "retired":
                    yield service.diagnostic(
                        RETIRED_DEPENDENCY,
                        f"{service.lifecycle} service '{service.name}' depends on retired "
                        f"service '{name}'", ("spec", "dependsOn", i))
        if service.lifecycle == "production":
            missing = []
            if service.sla is None:
                missing.append("SLA (spec.sla)")
            if "incident" not in service.workflows:
                missing.append("incident workflow (spec.workflows.incident)")
            if missing:
                yield service.diagnostic(
                    PRODUCTION_READINESS,
                    f"production service '{service.name}' has no {' and no '.join(missing)}",
                    ("spec",), key=True)
