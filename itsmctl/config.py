"""The optional repository settings file, itsmctl.yaml (docs/format.md#settings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONFIG_FILE = "itsmctl.yaml"


@dataclass(frozen=True)
class Config:
    catalog: tuple[str, ...] = ("catalog",)
    policies: tuple[str, ...] = ("policies",)
    changes: tuple[str, ...] = ("changes",)
    default_timezone: str = "UTC"
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)  # settings per target

    @property
    def folders(self) -> tuple[str, ...]:
        return self.catalog + self.policies + self.changes

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Config:
        """Settings from a document that passed the settings schema."""
        paths = data.get("paths", {})
        return cls(
            catalog=tuple(paths.get("catalog", ["catalog"])),
            policies=tuple(paths.get("policies", ["policies"])),
            changes=tuple(paths.get("changes", ["changes"])),
            default_timezone=data.get("defaultTimezone", "UTC"),
            targets=dict(data.get("targets", {})),
        )
