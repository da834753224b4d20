"""`itsmctl codeowners`: CODEOWNERS from ownership and approval rules, GitHub's syntax."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from itsmctl.errors import FatalError
from itsmctl.review.codeowners import HEADER, SIZE_LIMIT, codeowners
from tests.helpers import NOW, REVIEW, ROOT, Repo, make_git_repo

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


def _lines(path: Path) -> list[str]:
    return path.read_text().removeprefix(HEADER + "\n").splitlines()


def test_a_file_name_with_a_newline_or_tab_cannot_inject_a_line(run, repo: Repo) -> None:
    vpn = (repo.root / "catalog/services/vpn.yaml").read_text()
    (repo.root / "catalog/zz").mkdir()
    (repo.root / "catalog/zz/x\nvpn.yaml").write_text(
        vpn.replace("name: vpn", "name: vpn2").replace("owner: net", "owner: ops"))
    (repo.root / "catalog/zz/a\tb.yaml").write_text(vpn.replace("name: vpn", "name: vpn3"))
    (repo.root / "catalog/zz/c\u202ed.yaml").write_text(vpn.replace("name: vpn", "name: vpn4"))
    code, _, err = run("--repo", str(repo.root), "codeowners")
    assert code == 0
    for shown in ("catalog/zz/x\\nvpn.yaml", "catalog/zz/a\\tb.yaml", "catalog/zz/c\\u202ed.yaml"):
        assert (f"warning: {shown}: GitHub's CODEOWNERS cannot name a path with a control or "
                "invisible formatting character in it; left out (rename the file)\n") in err
    lines = _lines(repo.root / "CODEOWNERS")
    assert all(line.startswith("/") for line in lines)
    assert not any("zz" in line or "\t" in line or "\u202e" in line for line in lines)
    assert len(lines) == 15  # the same as without those files
    code, _, err = run("--repo", str(repo.root), "codeowners", "--check")
    assert code == 0 and "catalog/zz/x\\nvpn.yaml: GitHub's CODEOWNERS cannot" in err


@pytest.mark.parametrize(("settings", "why"), [
    ("review: {cab: nosuchteam}\n", "review.cab names the team 'nosuchteam', which does not exist"),
    ("", "itsmctl.yaml sets no review.cab"),
])
def test_without_a_cab_the_paths_only_it_would_own_are_named_in_a_warning(
        run, repo: Repo, settings: str, why: str) -> None:
    repo.write("itsmctl.yaml", settings)
    code, _, err = run("--repo", str(repo.root), "codeowners")
    assert code == 0
    assert (f"warning: {why}: 4 paths left out of CODEOWNERS (catalog/matrix.yaml, "
            "catalog/workflows.yaml, itsmctl.yaml, policies/), so GitHub requires no code "
            "owner's review for them; set review.cab in itsmctl.yaml to the team that "
            "approves them\n") in err
    lines = _lines(repo.root / "CODEOWNERS")
    assert not any(line.startswith(("/itsmctl.yaml", "/policies/", "/catalog/matrix.yaml"))
                   for line in lines)


def test_a_catalog_in_a_sub_folder_writes_where_github_reads(run, tmp_path: Path) -> None:
    top = tmp_path / "mono"
    make_git_repo(top / "sub")
    shutil.move(str(top / "sub" / ".git"), str(top / ".git"))
    Repo(top).commit("the catalog in sub/")
    (top / "sub" / "CODEOWNERS").write_text("stale\n")
    code, _, err = run("--repo", str(top / "sub"), "codeowners")
    assert code == 0, err
    assert "warning: sub/CODEOWNERS is not read by GitHub" in err
    lines = _lines(top / "CODEOWNERS")
    assert lines[0] == "/sub/catalog/calendars/ @acme/desk"
    assert lines[-1] == "/sub/policies/ @acme/cab"
    assert all(line.startswith("/sub/") for line in lines)
    assert run("--repo", str(top / "sub"), "codeowners", "--check")[0] == 0
    # a CODEOWNERS of the whole repository that itsmctl did not write is never replaced
    (top / "CODEOWNERS").write_text("/frontend/ @acme/web\n")
    code, _, err = run("--repo", str(top / "sub"), "codeowners")
    assert code == 2 and "was not generated by itsmctl: not replaced" in err
    assert (top / "CODEOWNERS").read_text() == "/frontend/ @acme/web\n"
    assert run("--repo", str(top / "sub"), "codeowners", "--check")[0] == 1


def test_policies_kept_anywhere_in_the_repository_are_the_cabs_by_default(
        run, repo: Repo) -> None:
    """`paths.policies: [.]`: the whole repository may hold policies, so the CAB owns every
    path (`*`, written first so the paths after it win) unless a team owns it."""
    settings = repo.root / "itsmctl.yaml"
    settings.write_text(settings.read_text() + "paths: {policies: [.]}\n")
    code, _, err = run("--repo", str(repo.root), "codeowners")
    assert code == 0, err
    lines = _lines(repo.root / "CODEOWNERS")
    assert lines[0] == "* @acme/cab"
    assert "/catalog/services/mail.yaml @acme/ops" in lines
    assert not any("/./" in line for line in lines)
