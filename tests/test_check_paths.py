"""`check PATH`, as pre-commit runs it: the named files, what they cause elsewhere, and a
count of the rest; a path that is not a catalog file is said to be one."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import NOW, ROOT, git


def _example(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for folder in ("catalog", "policies", "changes"):
        shutil.copytree(ROOT / folder, repo / folder)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "example")
    return repo


def test_a_new_file_duplicating_a_name_is_reported_at_both_places(run, tmp_path: Path) -> None:
    repo = _example(tmp_path)
    vpn = repo / "catalog/services/network/vpn.yaml"
    (repo / "catalog/services/aaa-new.yaml").write_text(vpn.read_text())
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW,
                       str(repo / "catalog/services/aaa-new.yaml"))
    assert code == 1
    assert out.splitlines()[:2] == [
        "catalog/services/aaa-new.yaml:4:9: error: duplicate Service 'vpn' (defined again at "
        "catalog/services/network/vpn.yaml:4:9) [duplicate-name]",
        "catalog/services/network/vpn.yaml:4:9: error: duplicate Service 'vpn' (first defined "
        "at catalog/services/aaa-new.yaml:4:9) [duplicate-name]"]


def test_a_renamed_team_shows_the_references_it_breaks(run, tmp_path: Path) -> None:
    repo = _example(tmp_path)
    team = repo / "catalog/teams/network-ops.yaml"
    team.write_text(team.read_text().replace("name: network-ops", "name: netops"))
    (repo / "catalog/teams/cab.yaml").write_text(
        (repo / "catalog/teams/cab.yaml").read_text().replace("kind: Team", "kind: Tem"))
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW, str(team))
    lines = out.splitlines()
    assert code == 1
    assert sum("unknown Team 'network-ops'" in line for line in lines) == 8
    assert lines[-1].endswith(" more errors in files not named")
    assert not any(line.startswith("catalog/teams/cab.yaml") for line in lines)


def test_paths_that_are_not_catalog_files(run, tmp_path: Path) -> None:
    repo = _example(tmp_path)
    (repo / "docs").mkdir()
    (repo / "docs" / "x.yaml").write_text("a: 1\n")
    (repo / "README.md").write_text("# hi\n")
    (repo / "catalog" / "x.txt").write_text("x\n")
    code, _, err = run("--repo", str(repo), "check", str(repo / "README.md"),
                       str(repo / "docs"), str(repo / "catalog/x.txt"))
    assert code == 2
    assert "none of the named paths is a catalog file: README.md, docs, catalog/x.txt" in err
    code, out, err = run("--repo", str(repo), "check", "--now", NOW, str(repo / "README.md"),
                         str(repo / "catalog/teams/cab.yaml"))
    assert code == 0 and out.startswith("No problems in 1 file, 1 document")
    assert err == "itsmctl: warning: README.md is not a catalog file; not checked\n"


def test_the_headline_typos_are_reported_once_each(run, tmp_path: Path) -> None:
    """A document that fails its schema still resolves by name (no false error in the
    request item that names it) and its references are still checked."""
    repo = _example(tmp_path)
    vpn = repo / "catalog/services/network/vpn.yaml"
    vpn.write_text(vpn.read_text().replace("  sla: silver", "  sla: gld")
                   .replace("  dependsOn:", "  dependson:"))
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW)
    assert code == 1
    assert [line.split(": ")[0] + " " + line.rsplit(" ", 1)[1] for line in out.splitlines()
            if line.startswith("catalog/")] == [
        "catalog/services/network/vpn.yaml:12:8 [unknown-reference]",
        "catalog/services/network/vpn.yaml:14:3 [unknown-field]"]
