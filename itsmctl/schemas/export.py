"""`itsmctl schema export`: keep a folder of schemas exactly as this version builds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from itsmctl.errors import EXIT_FINDINGS, EXIT_OK
from itsmctl.output import write_file
from itsmctl.schemas import exported


@dataclass
class Exported:
    folder: Path
    check_only: bool
    total: int
    stale: list[str] = field(default_factory=list)  # missing or different
    extra: list[str] = field(default_factory=list)  # schema files this version does not make

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.check_only and (self.stale or self.extra) else EXIT_OK


def export_schemas(folder: Path, check_only: bool = False) -> Exported:
    """Write the stale schemas and remove the extra ones (or, `check_only`, just say)."""
    files = exported()
    stale = sorted(name for name, text in files.items()
                   if not (folder / name).is_file() or (folder / name).read_text() != text)
    extra = sorted(p.name for p in folder.glob("*.schema.json") if p.name not in files) \
        if folder.is_dir() else []
    result = Exported(folder, check_only, len(files), stale, extra)
    if not check_only:
        for name in stale:
            write_file(folder / name, files[name].encode())
        for name in extra:
            (folder / name).unlink()
    return result
