"""The optional repository settings file, itsmctl.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from itsmctl.errors import FatalError
from itsmctl.yamlio import parse_documents

CONFIG_FILE = "itsmctl.yaml"


@dataclass(frozen=True)
class Config:
    catalog: tuple[str, ...] = ("catalog",)
    policies: tuple[str, ...] = ("policies",)
    changes: tuple[str, ...] = ("changes",)
    default_timezone: str = "UTC"
    forge: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)

    @property
    def folders(self) -> tuple[str, ...]:
        return self.catalog + self.policies + self.changes


def parse_config(text: str | None) -> Config:
    """Read itsmctl.yaml; anything wrong with it stops the command (exit 2)."""
    if text is None:
        return Config()
    documents, problems = parse_documents(text)
    if problems:
        p = problems[0]
        raise FatalError(f"{CONFIG_FILE}:{p.line}:{p.column}: {p.message} [{p.rule}]")
    if not documents:
        return Config()
    data = documents[0].data
    _check_schema(text, data)
    paths = data.get("paths", {})
    return Config(
        catalog=tuple(paths.get("catalog", ["catalog"])),
        policies=tuple(paths.get("policies", ["policies"])),
        changes=tuple(paths.get("changes", ["changes"])),
        default_timezone=data.get("defaultTimezone", "UTC"),
        forge=dict(data.get("forge", {})),
        targets=dict(data.get("targets", {})),
    )


def _check_schema(text: str, data: Any) -> None:
    from itsmctl.model import Document, SourceFile
    from itsmctl.schemas import CONFIG_SCHEMA
    from itsmctl.validate.schema import schema_diagnostics

    document = Document(SourceFile(CONFIG_FILE, text), 0, data, 1, 1)
    diagnostics = schema_diagnostics(document, CONFIG_SCHEMA)
    if diagnostics:
        raise FatalError("\n".join(d.format() for d in sorted(diagnostics)))
