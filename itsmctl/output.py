"""Writing results: reports as a shell redirection would, build folders atomically.

A report (`--output FILE`) is written through symbolic links, to devices and FIFOs, with
the permissions the umask gives (missing parent folders are made); `-` is standard output.
A build folder is made aside and swapped into place, so a failed or interrupted build
leaves the previous one intact; it too gets the umask's permissions. Anything the
operating system refuses stops the command with one line naming the path (exit 2).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from itsmctl.errors import FatalError


def _refused(path: Path | str, error: OSError) -> FatalError:
    reason = error.strerror or str(error)
    return FatalError(f"cannot write {path}: {reason}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_report(path: Path | str, text: str) -> None:
    """Write `text` to `path` like `> path` in a shell (`-`: standard output)."""
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise _refused(path, error) from error


def write_file(path: Path, data: bytes) -> None:
    """Replace the regular file `path` atomically (a temporary file renamed into place)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _refused(path, error) from error
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise _refused(path, error) from error
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_tree(folder: Path, files: Mapping[str, bytes]) -> None:
    """Replace `folder` with exactly `files`, swapping a finished copy into place."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    except OSError as error:
        raise _refused(folder, error) from error
    try:
        os.chmod(staging, 0o777 & ~_umask())
        for name, data in sorted(files.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        old = None
        if folder.exists() or folder.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
            os.rename(folder, old / "previous")
        os.rename(staging, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise _refused(folder, error) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
