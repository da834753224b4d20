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


def test_a_fifo_named_directly_is_reported_never_opened(run, make_repo, monkeypatch) -> None:
    """A path named on the command line that is not a folder is that file, whatever it is:
    a FIFO (opening it would block for ever) or a loop of links is an `unreadable-file`
    diagnostic, as when it is found in a folder, not silently passed over."""
    from itsmctl.sources import WorkTree, is_policy_test, is_yaml

    repo = make_repo()
    os.mkfifo(repo / "catalog" / "f.yaml")
    os.mkfifo(repo / "policies" / "p.test.yaml")
    (repo / "policies" / "loop.test.yaml").symlink_to("loop.test.yaml")
    files = list(WorkTree(repo).walk(["catalog/f.yaml"], is_yaml))
    assert [(f.path, f.data, f.problem[1] if f.problem else None) for f in files] == [
        ("catalog/f.yaml", None, "not a regular file but a FIFO; not read")]
    monkeypatch.chdir(repo)
    code, out, _ = run("policy", "test", "policies/p.test.yaml", "policies/loop.test.yaml")
    assert code == 1
    assert out.splitlines()[:2] == [
        "policies/p.test.yaml:1:1: error: not a regular file but a FIFO; not read "
        "[unreadable-file]",
        "policies/loop.test.yaml:1:1: error: a loop of symbolic links; not read "
        "[unreadable-file]"]
    code, out, err = run("check", "--now", NOW, "catalog/f.yaml")
    assert (code, err) == (1, "")
    assert out.startswith("catalog/f.yaml:1:1: error: not a regular file but a FIFO; not read "
                          "[unreadable-file]\n")
    assert [f.path for f in WorkTree(repo).walk(["policies"], is_policy_test)] == [
        "policies/loop.test.yaml", "policies/p.test.yaml"]


def _links(repo: Path) -> None:
    (repo / "shared").mkdir()
    (repo / "shared" / "team.yaml").write_text((repo / "catalog" / "base.yaml").read_text())
    (repo / "catalog" / "linked").symlink_to("../shared")
    (repo / "catalog" / "linked.yaml").symlink_to("../shared")  # named like a catalog file
    (repo / "catalog" / "chain").symlink_to("linked")  # a link to a link to a folder
    (repo / "catalog" / "root").symlink_to("..")
    (repo / "catalog" / "alias.yml").symlink_to("../shared/team.yaml")  # a file: read
    (repo / "catalog" / "testdata").mkdir()  # fixtures are not part of the catalog
    (repo / "catalog" / "testdata" / "more").symlink_to("../../shared")
    (repo / "catalog" / "testdata.yaml").mkdir()
    (repo / "catalog" / "testdata.yaml" / "testdata").symlink_to("../../shared")


FOLDER_LINKS = [
    "catalog/chain:1:1: warning: symbolic link to the folder 'linked'; not followed "
    "[unreadable-file]",
    "catalog/linked:1:1: warning: symbolic link to the folder '../shared'; not followed "
    "[unreadable-file]",
    "catalog/linked.yaml:1:1: warning: symbolic link to the folder '../shared'; not followed "
    "[unreadable-file]",
    "catalog/root:1:1: warning: symbolic link to the folder '..'; not followed "
    "[unreadable-file]",
]


def test_links_to_folders_are_not_followed_alike_in_the_work_tree_and_at_a_ref(
        run, make_repo) -> None:
    """A symbolic link to a folder inside a catalog folder is one warning (the same rule
    and words whether the work tree is read or a git ref, where it is a blob of mode
    120000), whatever its name; its files are not read (no duplicate documents)."""
    repo = make_repo()
    _links(repo)
    git(repo, "init", "-q")
    _commit(repo, "links")
    outputs = {}
    for ref in ((), ("--ref", "HEAD")):
        code, out, err = run("--repo", str(repo), "check", "--now", NOW, *ref)
        lines = [line for line in out.splitlines() if ":1:1: " in line]
        assert (code, err, lines) == (1, "", [  # the alias is base.yaml again: duplicates
            line for line in lines if "duplicate" in line] + FOLDER_LINKS), ref
        assert not any("shared/" in line or "linked/" in line for line in out.splitlines())
        outputs[ref] = out
    assert outputs[()] == outputs[("--ref", "HEAD")]
    files = {f.path: f for f in GitRef(repo, "HEAD").files(("catalog",))}
    assert sorted(files) == ["catalog/alias.yml", "catalog/base.yaml", "catalog/chain",
                             "catalog/linked", "catalog/linked.yaml", "catalog/matrix.yaml",
                             "catalog/root"]
    assert files["catalog/alias.yml"].data == (repo / "shared" / "team.yaml").read_bytes()
