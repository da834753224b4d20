"""Where documents come from: the work tree, or a git ref read without a checkout.

This is the only module that talks to git (through gitpython, imported lazily so
that checking the work tree does not pay for it).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import posixpath
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from itsmctl.config import CONFIG_FILE
from itsmctl.diagnostics import Rule, Severity
from itsmctl.errors import FatalError
from itsmctl.yamlio import MAX_FILE_BYTES, YAML_TOO_LARGE

SYMLINK_ESCAPE = Rule("symlink-escape", Severity.ERROR,
                      "A symbolic link that points outside the repository.")
UNREADABLE_FILE = Rule("unreadable-file", Severity.ERROR,
                       "A file that cannot be read: a broken symbolic link or a loop of them, "
                       "not a regular file (a FIFO, a device), or refused by the system; a "
                       "symbolic link to a folder is not followed (a warning).")
RULES = (SYMLINK_ESCAPE, UNREADABLE_FILE)
_FILE_TYPES = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")]

YAML_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".test.yaml", ".test.yml")
TESTDATA = "testdata"
_MAX_LINKS = 9  # symbolic links followed in a row, in a git tree, before it is a loop


def is_policy_test(path: str) -> bool:
    return path.endswith(TEST_SUFFIXES)


def is_yaml(path: str) -> bool:
    return path.endswith(YAML_SUFFIXES)


def is_catalog_file(path: str) -> bool:
    """A YAML file of the catalog: policy tests (`*.test.yaml`) and their fixtures
    (anything under a `testdata/` folder, the Go habit) are not part of it, nor are the
    settings (the root's itsmctl.yaml, even when a catalog folder is the root)."""
    return (path.endswith(YAML_SUFFIXES) and not path.endswith(TEST_SUFFIXES)
            and TESTDATA not in path.split("/")[:-1] and path != CONFIG_FILE)


@dataclass(frozen=True)
class RawFile:
    """A file's bytes, or why they could not be read (rule id, message)."""

    path: str
    data: bytes | None = None
    problem: tuple[Rule, str] | None = None
    blob: str | None = None  # git's id of the bytes, when the source knows it
    severity: Severity | None = None  # the problem's, when not its rule's default


class Source(Protocol):
    label: str  # "work tree", or the git ref
    location: str  # where, for messages: the folder, or the ref in the repository

    def read(self, path: str) -> bytes | None: ...

    def is_folder(self, path: str) -> bool: ...

    def outside(self, path: str) -> str | None: ...

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
    to the repository; a path that does not exist or lies outside it stops the command. A
    broken symbolic link or a loop of them is itself (reading it says what it is)."""
    root = root.resolve()
    out = []
    for path in paths:
        named = Path.cwd() / path  # an absolute path stays itself
        full = Path(os.path.realpath(named))
        if not os.path.exists(full) and os.path.islink(named):
            full = Path(os.path.realpath(named.parent)) / named.name
        if not os.path.lexists(full):
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


def _folder_link(path: str, target: str) -> RawFile:
    """A symbolic link to a folder inside the repository: never followed (the work tree
    and a git ref say so alike)."""
    return RawFile(path, problem=(UNREADABLE_FILE, f"symbolic link to the folder '{target}'; "
                                                   "not followed"), severity=Severity.WARNING)


def _is_folder_link(raw: RawFile) -> bool:
    return raw.severity is Severity.WARNING and raw.problem is not None \
        and raw.problem[0] is UNREADABLE_FILE


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

    def outside(self, path: str) -> str | None:
        """Where `path` really is when a symbolic link on the way takes it out of the
        repository; None when it stays inside (or does not exist)."""
        full = self.root / path
        return None if self._inside(full) else os.path.realpath(full)

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
        leaves the repository is reported instead of read, and one to a folder is reported
        and not followed. A path in `folders` that is not a folder (a file named on the
        command line) is that file, whatever it is: a FIFO or a device is reported, never
        opened."""
        seen: set[str] = set()
        for folder in folders:
            top = self.root / folder
            if os.path.isdir(top) and self._inside(top):
                yield from self._walk(top, seen, accept, skip)
            elif os.path.lexists(top) and not os.path.isdir(top) and accept(folder) \
                    and folder not in seen:
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
                    if entry.name in skip:
                        continue
                    if not entry.is_symlink():
                        stack.append(Path(entry.path))
                    elif rel not in seen:
                        seen.add(rel)
                        found.append(_folder_link(rel, os.readlink(entry.path)))
                elif accept(rel) and rel not in seen:
                    seen.add(rel)
                    found.append(self.file(rel))
        yield from sorted(found, key=lambda f: f.path)


_SYMLINK_MODE = 0o120000
WORKTREE = "worktree"  # how the work tree is named where a commit would be


def git_blob_id(data: bytes) -> str:
    """The id git gives a blob with these bytes (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class GitRepo:
    """A git repository: refs resolved to commits, merge bases, and trees listed and blobs
    read in bulk (one `git ls-tree`, one `git cat-file --batch`), without a checkout."""

    def __init__(self, root: Path) -> None:
        import git

        try:
            self.repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
            raise FatalError(f"'{root}' is not a git repository; reading a git ref needs one") \
                from error
        top = Path(self.repo.working_tree_dir or root).resolve()
        inside = root.resolve().relative_to(top).as_posix() if root.resolve() != top else ""
        self.prefix = f"{inside}/" if inside else ""  # the catalog repository inside the git one
        # blob id -> bytes: an id names its content, so each blob is read once (the two
        # sides of a pull request share most of theirs)
        self._blobs: dict[str, bytes] = {}

    @property
    def shallow(self) -> bool:
        return bool(self.repo.git.rev_parse("--is-shallow-repository") == "true")

    def _fetch_hint(self, ref: str) -> str:
        """What to do about a ref that names no commit: a command to fetch it only when it
        is a ref name one can fetch (quoted for a shell, never one that reads as an
        option); otherwise why it names nothing."""
        import shlex

        import git

        from itsmctl.text import printable

        shown = f"'{printable(ref)}'"
        if not ref.strip():
            return "an empty ref names nothing: name a branch, tag or commit"
        if ref.startswith("-"):
            return (f"{shown} is not a ref name (it starts with '-', as an option does): name a "
                    "branch, tag or commit")
        if not ref.isprintable():
            return f"{shown} is not a valid ref name (it holds a control character)"
        suffix = re.search(r"[~^@:]", ref)
        if suffix is not None and suffix.start() > 0 and ref[suffix.start():] != "@":
            start = ref[:suffix.start()]
            try:
                self.repo.git.rev_parse("--verify", "--quiet", f"{start}^{{commit}}")
            except git.GitCommandError:
                return self._fetch_hint(start)
            if self.shallow:
                return (f"{shown} is not a commit of this shallow clone: fetch the history "
                        "(git fetch --unshallow, or actions/checkout with fetch-depth: 0)")
            return (f"'{printable(start)}' exists, but {shown} is not a commit (a revision "
                    f"beyond its history, or another kind of object): check it with git log "
                    f"{shlex.quote(start)}")
        try:
            self.repo.git.check_ref_format("--allow-onelevel", ref)
        except git.GitCommandError:
            return (f"{shown} is not a valid ref name (see git check-ref-format): name a "
                    "branch, tag or commit")
        try:
            kind = self.repo.git.cat_file("-t", ref).strip()
        except git.GitCommandError:
            kind = ""
        if kind:
            return f"{shown} names a {kind}, not a commit"
        if self.shallow:
            return ("this is a shallow clone: fetch the history (git fetch --unshallow, or "
                    "actions/checkout with fetch-depth: 0)")
        remotes = [r.name for r in self.repo.remotes]
        remote, _, branch = ref.partition("/")
        if remote in remotes and branch:
            if branch.startswith("-"):
                return f"{shown} cannot be fetched (a branch name cannot start with '-')"
            return f"fetch it with: git fetch {shlex.quote(remote)} {shlex.quote(branch)}"
        if remotes and not remotes[0].startswith("-"):
            return (f"fetch it with: git fetch {shlex.quote(remotes[0])} {shlex.quote(ref)} "
                    "(or check the name)")
        return "check the name (git branch -a and git tag list the refs)"

    def commit(self, ref: str) -> str:
        """The full SHA of the commit `ref` names; an unknown ref stops the command with one
        line saying what to fetch."""
        import git

        try:
            if ref.startswith("-"):
                raise ValueError(ref)
            return str(self.repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}"))
        except (git.GitCommandError, ValueError) as error:
            raise FatalError(f"unknown git ref '{ref}': {self._fetch_hint(ref)}") from error

    def merge_base(self, base: str, head: str) -> str:
        """Where `head` forked from `base` (as GitHub diffs a pull request)."""
        import git

        base_sha, head_sha = self.commit(base), self.commit(head)
        try:
            return str(self.repo.git.merge_base(base_sha, head_sha)).strip()
        except git.GitCommandError as error:
            if self.shallow:
                raise FatalError(
                    f"no merge base of '{base}' and '{head}' in this shallow clone: fetch the "
                    "history (git fetch --unshallow, or actions/checkout with fetch-depth: 0)"
                ) from error
            raise FatalError(f"'{base}' and '{head}' have no common history") from error

    def entries(self, commit: str, folders: tuple[str, ...]) -> list[tuple[str, int, str, int]]:
        """(path, mode, blob id, size) of the files below `folders` at a commit, paths relative
        to the catalog repository."""
        wanted = [self.prefix + f.strip("/") for f in folders if f.strip("/")]
        if not wanted:
            return []
        out = self.repo.git.ls_tree("-r", "-z", "-l", "--full-tree", commit, "--", *wanted)
        found = []
        for record in out.split("\0"):
            if not record:
                continue
            info, _, path = record.partition("\t")
            mode, kind, sha, size = info.split()
            if kind == "blob" and path.startswith(self.prefix):
                found.append((path[len(self.prefix):], int(mode, 8), sha,
                              int(size) if size.isdigit() else 0))
        return found

    def blobs(self, ids: list[str]) -> dict[str, bytes]:
        """The bytes of many blobs, those not read before by one `git cat-file --batch`."""
        missing = [i for i in ids if i not in self._blobs]
        if missing:
            self._blobs.update(self._read_blobs(missing))
        return {i: self._blobs[i] for i in ids if i in self._blobs}

    def _read_blobs(self, ids: list[str]) -> dict[str, bytes]:
        with tempfile.TemporaryFile() as names:
            names.write(("\n".join(ids) + "\n").encode())
            names.seek(0)
            data = self.repo.git.execute(["git", "cat-file", "--batch"], istream=names,
                                         stdout_as_string=False,
                                         strip_newline_in_stdout=False)
        out: dict[str, bytes] = {}
        position = 0
        while position < len(data):
            newline = data.index(b"\n", position)
            header = data[position:newline].split()
            position = newline + 1
            if len(header) != 3:  # '<name> missing'
                continue
            size = int(header[2])
            out[header[0].decode()] = bytes(data[position:position + size])
            position += size + 1
        return out


    def _git(self, *args: str) -> str:
        """A git command's output, pathspecs taken literally."""
        return str(self.repo.git.execute(["git", "--literal-pathspecs", *args],
                                         strip_newline_in_stdout=False))

    def history(self, ref: str) -> list[Commit]:
        """The main line up to `ref` (first parents, oldest first), the commits that changed
        the catalog repository only, each with the files it changed against its first parent
        and, for a merge, the authors of the commits it brought in."""
        if ref == "HEAD" and not self.repo.head.is_valid():
            raise FatalError("this repository has no commits yet: its history starts with "
                             "the first commit")
        sha = self.commit(ref)
        raw = self._git("log", "--first-parent", "--diff-merges=first-parent", "--raw", "-z",
                        "--no-abbrev", "--no-renames", "--root", "--format=%H", sha, "--",
                        self.prefix.rstrip("/") or ".")
        changed = _raw_log(raw, self.prefix)
        objects = self.blobs(list(changed))
        brought = self._contributors(sha, {c for c in changed if _headers(
            objects.get(c, b"")).count(b"\nparent ") > 1})
        boundary = self._shallow_boundary()
        return [replace(_commit_object(c, objects.get(c, b""), tuple(files)),
                        contributors=brought.get(c, ()), cut=c in boundary)
                for c, files in reversed(changed.items())]

    def _shallow_boundary(self) -> set[str]:
        """The commits of a shallow clone whose parents are not in it."""
        shallow = Path(self.repo.common_dir) / "shallow"
        try:
            return set(shallow.read_text().split())
        except OSError:
            return set()

    def _contributors(self, sha: str, merges: set[str]) -> dict[str, tuple[Person, ...]]:
        """For each of `merges` (on the main line): the authors of the commits it brought,
        those reachable from its other parents and not from the main line before it."""
        if not merges:
            return {}
        parents: dict[str, list[str]] = {}
        authors: dict[str, Person] = {}
        for line in self._git("log", "--format=%H%x00%P%x00%an%x00%ae", sha).split("\n"):
            if not line:
                continue
            commit, parent_list, name, email = [*line.split("\0"), "", "", ""][:4]
            parents[commit] = parent_list.split()
            authors[commit] = Person(name, email)
        mainline = [sha]
        while parents.get(mainline[-1]):
            mainline.append(parents[mainline[-1]][0])
        seen: set[str] = set()
        out: dict[str, tuple[Person, ...]] = {}
        for commit in reversed(mainline):
            brought: dict[Person, None] = {}
            stack = list(parents.get(commit, [])[1:])
            while stack:
                other = stack.pop()
                if other in seen:
                    continue
                seen.add(other)
                brought.setdefault(authors.get(other, Person("", "")))
                stack.extend(parents.get(other, []))
            seen.add(commit)
            if commit in merges:
                out[commit] = tuple(brought)
        return out

# --- history (the audit report) --------------------------------------------------------

_PERSON = re.compile(r"^(?P<name>.*?) <(?P<email>[^<>]*)> (?P<time>-?\d+) (?P<zone>[+-]\d{4})$")
_TRAILER = re.compile(r"^(?P<key>[A-Za-z0-9-]+)\s*:\s*(?P<value>\S.*)$")
_REGULAR_MODES = ("100644", "100755")


@dataclass(frozen=True)
class FileChange:
    """One file a commit changed against its first parent: the blob ids before and after
    (None where the file did not exist, or was not a regular file)."""

    path: str  # relative to the catalog repository
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


@dataclass(frozen=True)
class Commit:
    """A commit of the main line (first parents), with what it changed against its first
    parent and who wrote, committed and brought it."""

    sha: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    time: dt.datetime  # the committer date, in the offset it was recorded with
    message: str
    files: tuple[FileChange, ...] = ()
    contributors: tuple[Person, ...] = ()  # a merge's: the authors of the commits it brought
    cut: bool = False  # a shallow clone's boundary: its parents are not here, so every file
    # it holds looks added

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def trailers(self) -> list[tuple[str, str]]:
        """(key, value) of the message's trailer block: its last paragraph, when every line
        of it reads `Key: value` (as `git interpret-trailers` reads the common form)."""
        paragraphs = [p for p in self.message.strip().split("\n\n") if p.strip()]
        if len(paragraphs) < 2:
            return []
        found = [_TRAILER.match(line.strip()) for line in paragraphs[-1].strip().split("\n")]
        return [(m["key"], m["value"].strip()) for m in found if m] if all(found) else []


def _person(text: str) -> tuple[Person, dt.datetime]:
    match = _PERSON.match(text)
    if match is None:
        return Person(text, ""), dt.datetime.fromtimestamp(0, dt.timezone.utc)
    zone = match["zone"]
    offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    try:
        when = dt.datetime.fromtimestamp(int(match["time"]), dt.timezone(
            -offset if zone[0] == "-" else offset))
    except (OverflowError, OSError, ValueError):  # a forged date beyond datetime's range
        when = dt.datetime.fromtimestamp(0, dt.timezone.utc)
    return Person(match["name"], match["email"]), when


def _commit_object(sha: str, data: bytes, files: tuple[FileChange, ...]) -> Commit:
    """A raw commit object: headers, a blank line, the message."""
    head, _, message = data.decode("utf-8", "replace").partition("\n\n")
    parents: list[str] = []
    author = committer = Person("", "")
    when = dt.datetime.fromtimestamp(0, dt.timezone.utc)
    for line in head.split("\n"):
        key, _, value = line.partition(" ")
        if key == "parent":
            parents.append(value)
        elif key == "author":
            author, _ = _person(value)
        elif key == "committer":
            committer, when = _person(value)
    return Commit(sha, tuple(parents), author, committer, when, message.rstrip("\n"), files)


def _headers(commit_object: bytes) -> bytes:
    """A raw commit object's headers (the message follows the first blank line)."""
    return commit_object.split(b"\n\n", 1)[0]


def _shown_path(path: str) -> str:
    """A path git gave as bytes that are not UTF-8 (decoded with surrogate escapes), with
    those bytes written as escapes (\\xff), so that it can be shown and written."""
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return path.encode("utf-8", "replace").decode("utf-8")


def _raw_log(output: str, prefix: str) -> dict[str, list[FileChange]]:
    """`git log --raw -z --format=%H` read as tokens: a commit's SHA, then per file a
    status (':mode mode blob blob X') and a path."""
    changed: dict[str, list[FileChange]] = {}
    files: list[FileChange] = []
    status: list[str] | None = None
    for token in output.split("\0"):
        if status is not None:  # a path: taken as it is (a name may start with a newline)
            path = _shown_path(token[len(prefix):] if token.startswith(prefix) else token)
            old_mode, new_mode, old_blob, new_blob = [*status, "", "", ""][:4]
            files.append(FileChange(
                path, old_blob if old_mode in _REGULAR_MODES else None,
                new_blob if new_mode in _REGULAR_MODES else None))
            status = None
            continue
        token = token.lstrip("\n")  # each record after the first starts on a new line
        if token.startswith(":"):
            status = token[1:].split()
        elif token:
            files = changed.setdefault(token, [])
    return changed


class GitRef:
    """The files of a commit, read from git's object store (no checkout needed)."""

    def __init__(self, root: Path, ref: str, repo: GitRepo | None = None) -> None:
        self.git = repo or GitRepo(root)
        self.repo = self.git.repo
        self.ref = ref
        self.label = ref
        self.location = f"{ref} of {root}"
        self.sha = self.git.commit(ref)
        self.commit = self.repo.commit(self.sha)
        self.tree = self.commit.tree

    def _entry(self, path: str) -> Any:
        full = posixpath.normpath(self.git.prefix + path)
        if full == ".":
            return self.tree
        try:
            return self.tree / full
        except KeyError:
            return None

    def _follow(self, path: str, link: Any) -> tuple[Any, RawFile | None]:
        """The blob a symbolic link (a blob of mode 120000) leads to inside the tree, or
        why it is not read, in the work tree's words: leaving the repository, broken, a
        loop, or a folder (not followed)."""
        shown = link.data_stream.read().decode("utf-8", "replace")
        where, target = path, shown
        for _ in range(_MAX_LINKS):
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(where), target))
            if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
                return None, _escape(path, shown)
            entry = self._entry(resolved)
            if entry is None:
                return None, _unreadable(path, f"broken symbolic link to '{shown}'")
            if entry.type == "tree":
                return None, _folder_link(path, shown)
            if entry.type != "blob":
                return None, _unreadable(path, f"symbolic link to '{shown}', which is not a file")
            if entry.mode != _SYMLINK_MODE:
                return entry, None
            where, target = resolved, entry.data_stream.read().decode("utf-8", "replace")
        return None, _unreadable(path, "a loop of symbolic links")

    def _blob_bytes(self, path: str, blob: Any) -> RawFile:
        if blob.mode == _SYMLINK_MODE:
            blob, problem = self._follow(path, blob)
            if problem is not None:
                return problem
        if blob.size > MAX_FILE_BYTES:
            return _too_large(path, blob.size)
        return RawFile(path, blob.data_stream.read(), blob=blob.hexsha)

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

    def outside(self, path: str) -> str | None:
        """The target of a symbolic link on the way to `path` that leaves the repository;
        None when none does (or the path does not exist)."""
        parts = [p for p in posixpath.normpath(path).split("/") if p != "."]
        done = ""
        for _ in range(_MAX_LINKS * 4):
            if not parts:
                return None
            current = posixpath.join(done, parts.pop(0))
            entry = self._entry(current)
            if entry is None:
                return None
            if entry.type != "blob" or entry.mode != _SYMLINK_MODE:
                done = current
                continue
            target: str = entry.data_stream.read().decode("utf-8", "replace")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
            if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
                return target
            parts = [p for p in resolved.split("/") if p != "."] + parts
            done = ""
        return None

    def files(self, folders: tuple[str, ...]) -> Iterator[RawFile]:
        """The catalog files below `folders`, sorted: listed by one `git ls-tree`, their
        bytes read by one `git cat-file --batch` (symbolic links resolved inside the tree)."""
        found: dict[str, RawFile] = {}
        plain: list[tuple[str, str]] = []
        for path, mode, sha, size in self.git.entries(self.sha, folders):
            parts = path.split("/")
            if path in found or any(part.startswith(".") for part in parts):
                continue
            if not is_catalog_file(path):
                # a link to a folder, whatever its name, is reported as the work tree does
                if mode == _SYMLINK_MODE and TESTDATA not in parts:
                    raw = self._blob_bytes(path, self._entry(path))
                    if _is_folder_link(raw):
                        found[path] = raw
                continue
            if mode == _SYMLINK_MODE:
                found[path] = self._blob_bytes(path, self._entry(path))
            elif size > MAX_FILE_BYTES:
                found[path] = _too_large(path, size)
            else:
                found[path] = RawFile(path, blob=sha)  # bytes read below, all at once
                plain.append((path, sha))
        data = self.git.blobs(sorted({sha for _, sha in plain}))
        for path, sha in plain:
            found[path] = RawFile(path, data.get(sha, b""), blob=sha)
        yield from (found[path] for path in sorted(found))


@dataclass(frozen=True)
class Revisions:
    """The two sides of a comparison: BASE (a commit) and HEAD (a commit, or the work tree)."""

    base: GitRef
    head: Source
    head_sha: str  # the HEAD commit; for the work tree, the commit it is checked out at

    @property
    def head_label(self) -> str:
        """The head's SHA, or 'worktree'."""
        return self.head.sha if isinstance(self.head, GitRef) else WORKTREE


def revisions(root: Path, base: str, head: str | None = None) -> Revisions:
    """BASE and HEAD as `diff` and `review` take them: `BASE [HEAD]` (HEAD default: the work
    tree), `BASE..HEAD` (the same), or `BASE...HEAD` (BASE is where HEAD forked from it, the
    merge base, as GitHub diffs a pull request; an empty side is HEAD)."""
    repo = GitRepo(root)
    for operator in ("...", ".."):
        if operator in base:
            if head is not None:
                raise FatalError(f"give either '{base}' or two refs, not both")
            left, _, right = base.partition(operator)
            right = right or "HEAD"
            start = repo.merge_base(left or "HEAD", right) if operator == "..." \
                else repo.commit(left or "HEAD")
            head_ref = GitRef(root, right, repo)
            return Revisions(GitRef(root, start, repo), head_ref, head_ref.sha)
    base_ref = GitRef(root, base, repo)
    if head is None:
        current = repo.commit("HEAD") if repo.repo.head.is_valid() else base_ref.sha
        return Revisions(base_ref, WorkTree(root), current)
    head_ref = GitRef(root, head, repo)
    return Revisions(base_ref, head_ref, head_ref.sha)


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
