"""Where documents come from: the work tree, or a git ref read without a checkout.

This is the only module that talks to git (through gitpython, imported lazily so
that checking the work tree does not pay for it).
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from itsmctl.diagnostics import Rule, Severity
from itsmctl.errors import FatalError
from itsmctl.yamlio import MAX_FILE_BYTES, YAML_TOO_LARGE

SYMLINK_ESCAPE = Rule("symlink-escape", Severity.ERROR,
                      "A symbolic link that points outside the repository.")
UNREADABLE_FILE = Rule("unreadable-file", Severity.ERROR,
                       "A file that cannot be read: a broken symbolic link or a loop of them, "
                       "not a regular file (a FIFO, a device), or refused by the system.")
RULES = (SYMLINK_ESCAPE, UNREADABLE_FILE)
_FILE_TYPES = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")]

YAML_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".test.yaml", ".test.yml")
TESTDATA = "testdata"


def is_policy_test(path: str) -> bool:
    return path.endswith(TEST_SUFFIXES)


def is_yaml(path: str) -> bool:
    return path.endswith(YAML_SUFFIXES)


def is_catalog_file(path: str) -> bool:
    """A YAML file of the catalog: policy tests (`*.test.yaml`) and their fixtures
    (anything under a `testdata/` folder, the Go habit) are not part of it."""
    return (path.endswith(YAML_SUFFIXES) and not path.endswith(TEST_SUFFIXES)
            and TESTDATA not in path.split("/")[:-1])


@dataclass(frozen=True)
class RawFile:
    """A file's bytes, or why they could not be read (rule id, message)."""

    path: str
    data: bytes | None = None
    problem: tuple[Rule, str] | None = None


class Source(Protocol):
    label: str  # "work tree", or the git ref
    location: str  # where, for messages: the folder, or the ref in the repository

    def read(self, path: str) -> bytes | None: ...

    def is_folder(self, path: str) -> bool: ...

    def files(self, folders: tuple[str, ...]) -> Iterator[RawFile]: ...


def file_kind(path: Path) -> str | None:
    """None for a regular file (through symbolic links); else what it is ("a FIFO", "a
    character device", ..., "missing") for a message."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return "a loop of symbolic links" if error.errno == errno.ELOOP else \
            (error.strerror or "missing").lower()
    return _not_regular(mode)


def read_named_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A small file named on the command line (a mapping): a regular file of at most
    `limit` bytes, else FatalError saying why."""
    kind = file_kind(path)
    if kind is not None:
        raise FatalError(f"cannot read {path}: it is {kind}, not a file" if kind.startswith("a ")
                         else f"cannot read {path}: {kind}")
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise FatalError(f"cannot read {path}: {error.strerror}") from error
    if len(data) > limit:
        raise FatalError(f"{path} is over {limit:,} bytes; not read")
    return data


def relative_paths(root: Path, paths: tuple[str, ...] | list[str]) -> list[str]:
    """Paths named on the command line (relative to the current folder) as paths relative
    to the repository; a path that does not exist or lies outside it stops the command."""
    root = root.resolve()
    out = []
    for path in paths:
        full = Path(path).resolve() if Path(path).is_absolute() else (Path.cwd() / path).resolve()
        if not full.exists():
            raise FatalError(f"no such file or folder: {path}")
        try:
            out.append(full.relative_to(root).as_posix())
        except ValueError as error:
            raise FatalError(f"{path} is outside the repository {root}") from error
    return out


def find_repo_root(start: Path) -> Path:
    """The catalog repository around `start`: the nearest folder upwards holding
    itsmctl.yaml (a catalog inside a monorepo), else the enclosing git work tree, else
    `start` itself."""
    start = start.resolve()
    folders = (start, *start.parents)
    for marker in ("itsmctl.yaml", ".git"):
        for folder in folders:
            if (folder / marker).exists():
                return folder
    return start


def _too_large(path: str, size: int) -> RawFile:
    return RawFile(path, problem=(
        YAML_TOO_LARGE, f"file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes",
    ))


def _escape(path: str, target: str) -> RawFile:
    return RawFile(path, problem=(
        SYMLINK_ESCAPE, f"symbolic link to '{target}' leaves the repository; not read",
    ))


def _unreadable(path: str, why: str) -> RawFile:
    return RawFile(path, problem=(UNREADABLE_FILE, f"{why}; not read"))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder (through symbolic links; a loop is not one)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _not_regular(mode: int) -> str | None:
    for test, what in _FILE_TYPES:
        if test(mode):
            return what
    return None


class WorkTree:
    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise FatalError(f"repository folder '{root}' does not exist")
        self.root = root.resolve()
        self.label = "work tree"
        self.location = str(self.root)

    def _inside(self, path: Path) -> bool:
        real = Path(os.path.realpath(path))
        return real == self.root or self.root in real.parents

    def read(self, path: str) -> bytes | None:
        """A settings file's bytes (None when there is none); one that cannot be read stops
        the command."""
        full = self.root / path
        if not full.exists() and not full.is_symlink():
            return None
        raw = self.file(path)
        if raw.problem is not None:
            raise FatalError(f"{path}: {raw.problem[1]}")
        return raw.data

    def is_folder(self, path: str) -> bool:
        full = self.root / path
        return full.is_dir() and self._inside(full)

    def file(self, rel: str) -> RawFile:
        """One file's bytes, or why it is not read: a symbolic link leaving the repository,
        a broken link or a loop, something that is not a regular file (never opened, so
        a FIFO cannot hang the run), a file over the size limit, or the system's refusal."""
        full = self.root / rel
        try:
            link = os.readlink(full) if full.is_symlink() else None
            if link is not None and not self._inside(full):
                return _escape(rel, link)
            info = os.stat(full)
        except OSError as error:
            if error.errno == errno.ELOOP:
                return _unreadable(rel, "a loop of symbolic links")
            if error.errno == errno.ENOENT and link is not None:
                return _unreadable(rel, f"broken symbolic link to '{link}'")
            return _unreadable(rel, f"cannot read: {error.strerror}")
        kind = _not_regular(info.st_mode)
        if kind is not None:
            return _unreadable(rel, f"not a regular file but {kind}")
        if info.st_size > MAX_FILE_BYTES:
            return _too_large(rel, info.st_size)
        try:
            return RawFile(rel, full.read_bytes())
        except OSError as error:
            return _unreadable(rel, f"cannot read: {error.strerror}")

    def files(self, folders: tuple[str, ...]) -> Iterator[RawFile]:
        """The catalog files below `folders`, sorted."""
        return self.walk(folders, is_catalog_file, skip=frozenset({TESTDATA}))

    def walk(self, folders: tuple[str, ...] | list[str], accept: Callable[[str], bool],
             skip: frozenset[str] = frozenset()) -> Iterator[RawFile]:
        """The files below `folders` whose repository path `accept`s, sorted per folder;
        hidden entries and folders named in `skip` are passed over, a symbolic link that
        leaves the repository is reported instead of read."""
        seen: set[str] = set()
        for folder in folders:
            top = self.root / folder
            if top.is_dir() and self._inside(top):
                yield from self._walk(top, seen, accept, skip)
            elif top.is_file() and accept(folder) and folder not in seen:
                seen.add(folder)
                yield self.file(folder)

    def _walk(self, top: Path, seen: set[str], accept: Callable[[str], bool],
              skip: frozenset[str]) -> Iterator[RawFile]:
        stack = [top]
        visited: set[str] = set()
        found: list[RawFile] = []
        while stack:
            folder = stack.pop()
            real = os.path.realpath(folder)
            if real in visited:
                continue
            visited.add(real)
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as error:
                rel = folder.relative_to(self.root).as_posix()
                found.append(_unreadable(rel, f"cannot read the folder: {error.strerror}"))
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                rel = Path(entry.path).relative_to(self.root).as_posix()
                folder_entry = _is_folder(entry)
                if entry.is_symlink() and not self._inside(Path(entry.path)):
                    if folder_entry or accept(rel):
                        found.append(_escape(rel, os.readlink(entry.path)))
                    continue
                if folder_entry:
                    if entry.name not in skip:
                        stack.append(Path(entry.path))
                elif accept(rel) and rel not in seen:
                    seen.add(rel)
                    found.append(self.file(rel))
        yield from sorted(found, key=lambda f: f.path)


_SYMLINK_MODE = 0o120000


class GitRef:
    """The files of a commit, read from git's object store (no checkout needed)."""

    def __init__(self, root: Path, ref: str) -> None:
        import git

        try:
            self.repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
            raise FatalError(f"'{root}' is not a git repository; --ref needs one") from error
        self.ref = ref
        self.label = ref
        self.location = f"{ref} of {root}"
        try:
            self.commit = self.repo.commit(ref)
            self.tree = self.commit.tree
        except Exception as error:  # gitpython raises several kinds for a bad name
            hint = None
            if (Path(self.repo.git_dir) / "shallow").exists():
                hint = ("this is a shallow clone: fetch the history "
                        "(actions/checkout with fetch-depth: 0, or git fetch --unshallow)")
            raise FatalError(f"unknown git ref '{ref}'", hint) from error

    def _entry(self, path: str) -> Any:
        try:
            return self.tree / path
        except KeyError:
            return None

    def _blob_bytes(self, path: str, blob: Any, depth: int = 0) -> RawFile:
        if blob.mode == _SYMLINK_MODE:
            target = blob.data_stream.read().decode("utf-8", "replace")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if target.startswith("/") or resolved.startswith(".."):
                return _escape(path, target)
            entry = self._entry(resolved)
            if depth > 8:
                return _unreadable(path, "a loop of symbolic links")
            if entry is None:
                return _unreadable(path, f"broken symbolic link to '{target}'")
            if entry.type != "blob":
                return _unreadable(path, f"symbolic link to '{target}', which is not a file")
            return self._blob_bytes(path, entry, depth + 1)
        if blob.size > MAX_FILE_BYTES:
            return _too_large(path, blob.size)
        return RawFile(path, blob.data_stream.read())

    def read(self, path: str) -> bytes | None:
        entry = self._entry(path)
        if entry is None:
            return None
        raw = self._blob_bytes(path, entry) if entry.type == "blob" else \
            _unreadable(path, "not a file")
        if raw.problem is not None:
            raise FatalError(f"{path} at {self.ref}: {raw.problem[1]}")
        return raw.data

    def is_folder(self, path: str) -> bool:
        entry = self._entry(path.strip("/"))
        return entry is not None and entry.type == "tree"

    def files(self, folders: tuple[str, ...]) -> Iterator[RawFile]:
        seen: set[str] = set()
        found: list[RawFile] = []
        for folder in folders:
            entry = self._entry(folder.strip("/"))
            if entry is None or entry.type != "tree":
                continue
            for item in entry.traverse():
                if item.type != "blob" or not is_catalog_file(item.path):
                    continue
                if any(part.startswith(".") for part in item.path.split("/")):
                    continue
                if item.path not in seen:
                    seen.add(item.path)
                    found.append(self._blob_bytes(item.path, item))
        yield from sorted(found, key=lambda f: f.path)


def committed(root: Path, paths: list[str]) -> dict[str, bytes]:
    """The files among `paths` as the last commit (HEAD) has them; nothing where there is
    no repository or no such commit (what `check PATH` compares a changed file with)."""
    try:
        head = GitRef(root, "HEAD")
    except FatalError:
        return {}
    out = {}
    for path in paths:
        try:
            data = head.read(path)
        except FatalError:
            data = None
        if data is not None:
            out[path] = data
    return out


def open_source(root: Path, ref: str | None) -> Source:
    return GitRef(root, ref) if ref else WorkTree(root)
