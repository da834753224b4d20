"""`itsmctl init`: a small, working catalog repository to start from."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from itsmctl.errors import FatalError
from itsmctl.output import write_file
from itsmctl.schemas import exported

_TEMPLATE = "template"


def _files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    root = resources.files(__package__) / _TEMPLATE
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        for entry in folder.iterdir():
            name = entry.name
            if name == "__pycache__":
                continue
            target = prefix + name.replace("dot-", ".", 1) if name.startswith("dot-") \
                else prefix + name
            if entry.is_dir():
                stack.append((entry, target + "/"))
            else:
                out[target] = entry.read_bytes()
    for name, text in exported().items():
        out[f"schemas/{name}"] = text.encode()
    return out


# What a folder may already hold for `init` to write into it (a fresh `git init`).
_ALLOWED = {".git"}


@dataclass(frozen=True)
class Scaffolded:
    folder: Path
    files: list[str]
    git: bool  # the folder is already a git repository


def scaffold(folder: Path) -> Scaffolded:
    try:
        if folder.exists() and (not folder.is_dir()
                                or any(e.name not in _ALLOWED for e in folder.iterdir())):
            raise FatalError(f"'{folder}' exists and is not empty; init needs a new or empty "
                             "folder (a .git folder is fine)")
    except OSError as error:
        raise FatalError(f"cannot read {folder}: {error.strerror}") from error
    git = (folder / ".git").exists()
    files = _files()
    for name, data in sorted(files.items()):
        write_file(folder / name, data)
    return Scaffolded(folder, sorted(files), git)
