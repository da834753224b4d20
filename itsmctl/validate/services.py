"""Service lifecycle rules: production readiness, no dependencies on retired services."""

from __future__ import annotations

from collections.abc import Iterator

from itsmctl.diagnostics import Diagnostic
from itsmctl.validate.context import Context

RULES = ("retired-dependency", "production-readiness")


def check(ctx: Context) -> Iterator[Diagnostic]:
    catalog = ctx.catalog
    for service in catalog.of_kind("Service"):
        lifecycle = service.spec.get("lifecycle", "production")
        if lifecycle != "retired":
            for i, name in enumerate(service.spec.get("dependsOn", [])):
                dependency = catalog.get("Service", name)
                if dependency and dependency.spec.get("lifecycle") == "retired":
                    yield service.diagnostic(
                        "retired-dependency",
                        f"{lifecycle} service '{service.name}' depends on retired service "
                        f"'{name}'", ("spec", "dependsOn", i))
        if lifecycle == "production":
            missing = []
            if "sla" not in service.spec:
                missing.append("SLA (spec.sla)")
            if "incident" not in service.spec.get("workflows", {}):
                missing.append("incident workflow (spec.workflows.incident)")
            if missing:
                yield service.diagnostic(
                    "production-readiness",
                    f"production service '{service.name}' has no {' and no '.join(missing)}",
                    ("spec",), key=True)
