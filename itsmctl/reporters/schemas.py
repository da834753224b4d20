"""`itsmctl schema export`: what was written, or (with --check) what is stale."""

from __future__ import annotations

from itsmctl.schemas.export import Exported


def render(exported: Exported) -> str:
    folder = exported.folder
    if exported.check_only:
        return "".join([*(f"{folder / name}: out of date (run itsmctl schema export)\n"
                          for name in exported.stale),
                        *(f"{folder / name}: not a current schema (remove it)\n"
                          for name in exported.extra)])
    return (f"{exported.total} schemas in {folder} ({len(exported.stale)} written, "
            f"{len(exported.extra)} removed)\n")
