"""Reading the catalog from the work tree and from git refs (real repositories)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from itsmctl.sources import GitRef
from tests.helpers import NOW, git


def _commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def test_check_at_a_ref_reads_blobs_not_the_work_tree(run, make_repo) -> None:
    repo = make_repo()
    git(repo, "init", "-q")
    _commit(repo, "valid")
    (repo / "catalog" / "base.yaml").write_text("kind: [\n")  # broken only in the work tree
    assert run("--repo", str(repo), "check", "--now", NOW)[0] == 1
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW, "--ref", "HEAD")
    assert code == 0, out
    git(repo, "tag", "v1")
    _commit(repo, "broken")
    assert run("--repo", str(repo), "check", "--ref", "v1", "--now", NOW)[0] == 0
    code, out, _ = run("--repo", str(repo), "check", "--ref", "HEAD", "--format", "json")
    assert json.loads(out)[0]["path"] == "catalog/base.yaml"


def test_symlinks_in_a_ref(make_repo) -> None:
    repo = make_repo()
    os.symlink("base.yaml", repo / "catalog" / "alias.yaml")
    os.symlink("/etc/hostname", repo / "catalog" / "escape.yaml")
    git(repo, "init", "-q")
    _commit(repo, "links")
    files = {f.path: f for f in GitRef(repo, "HEAD").files(("catalog",))}
    assert files["catalog/alias.yaml"].data == (repo / "catalog" / "base.yaml").read_bytes()
    assert files["catalog/escape.yaml"].problem is not None
    assert files["catalog/escape.yaml"].problem[0].id == "symlink-escape"


def test_shallow_clone_gets_a_hint(run, make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    git(repo, "init", "-q")
    _commit(repo, "one")
    (repo / "catalog" / "more.yaml").write_text("# nothing\n")
    _commit(repo, "two")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    code, _, err = run("--repo", str(clone), "check", "--ref", "HEAD~1")
    assert code == 2
    assert "shallow clone" in err


def test_not_a_git_repository(run, make_repo) -> None:
    code, _, err = run("--repo", str(make_repo()), "check", "--ref", "HEAD")
    assert code == 2 and "not a git repository" in err


def test_blobs_are_read_in_bulk_with_their_git_ids(make_repo) -> None:
    from itsmctl.sources import git_blob_id

    repo = make_repo({"catalog/big.yaml": "# " + "x" * (2 * 1024 * 1024) + "\n"})
    git(repo, "init", "-q")
    _commit(repo, "files")
    files = {f.path: f for f in GitRef(repo, "HEAD").files(("catalog", "policies"))}
    base = files["catalog/base.yaml"]
    assert base.data == (repo / "catalog" / "base.yaml").read_bytes()
    assert base.blob == git(repo, "hash-object", "catalog/base.yaml").strip()
    assert base.blob == git_blob_id(base.data or b"")
    assert files["catalog/big.yaml"].problem is not None  # too large: listed, never read
    assert files["catalog/big.yaml"].problem[0].id == "yaml-too-large"


def test_a_catalog_in_a_subfolder_of_a_git_repository(run, make_repo, tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    inner = make_repo(name="outer/itsm")
    git(outer, "init", "-q")
    _commit(outer, "one")
    (inner / "catalog" / "base.yaml").write_text(
        (inner / "catalog" / "base.yaml").read_text().replace("tier: 2", "tier: 3"))
    code, out, err = run("--repo", str(inner), "diff", "HEAD", "--format", "json")
    assert code == 0, err
    assert [c["name"] for c in json.loads(out)["changes"]] == ["web"]
def test_the_repository_is_found_by_its_settings_then_git(run, tmp_path: Path, monkeypatch,
                                                         make_repo) -> None:
    """In a monorepo the catalog's folder (holding itsmctl.yaml) is the repository, not
    the git root; without settings, the git root; no catalog there is exit 2."""
    from itsmctl.sources import find_repo_root

    mono = tmp_path / "mono"
    (mono / "app").mkdir(parents=True)
    git(mono, "init", "-q")
    itsm = make_repo(name="mono/itsm")
    (itsm / "itsmctl.yaml").write_text("defaultTimezone: UTC\n")
    (itsm / "catalog" / "sub").mkdir()
    assert find_repo_root(itsm / "catalog" / "sub") == itsm
    assert find_repo_root(mono / "app") == mono
    monkeypatch.chdir(itsm / "catalog")
    code, out, _ = run("check", "--now", NOW)
    assert code == 0 and out.startswith("No problems in 5 files")  # itsmctl.yaml counts
    monkeypatch.chdir(mono / "app")
    code, _, err = run("check")
    assert code == 2
    assert err.startswith(f"itsmctl: error: no catalog in {mono}: none of the folders "
                          "catalog, policies, changes exists")


def test_unreadable_files_are_one_diagnostic_each_and_the_run_goes_on(
        run, make_repo) -> None:
    import os

    repo = make_repo()
    os.mkfifo(repo / "catalog" / "f.yaml")
    (repo / "catalog" / "dir.yaml").mkdir()  # a folder with a catalog file's name is walked
    (repo / "catalog" / "loop.yaml").symlink_to("loop.yaml")
    (repo / "catalog" / "gone.yaml").symlink_to("missing.yaml")
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW)
    assert code == 1
    assert "catalog/f.yaml:1:1: error: not a regular file but a FIFO; not read " \
           "[unreadable-file]" in out
    assert "catalog/loop.yaml:1:1: error: a loop of symbolic links; not read " \
           "[unreadable-file]" in out
    assert "catalog/gone.yaml:1:1: error: broken symbolic link to 'missing.yaml'; not read " \
           "[unreadable-file]" in out
