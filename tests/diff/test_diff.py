"""`itsmctl diff`: entities by (kind, name), fields, moves, renames, lists, refs (real git
repositories built in temporary folders)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.helpers import GOLDEN, Repo, git

GOLD = "catalog/slas/gold.yaml"
ANN_BOB = "    - {name: Ann, handle: ann}\n    - {name: Bob, handle: bob}\n"


def _diff(run, repo: Repo, *args: str) -> tuple[int, str, str]:
    return run("--repo", str(repo.root), "diff", *args)


def _json(run, repo: Repo, *args: str) -> dict:
    code, out, err = _diff(run, repo, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_a_field_change_is_one_modified_entity_with_its_field(run, repo: Repo) -> None:
    repo.edit(GOLD, "P1: {response: 15m, resolution: 4h}", "P1: {response: 15m, resolution: 8h}")
    code, out, _ = _diff(run, repo, "main")
    assert code == 0
    assert out == ('~ SLA/gold  catalog/slas/gold.yaml\n'
                   '    ~ spec.targets.P1.resolution: "4h" -> "8h"\n\n'
                   '0 added, 1 modified, 0 removed, 0 moved\n')
    data = _json(run, repo, "main")
    assert data["head"] == "worktree" and data["base"] == repo.sha("main")
    assert data["changes"] == [{
        "kind": "SLA", "name": "gold", "action": "modified", "path": GOLD, "previousPath": None,
        "fields": [{"path": "spec.targets.P1.resolution", "before": "4h", "after": "8h",
                    "action": "modified"}]}]


def test_a_moved_document_is_moved_not_removed_and_added(run, repo: Repo) -> None:
    repo.branch("move").move("catalog/services/vpn.yaml", "catalog/services/network/vpn.yaml")
    repo.edit("catalog/services/network/vpn.yaml", "tier: 3", "tier: 2").commit("move vpn")
    [change] = _json(run, repo, "main", "HEAD")["changes"]
    assert change["action"] == "moved"
    assert (change["path"], change["previousPath"]) == ("catalog/services/network/vpn.yaml",
                                                        "catalog/services/vpn.yaml")
    assert change["fields"] == [{"path": "spec.tier", "before": 3, "after": 2,
                                 "action": "modified"}]
    _code, out, _ = _diff(run, repo, "main", "HEAD")
    assert out.startswith("> Service/vpn  catalog/services/vpn.yaml -> "
                          "catalog/services/network/vpn.yaml\n")
    assert out.endswith("0 added, 0 modified, 0 removed, 1 moved\n")


def test_a_renamed_entity_is_removed_and_added(run, repo: Repo) -> None:
    repo.edit("catalog/services/vpn.yaml", "name: vpn", "name: remote-access")
    changes = _json(run, repo, "main")["changes"]
    assert [(c["kind"], c["name"], c["action"]) for c in changes] == [
        ("Service", "remote-access", "added"), ("Service", "vpn", "removed")]


def test_list_items_with_a_name_are_matched_by_it_others_by_position(run, repo: Repo) -> None:
    repo.edit("catalog/teams/ops.yaml", ANN_BOB,
              "    - {name: Bob, handle: bobby}\n    - {name: Ann, handle: ann}\n"
              "    - {name: Dan, handle: dan}\n")
    repo.edit("catalog/services/web.yaml", "dependsOn: [mail]", "dependsOn: [mail, vpn]")
    changes = {c["name"]: c["fields"] for c in _json(run, repo, "main")["changes"]}
    assert changes["ops"] == [
        {"path": "spec.members[name=Bob].handle", "before": "bob", "after": "bobby",
         "action": "modified"},
        {"path": "spec.members[name=Dan]", "before": None,
         "after": {"name": "Dan", "handle": "dan"}, "action": "added"}]
    assert changes["web"] == [{"path": "spec.dependsOn[1]", "before": None, "after": "vpn",
                               "action": "added"}]


def test_reordering_named_items_or_reformatting_changes_nothing(run, repo: Repo) -> None:
    repo.edit("catalog/teams/ops.yaml", ANN_BOB,
              "    - name: Bob\n      handle: bob\n    - {name: Ann, handle: ann}  # first\n")
    code, out, _ = _diff(run, repo, "main", "--exit-code")
    assert (code, out) == (0, "No changes.\n")


def test_settings_metadata_and_other_kinds(run, repo: Repo) -> None:
    repo.edit("itsmctl.yaml", "cab: cab", "cab: ops")
    repo.edit("catalog/services/mail.yaml", "description: Electronic mail for everyone.",
              "description: Mail.")
    repo.write("catalog/services/chat.yaml", "apiVersion: itsmctl/v1\nkind: Service\n"
               "metadata: {name: chat}\nspec: {owner: ops, lifecycle: planned}\n")
    repo.remove("catalog/items.yaml")
    changes = _json(run, repo, "main")
    assert [(c["kind"], c["name"], c["action"]) for c in changes["changes"]] == [
        ("Service", "chat", "added"), ("Service", "mail", "modified"),
        ("CatalogItem", "new-mailbox", "removed"), ("Settings", "itsmctl.yaml", "modified")]
    assert changes["changes"][1]["fields"][0]["path"] == "metadata.description"
    assert changes["changes"][3]["fields"] == [
        {"path": "review.cab", "before": "cab", "after": "ops", "action": "modified"}]
    assert changes["summary"] == {"added": 1, "modified": 2, "removed": 1, "moved": 0}


def test_base_dot_dot_dot_head_diffs_against_the_merge_base(run, repo: Repo) -> None:
    repo.branch("feature").edit(GOLD, "resolution: 4h", "resolution: 6h").commit("gold 6h")
    repo.checkout("main").edit("catalog/services/vpn.yaml", "tier: 3", "tier: 4").commit("vpn")
    two_dots = _json(run, repo, "main", "feature")["changes"]
    assert {c["name"] for c in two_dots} == {"gold", "vpn"}  # main's own change, reversed
    three = _json(run, repo, "main...feature")
    assert [c["name"] for c in three["changes"]] == ["gold"]
    assert three["base"] == repo.git("merge-base", "main", "feature")
    assert three["head"] == repo.sha("feature")
    assert _json(run, repo, "main..feature")["changes"] == two_dots


def test_exit_code_and_formats(run, repo: Repo) -> None:
    assert _diff(run, repo, "main", "--exit-code")[0] == 0
    repo.edit(GOLD, "P1: {response: 15m, resolution: 4h}", "P1: {response: 10m, resolution: 4h}")
    repo.move("catalog/services/vpn.yaml", "catalog/services/network/vpn.yaml")
    repo.edit("catalog/teams/net.yaml", "email: net@example.com\n", "")
    assert _diff(run, repo, "main", "--exit-code")[0] == 1
    for fmt in ("text", "markdown"):
        _code, out, _ = _diff(run, repo, "main", "--format", fmt)
        golden = GOLDEN / f"diff.{fmt}"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.write_text(out)
        assert out == golden.read_text(), f"UPDATE_GOLDEN=1 pytest {__file__}"


def test_unknown_refs_are_one_line_saying_what_to_fetch(run, repo: Repo, tmp_path: Path) -> None:
    code, out, err = _diff(run, repo, "nope")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "unknown git ref 'nope'" in err
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo.root), str(clone))
    code, _, err = run("--repo", str(clone), "diff", "origin/feature")
    assert code == 2 and err.count("\n") == 1
    assert "git fetch origin feature" in err


def test_a_shallow_clone_without_the_base_says_to_fetch_the_history(run, repo: Repo,
                                                                    tmp_path: Path) -> None:
    repo.branch("feature").edit(GOLD, "resolution: 4h", "resolution: 6h").commit("gold 6h")
    repo.checkout("main").edit("catalog/services/vpn.yaml", "tier: 3", "tier: 4").commit("vpn")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo.root}",
        str(clone))
    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:main")
    code, _, err = run("--repo", str(clone), "diff", "main...feature")
    assert code == 2 and err.count("\n") == 1
    assert "shallow clone" in err and "fetch-depth: 0" in err
    code, _, err = run("--repo", str(clone), "diff", "HEAD~1")
    assert code == 2 and err.count("\n") == 1 and "git fetch --unshallow" in err


def test_not_a_git_repository(run, tmp_path: Path) -> None:
    code, _, err = run("--repo", str(tmp_path), "diff", "main")
    assert code == 2 and "not a git repository" in err


FORGED = "x\n\n0 added, 0 modified, 0 removed, 0 moved\n~ SLA/gold  forged"


def _label(repo: Repo, key: str, value: str = "1") -> None:
    """A label on main, and in the work tree one more whose key and value are `key` and
    `value`."""
    repo.edit(GOLD, "metadata: {name: gold}", "metadata:\n  name: gold\n  labels: {a: b}")
    repo.commit("a label")
    repo.edit(GOLD, "labels: {a: b}", "labels: {a: b, " + json.dumps(key) + ": " +
              json.dumps(value) + "}")


def test_a_key_with_a_newline_cannot_forge_lines_of_the_diff(run, repo: Repo) -> None:
    _label(repo, FORGED, "v\u202ee\x00")
    code, out, _ = _diff(run, repo, "main")
    assert code == 0
    lines = out.splitlines()
    assert lines == [
        "~ SLA/gold  catalog/slas/gold.yaml",
        '    + metadata.labels["x\\n\\n0 added, 0 modified, 0 removed, 0 moved\\n~ SLA/gold  '
        'forged"]: "v\\u202ee\\u0000"',
        "",
        "0 added, 1 modified, 0 removed, 0 moved",
    ]
    code, out, _ = _diff(run, repo, "main", "--format", "markdown")
    block = out[out.index("```diff"):]
    assert [line[:4] for line in block.splitlines()[1:-1]] == ["@@ ~", "+   "]
    assert "\u202e" not in out and "\x00" not in out
    data = _json(run, repo, "main")
    assert data["changes"][0]["fields"][0]["after"] == "v\u202ee\x00"  # JSON keeps the data
    assert "\u202e" not in _diff(run, repo, "main", "--format", "json")[1]


def test_keys_cannot_become_lines_of_the_review_comment(run, repo: Repo) -> None:
    for key in ("a\n</details>\n\n# HEAD @klange", "b\u2028c\u2066"):
        _label(repo, key)
        _code, out, _ = run("--repo", str(repo.root), "review", "main", "--now", "2026-11-21")
        assert "\n</details>\n\n# HEAD" not in out and "\n# HEAD @klange" not in out
        assert "\u2028" not in out and "\u2066" not in out
        block = out[out.index("```diff"):]
        block = block[:block.index("\n```\n")]
        assert [line[:4] for line in block.splitlines()[1:]] == ["@@ ~", "+   "]
        repo.git("reset", "-q", "--hard", "HEAD~1")


BROKEN = "apiVersion: itsmctl/v1\nkind: Service\nmetadata: {name: vpn\nspec: [\n"


def test_a_file_unreadable_on_head_is_a_warning_not_a_silent_removal(run, repo: Repo) -> None:
    repo.branch("brokenyaml").write("catalog/services/vpn.yaml", BROKEN).commit("broken")
    code, out, err = _diff(run, repo, "main", "brokenyaml")
    assert code == 1
    assert err == ("warning: HEAD (brokenyaml): catalog/services/vpn.yaml:4:5: error: did not "
                   "find expected ',' or '}' (while parsing a flow mapping) [yaml-syntax]; its "
                   "documents are not known on HEAD\n")
    assert out == ("- Service/vpn  catalog/services/vpn.yaml  (unreadable on HEAD [yaml-syntax]: "
                   "not known to be removed)\n\n0 added, 0 modified, 1 removed, 0 moved\n"
                   "1 file could not be read on HEAD: the documents in it are not compared\n")
    code, out, _ = _diff(run, repo, "main", "brokenyaml", "--format", "json")
    assert code == 1
    assert json.loads(out)["unreadable"] == [{
        "side": "head", "ref": "brokenyaml", "path": "catalog/services/vpn.yaml", "line": 4,
        "column": 5, "severity": "error", "rule": "yaml-syntax",
        "message": "did not find expected ',' or '}' (while parsing a flow mapping)"}]
    code, out, _ = _diff(run, repo, "main", "brokenyaml", "--format", "markdown")
    assert out.startswith("**Warning: 1 file could not be read on HEAD")
    # the other way round, the file is unreadable on BASE and its document not simply added
    code, out, err = _diff(run, repo, "brokenyaml", "main")
    assert code == 1 and err.startswith("warning: BASE (brokenyaml): catalog/services/vpn.yaml:4:5")
    assert "(unreadable on BASE [yaml-syntax]: not known to be added)" in out
    # the same unreadable bytes on both sides: nothing changed there, no warning
    repo.checkout("brokenyaml")
    assert _diff(run, repo, "brokenyaml") == (0, "No changes.\n", "")
    repo.edit("catalog/services/web.yaml", "tier:", "tier:\n  - [")
    code, out, err = _diff(run, repo, "brokenyaml")
    assert code == 1 and err.count("warning:") == 1
    assert "HEAD (work tree): catalog/services/web" in err


def test_unusable_settings_name_the_side(run, repo: Repo) -> None:
    repo.branch("weaken").write("itsmctl.yaml", "review: {cab: [\n").commit("weaken")
    code, _, err = _diff(run, repo, "main", "weaken")
    assert code == 2
    assert err.startswith("itsmctl: error: HEAD (weaken): settings cannot be used:\n"
                          "itsmctl.yaml:2:1: error:")
    code, _, err = _diff(run, repo, "weaken", "main")
    assert code == 2 and err.startswith("itsmctl: error: BASE (weaken): settings cannot be used")
