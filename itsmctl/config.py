"""The optional repository settings file, itsmctl.yaml (docs/format.md#settings)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

CONFIG_FILE = "itsmctl.yaml"


def normal_folders(folders: list[str]) -> tuple[str, ...]:
    """Folder settings written any way (`./catalog/`, `catalog//x`, `catalog/`) as one
    path each (`catalog`, `catalog/x`; the root is `.`), each once, in order."""
    return tuple(dict.fromkeys(posixpath.normpath(folder) for folder in folders))


@dataclass(frozen=True)
class Config:
    catalog: tuple[str, ...] = ("catalog",)
    policies: tuple[str, ...] = ("policies",)
    changes: tuple[str, ...] = ("changes",)
    default_timezone: str = "UTC"
    review_cab: str | None = None  # review.cab: the Team that `role: cab` means
    keep_approvals_on_push: bool = False  # review.keepApprovalsOnPush
    rules: tuple[tuple[str, str], ...] = ()  # (rule id, off | error | warning | info)
    targets: dict[str, dict[str, Any]] = field(  # settings per build target, by its name
        default_factory=dict, hash=False, compare=False)

    @property
    def folders(self) -> tuple[str, ...]:
        return self.catalog + self.policies + self.changes

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Config:
        """Settings from a document that passed the settings schema."""
        paths = data.get("paths", {})
        return cls(
            catalog=normal_folders(paths.get("catalog", ["catalog"])),
            policies=normal_folders(paths.get("policies", ["policies"])),
            changes=normal_folders(paths.get("changes", ["changes"])),
            default_timezone=data.get("defaultTimezone", "UTC"),
            review_cab=data.get("review", {}).get("cab"),
            keep_approvals_on_push=bool(data.get("review", {}).get("keepApprovalsOnPush", False)),
            rules=tuple(sorted((rule, "off" if level is False else str(level))
                               for rule, level in data.get("rules", {}).items())),
            targets=dict(data.get("targets", {})),
        )
