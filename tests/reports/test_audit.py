"""`itsmctl report audit`: the audit trail read from a real git history with fixed dates,
so commit ids and the golden files are the same on every run.

Regenerate the goldens after an intended change: UPDATE_GOLDEN=1 pytest tests/reports
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from itsmctl.reporters.report import RENDERERS
from tests.helpers import NOW, VALID
from tests.reports.test_reports import EXTENSION, check_golden

ANN = ("Ann Admin", "ann@example.com")
BOB = ("Bob Builder", "bob@example.com")
LAPTOP = """---
apiVersion: itsmctl/v1
kind: Category
metadata: {name: laptop}
spec: {parent: hw, assignmentGroup: ops}
"""


class History:
    """A catalog repository (in a subfolder of its git repository) whose commits carry
    fixed authors and dates."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.root = top / "org"

    def git(self, *args: str, who: tuple[str, str] = ANN, when: str = "2026-01-05") -> str:
        stamp = f"{when}T10:00:00+01:00"
        env = {**os.environ, "GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1],
               "GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1],
               "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        return subprocess.run(["git", "-c", "init.defaultBranch=main",
                               "-c", "commit.gpgsign=false", *args], cwd=self.top, env=env,
                              check=True, capture_output=True, text=True).stdout

    def edit(self, path: str, old: str, new: str) -> None:
        target = self.root / path
        text = target.read_text()
        assert old in text
        target.write_text(text.replace(old, new, 1))

    def commit(self, message: str, who: tuple[str, str] = ANN, when: str = "2026-01-05") -> None:
        self.git("add", "-A", who=who, when=when)
        self.git("commit", "-q", "-m", message, who=who, when=when)


@pytest.fixture(scope="module")
def shared_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """Six commits on main: the catalog committed directly; a pull request merged (#12,
    Bob's commit, Ann's merge); a squash-merged move with a Reviewed-by trailer (#13); a
    direct rename; a settings change (#14) approved by two; a README change."""
    h = History(tmp_path_factory.mktemp("audit") / "git")
    shutil.copytree(VALID, h.root)
    h.git("init", "-q")
    h.commit("Initial catalog")
    h.git("checkout", "-q", "-b", "tighten-p1")
    h.edit("catalog/base.yaml", "P1: {response: 30m, resolution: 4h}",
           "P1: {response: 15m, resolution: 2h}")
    h.commit("Tighten std P1", who=BOB, when="2026-02-01")
    h.git("checkout", "-q", "main")
    h.git("merge", "-q", "--no-ff", "tighten-p1", "-m",
          "Merge pull request #12 from org/tighten-p1\n\nTighten std P1", when="2026-02-02")
    text = (h.root / "catalog/base.yaml").read_text()
    start = text.index("---\napiVersion: itsmctl/v1\nkind: Category\nmetadata: {name: laptop}")
    end = text.index("---", start + 3)
    (h.root / "catalog/base.yaml").write_text(text[:start] + text[end:])
    (h.root / "catalog/categories.yaml").write_text(LAPTOP)
    h.commit("Move the laptop category to its own file (#13)\n\n"
             "Reviewed-by: Ann Admin <ann@example.com>", who=BOB, when="2026-03-10")
    h.edit("catalog/base.yaml", "metadata: {name: web}", "metadata: {name: intranet}")
    h.commit("Rename web to intranet", who=BOB, when="2026-04-01")
    (h.root / "itsmctl.yaml").write_text("defaultTimezone: Europe/Berlin\n")
    h.commit("Settings: Berlin time (#14)\n\nApproved-by: Ann Admin <ann@example.com>\n"
             "Approved-by: Carol <carol@example.com>", when="2026-05-01")
    (h.top / "README.md").write_text("not the catalog\n")
    h.commit("Readme", when="2026-06-01")
    return h


@pytest.fixture
def history(shared_history: History) -> History:
    """The history, read only (tests that add commits use `own_history`)."""
    return shared_history


@pytest.fixture
def own_history(shared_history: History, tmp_path: Path) -> History:
    """A copy of the history that a test may add commits to."""
    shutil.copytree(shared_history.top, tmp_path / "git", symlinks=True)
    return History(tmp_path / "git")


def audit(run, history: History, *extra: str, fmt: str = "json") -> tuple[int, str, str]:
    return run("--repo", str(history.root), "report", "audit", "--format", fmt, "--now", NOW,
               *extra)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_golden(fmt: str, run, history: History) -> None:
    code, out, err = audit(run, history, fmt=fmt)
    assert code == 0, err
    check_golden(out, f"audit.{EXTENSION[fmt]}")


def rows(out: str, section: str = "changes") -> list[dict]:
    return json.loads(out)["sections"][section]["rows"]


def test_who_changed_what_field_when(run, history: History) -> None:
    code, out, _ = audit(run, history)
    assert code == 0
    found = {(r["entity"], r["change"], r["field"]): r for r in rows(out)}
    p1 = found[("SLA/std", "modified", "spec.targets.P1.resolution")]
    assert (p1["before"], p1["after"], p1["pullRequest"]) == ("4h", "2h", "#12")
    assert p1["authors"] == ["Bob Builder <bob@example.com>"]  # the merge brought Bob's commit
    assert p1["date"] == "2026-02-02T10:00:00+01:00"
    moved = found[("Category/laptop", "moved", None)]
    assert (moved["before"], moved["after"]) == ("catalog/base.yaml", "catalog/categories.yaml")
    assert (moved["pullRequest"], moved["approvers"]) == ("#13", ["Ann Admin <ann@example.com>"])
    assert ("Service/web", "removed", None) in found
    assert ("Service/intranet", "added", None) in found
    settings = found[("itsmctl.yaml", "added", None)]
    assert settings["approvers"] == ["Ann Admin <ann@example.com>", "Carol <carol@example.com>"]
    assert not any(r["file"] == "README.md" for r in rows(out))
    unreviewed = rows(out, "unreviewed")
    assert [r["subject"] for r in unreviewed] == ["Initial catalog", "Rename web to intranet"]
    assert unreviewed[1]["entities"] == ["Service/intranet", "Service/web"]


def test_since_and_until_bound_the_period_by_commit_date(run, history: History) -> None:
    code, out, _ = audit(run, history, "--since", "2026-03-10", "--until", "2026-04-01")
    assert code == 0
    assert {r["commit"] for r in rows(out)} == {
        r["commit"] for r in rows(audit(run, history)[1]) if r["date"][:7] in ("2026-03",
                                                                                  "2026-04")}
    assert {r["entity"] for r in rows(out)} == {"Category/laptop", "Service/web",
                                                "Service/intranet"}
    code, out, _ = audit(run, history, "--since", "2026-04-01T09:30:00+00:00")
    assert {r["entity"] for r in rows(out)} == {"itsmctl.yaml"}


def test_a_ref_reads_that_commits_history(run, history: History) -> None:
    code, out, _ = audit(run, history, "--ref", "main~4")  # the merge of #12
    assert code == 0
    assert {r["pullRequest"] for r in rows(out)} == {None, "#12"}


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "2026-02-30"), "--since: '2026-02-30' is"),
    (("--until", "yesterday"), "--until: 'yesterday' is"),
    (("--ref", "no-such-branch"), "unknown git ref 'no-such-branch'"),
])
def test_bad_options_are_one_clear_line(run, history: History, args, message) -> None:
    code, _, err = audit(run, history, *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_since_belongs_to_the_audit_report(run, history: History) -> None:
    code, _, err = run("--repo", str(history.root), "report", "coverage", "--since", "2026-01-01")
    assert code == 2 and "--since and --until are the audit report's options" in err


def test_without_git_it_says_so(run, make_repo) -> None:
    code, _, err = run("--repo", str(make_repo()), "report", "audit")
    assert code == 2 and "is not a git repository" in err


def test_a_file_that_is_not_yaml_at_some_commit_is_said(run, own_history: History) -> None:
    history = own_history
    (history.root / "catalog/broken.yaml").write_text("kind: [unclosed\n")
    history.commit("Broken (#20)", when="2026-07-01")
    code, out, _ = audit(run, history)
    assert code == 0
    assert any("could not be read as YAML" in line for line in json.loads(out)["summary"])


def test_a_repository_without_commits_says_so(run, make_repo) -> None:
    root = make_repo()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    code, _, err = run("--repo", str(root), "report", "audit")
    assert code == 2 and "has no commits yet" in err


def test_names_and_subjects_are_printable(run, own_history: History) -> None:
    history = own_history
    history.edit("catalog/base.yaml", "P2: {response: 1h", "P2: {response: 2h")
    history.commit("Bell\x07 (#30)\n\nApproved-by: Eve\x1b[31m <e@example.com>",
                   who=("Mal\x1b[2J", "m@example.com"), when="2026-08-01")
    code, out, _ = audit(run, history)
    assert code == 0 and "\x1b" not in out and "\\u001b" not in out


def test_documents_entering_the_catalog_by_a_settings_change_are_added(
        run, own_history: History) -> None:
    """A folder moved in one commit and named in the settings in the next: the move takes
    the documents out of the catalog, the settings bring them back, a later edit is a
    modification of something present."""
    history = own_history
    history.git("mv", "org/catalog", "org/cat2")
    history.commit("Move the folder", when="2026-07-01")
    (history.root / "itsmctl.yaml").write_text(
        "defaultTimezone: Europe/Berlin\npaths: {catalog: [cat2]}\n")
    history.commit("Name it (#40)", when="2026-07-02")
    history.edit("cat2/base.yaml", "metadata: {name: mail}", "metadata: {name: mail2}")
    history.commit("Rename mail (#41)", when="2026-07-03")
    code, out, _ = audit(run, history, "--since", "2026-07-01")
    assert code == 0
    found = [(r["entity"], r["change"], r["pullRequest"]) for r in rows(out)
             if r["entity"] in ("Service/mail", "Team/ops")]
    assert found == [("Team/ops", "removed", None), ("Team/ops", "added", "#40"),
                     ("Service/mail", "removed", None), ("Service/mail", "added", "#40"),
                     ("Service/mail", "removed", "#41")]


def test_a_shallow_clone_starts_at_its_boundary(run, history: History, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{history.top}", str(clone)],
                   check=True, capture_output=True)
    code, out, _ = run("--repo", str(clone / "org"), "report", "audit", "--format", "json",
                       "--now", NOW)
    assert code == 0
    data = json.loads(out)
    assert [r["entity"] for r in data["sections"]["changes"]["rows"]] == ["itsmctl.yaml"]
    assert any("shallow clone: its history starts at" in line for line in data["summary"])


def test_since_after_until_is_refused(run, history: History) -> None:
    code, _, err = audit(run, history, "--since", "2026-05-01", "--until", "2026-04-01")
    assert code == 2 and "--since 2026-05-01 is not before --until 2026-04-01" in err


def test_long_approvers_are_cut_and_mentions_notify_nobody(run, own_history: History) -> None:
    history = own_history
    history.edit("catalog/base.yaml", "P2: {response: 1h", "P2: {response: 2h")
    history.commit("P2 (#31)\n\nApproved-by: @klange " + "x" * 5000, when="2026-08-01")
    code, out, _ = audit(run, history, "--since", "2026-08-01")
    assert code == 0
    approver = rows(out)[0]["approvers"][0]
    assert len(approver) == 200 and approver.endswith("…")
    _, out, _ = audit(run, history, "--since", "2026-08-01", fmt="markdown")
    assert "@\u2060klange" in out and " @klange" not in out


def test_a_file_name_that_is_not_utf8_is_shown_escaped(run, own_history: History,
                                                        tmp_path: Path) -> None:
    history = own_history
    name = os.fsdecode(b"catalog/\xff\xfe.yaml")
    (history.root / name).write_text(
        "apiVersion: itsmctl/v1\nkind: Team\nmetadata: {name: odd}\n"
        "spec: {email: odd@example.com, members: [{name: O, handle: o}]}\n")
    history.commit("An odd name (#50)", when="2026-09-01")
    out_file = tmp_path / "audit.csv"
    code, _, err = audit(run, history, "--since", "2026-09-01", "--output", str(out_file),
                         fmt="csv")
    assert (code, err) == (0, "")
    assert "catalog/\\xff\\xfe.yaml" in out_file.read_text(encoding="utf-8")
