"""`itsmctl codeowners`: CODEOWNERS from ownership and approval rules, GitHub's syntax."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from itsmctl.errors import FatalError
from itsmctl.review.codeowners import HEADER, SIZE_LIMIT, codeowners
from tests.helpers import NOW, REVIEW, ROOT, Repo

SCAFFOLD = ROOT / "itsmctl" / "scaffold" / "template"


def test_owners_rules_and_the_cab(run, repo: Repo) -> None:
    code, _, err = run("--repo", str(repo.root), "codeowners")
    assert code == 0
    assert err == ("warning: team 'net' has no forgeTeam; CODEOWNERS names its members (@dave, "
                   "@erin)\nwrote CODEOWNERS (15 lines)\n")
    lines = (repo.root / "CODEOWNERS").read_text().removeprefix(HEADER + "\n").splitlines()
    assert lines == [
        "/catalog/calendars/ @acme/desk",             # desk-approves-slas
        "/catalog/changes.yaml @acme/cab @acme/ops",  # a window and a freeze: the CAB; restart: ops
        "/catalog/items.yaml @acme/ops",               # its service's owner
        "/catalog/matrix.yaml @acme/cab",              # nobody owns it: the CAB
        "/catalog/services/mail.yaml @acme/ops",
        "/catalog/services/vpn.yaml @dave @erin",
        "/catalog/services/web.yaml @dave @erin",
        "/catalog/slas/ @acme/desk",
        "/catalog/teams/cab.yaml @acme/cab",
        "/catalog/teams/desk.yaml @acme/desk",
        "/catalog/teams/net.yaml @dave @erin",
        "/catalog/teams/ops.yaml @acme/ops",
        "/catalog/workflows.yaml @acme/cab",
        "/itsmctl.yaml @acme/cab",
        "/policies/ @acme/cab",
    ]


def test_check_exits_1_when_stale_and_0_when_current(run, repo: Repo) -> None:
    assert run("--repo", str(repo.root), "codeowners", "--check")[0] == 1
    assert run("--repo", str(repo.root), "codeowners")[0] == 0
    assert run("--repo", str(repo.root), "codeowners", "--check")[0] == 0
    repo.edit("catalog/services/vpn.yaml", "owner: net", "owner: ops")
    code, _, err = run("--repo", str(repo.root), "codeowners", "--check")
    assert code == 1 and "CODEOWNERS is not current: run itsmctl codeowners" in err


def test_it_writes_where_github_reads(run, repo: Repo) -> None:
    (repo.root / ".github").mkdir()
    (repo.root / ".github" / "CODEOWNERS").write_text("* @someone\n")
    assert run("--repo", str(repo.root), "codeowners")[0] == 0
    assert (repo.root / ".github" / "CODEOWNERS").read_text().startswith(HEADER)
    assert not (repo.root / "CODEOWNERS").exists()


def test_paths_github_cannot_express_and_spaces(run, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REVIEW, root)
    (root / "catalog/services/vpn.yaml").rename(root / "catalog/services/remote access.yaml")
    (root / "catalog/services/web.yaml").rename(root / "catalog/services/web[1].yaml")
    code, _, err = run("--repo", str(root), "codeowners")
    assert code == 0
    assert "catalog/services/web[1].yaml: GitHub's CODEOWNERS cannot name a path" in err
    text = (root / "CODEOWNERS").read_text()
    assert "/catalog/services/remote\\ access.yaml @dave @erin\n" in text
    assert "web[1]" not in text


def test_the_size_limit(repo: Repo, monkeypatch) -> None:
    monkeypatch.setattr("itsmctl.review.codeowners.SIZE_LIMIT", 200)
    with pytest.raises(FatalError, match="GitHub reads at most 200"):
        codeowners(repo.root)
    assert SIZE_LIMIT == 3 * 1024 * 1024


def test_the_example_and_the_scaffold_commit_a_current_codeowners(run, tmp_path: Path) -> None:
    assert run("--repo", str(ROOT), "codeowners", "--check", "--now", NOW)[0] == 0
    assert run("init", str(tmp_path / "new"))[0] == 0
    assert (tmp_path / "new" / "CODEOWNERS").read_text() == (SCAFFOLD / "CODEOWNERS").read_text()
    assert run("--repo", str(tmp_path / "new"), "codeowners", "--check")[0] == 0
