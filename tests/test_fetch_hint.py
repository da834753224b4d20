"""The hint an unknown git ref gets (GitRepo._fetch_hint): a command to fetch it only for a
ref name one can fetch, quoted for a shell; otherwise why the ref names nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsmctl.errors import FatalError
from itsmctl.sources import GitRepo
from tests.helpers import Repo, make_git_repo


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    repo: Repo = make_git_repo(tmp_path / "repo")
    repo.git("remote", "add", "origin", "https://example.invalid/catalog.git")
    return GitRepo(repo.root)


def _hint(repo: GitRepo, ref: str) -> str:
    with pytest.raises(FatalError) as caught:
        repo.commit(ref)
    return caught.value.message.split(": ", 1)[1]


@pytest.mark.parametrize(("ref", "hint"), [
    ("--upload-pack=touch /tmp/pwned", "'--upload-pack=touch /tmp/pwned' is not a ref name (it "
     "starts with '-', as an option does): name a branch, tag or commit"),
    ("", "an empty ref names nothing: name a branch, tag or commit"),
    ("main evil", "'main evil' is not a valid ref name (see git check-ref-format): name a "
     "branch, tag or commit"),
    ("a\nb", "'a\\nb' is not a valid ref name (it holds a control character)"),
    ("HEAD~999", "'HEAD' exists, but 'HEAD~999' is not a commit (a revision beyond its "
     "history, or another kind of object): check it with git log HEAD"),
    ("main^{tree}", "'main' exists, but 'main^{tree}' is not a commit (a revision beyond its "
     "history, or another kind of object): check it with git log main"),
    ("nosuch~2", "fetch it with: git fetch origin nosuch (or check the name)"),
    ("origin/feature", "fetch it with: git fetch origin feature"),
    ("origin/-x", "'origin/-x' cannot be fetched (a branch name cannot start with '-')"),
    ("it's", "fetch it with: git fetch origin 'it'\"'\"'s' (or check the name)"),
    ("feature;rm", "fetch it with: git fetch origin 'feature;rm' (or check the name)"),
])
def test_hints_are_safe_to_paste_and_make_sense(git_repo: GitRepo, ref: str, hint: str) -> None:
    assert _hint(git_repo, ref) == hint


def test_a_tree_is_not_a_commit(git_repo: GitRepo) -> None:
    tree = git_repo.repo.git.rev_parse("main^{tree}")
    assert _hint(git_repo, tree) == f"'{tree}' names a tree, not a commit"


def test_diff_refuses_a_ref_that_reads_as_an_option(run, repo: Repo) -> None:
    code, _, err = run("--repo", str(repo.root), "diff", "main", "--", "--upload-pack=x y")
    assert code == 2 and "'--upload-pack=x y' is not a git ref (it starts with '-')" in err
