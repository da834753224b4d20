"""`itsmctl init`: a small, working catalog repository to start from."""

from __future__ import annotations

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


def scaffold(folder: Path) -> list[str]:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FatalError(f"'{folder}' exists and is not empty; init needs a new folder")
    files = _files()
    for name, data in sorted(files.items()):
        write_file(folder / name, data)
    return sorted(files)
