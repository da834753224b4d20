"""`itsmctl review`: one scenario per behaviour, on real git repositories (the review
fixture organisation: teams ops, net, cab and desk; rules in policies/approvals.yaml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import NOW, Repo

GOLD = "catalog/slas/gold.yaml"
WEB = "catalog/services/web.yaml"


def review(run, repo: Repo, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("--repo", str(repo.root), "review", *args, "--format", "json",
                         "--now", NOW)
    assert code in (0, 1), err
    return code, json.loads(out)


def approvals(data: dict[str, Any]) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    return {(a["rule"], a["entity"], a["team"]): a for a in data["approvals"]}


def write_reviews(tmp_path: Path, *reviews: tuple[str, str, str, str | None]) -> str:
    """GitHub's list of reviews: (login, state, submitted_at, commit_id) each."""
    items = [{"id": 80 + i, "node_id": f"PRR_{i}", "user": {"login": login, "id": i,
                                                            "type": "User"},
              "body": "", "state": state,
              "html_url": f"https://github.com/acme/catalog/pull/12#pullrequestreview-{80 + i}",
              "pull_request_url": "https://api.github.com/repos/acme/catalog/pulls/12",
              "author_association": "MEMBER",
              "_links": {"html": {"href": "x"}, "pull_request": {"href": "y"}},
              "submitted_at": submitted, "commit_id": commit}
             for i, (login, state, submitted, commit) in enumerate(reviews)]
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(items))
    return str(path)


def test_a_calendar_change_reaches_slas_services_items_and_dependants(run, repo: Repo) -> None:
    repo.edit("catalog/calendars/always.yaml", "spec: {timezone: UTC, always: true}",
              "spec: {timezone: UTC, hours: {mon: ['00:00-24:00']}}")
    code, data = review(run, repo, "main")
    assert [(c["kind"], c["name"], c["action"]) for c in data["changes"]] == [
        ("Calendar", "always", "modified")]
    assert data["impact"] == [
        {"kind": "SLA", "name": "gold", "via": ["Calendar/always"]},
        {"kind": "Service", "name": "mail", "via": ["Calendar/always", "SLA/gold"]},
        {"kind": "Service", "name": "web", "via": ["Calendar/always", "SLA/gold"]},
        {"kind": "CatalogItem", "name": "new-mailbox", "via": ["Calendar/always", "SLA/gold"]},
        {"kind": "StandardChange", "name": "restart",
         "via": ["Calendar/always", "SLA/gold", "Service/mail"]}]
    required = approvals(data)
    assert list(required) == [("desk-approves-slas", "Calendar/always", "desk")]
    assert required[("desk-approves-slas", "Calendar/always", "desk")]["canApprove"] == ["sam"]
    assert code == 1 and data["verdict"] == "blocked"
    code, data = review(run, repo, "main", "--approved-by", "sam")
    assert (code, data["verdict"], data["reasons"]) == (0, "ready", [])


def test_a_moved_file_is_a_move_judged_like_any_change(run, repo: Repo) -> None:
    repo.branch("pr").move("catalog/services/vpn.yaml", "catalog/services/network/vpn.yaml")
    repo.commit("move vpn")
    code, data = review(run, repo, "main...pr", "--approved-by", "dave")
    assert [(c["name"], c["action"], c["previousPath"]) for c in data["changes"]] == [
        ("vpn", "moved", "catalog/services/vpn.yaml")]
    assert data["findings"] == {"introduced": [], "fixed": [], "unchanged": 1}
    assert code == 0 and data["verdict"] == "ready"


def test_a_renamed_entity_is_removed_and_added_and_both_need_approval(run, repo: Repo) -> None:
    repo.edit("catalog/services/vpn.yaml", "name: vpn", "name: remote-access")
    code, data = review(run, repo, "main")
    assert [(c["name"], c["action"]) for c in data["changes"]] == [
        ("remote-access", "added"), ("vpn", "removed")]
    assert set(approvals(data)) == {
        ("owners-approve-services", "Service/remote-access", "net"),
        ("owners-approve-services", "Service/vpn", "net")}
    assert code == 1
    assert data["reasons"] == [
        "owners-approve-services: Service/remote-access, Service/vpn needs 1 more approval "
        "from team net (can approve: @dave, @erin)"]


def test_only_the_violation_the_pr_introduces_blocks(run, repo: Repo) -> None:
    repo.edit("catalog/services/vpn.yaml", "tier: 3", "tier: 2").commit("vpn is tier 2")
    repo.branch("pr").edit(WEB, "sla: gold", "sla: silver").commit("web on silver")
    code, data = review(run, repo, "main...pr", "--approved-by", "erin")
    [introduced] = data["findings"]["introduced"]
    assert (introduced["rule"], introduced["name"], introduced["jsonPath"]) == (
        "policy/p1-within-4h", "web", "$.spec.sla")
    assert data["findings"]["unchanged"] == 2  # vpn's error and its missing description
    assert data["findings"]["fixed"] == []
    assert code == 1
    assert data["reasons"] == [
        "introduces catalog/services/web.yaml:7:8: error: web is tier 2; its P1 resolution "
        "must be 4h or less [policy/p1-within-4h]"]


def test_a_finding_is_the_same_finding_after_lines_move(run, repo: Repo) -> None:
    repo.edit("catalog/services/vpn.yaml", "tier: 3", "tier: 2").commit("vpn is tier 2")
    repo.branch("pr").edit("catalog/services/vpn.yaml", "spec:\n",
                           "spec:\n  # the remote-access VPN\n  # (tier 2 since March)\n")
    repo.commit("comment")
    _, data = review(run, repo, "main...pr", "--approved-by", "dave")
    assert data["changes"] == [] and data["findings"]["introduced"] == []
    assert data["verdict"] == "ready"


def test_a_fixed_finding_is_reported_and_does_not_block(run, repo: Repo) -> None:
    repo.edit("catalog/services/vpn.yaml", "metadata: {name: vpn}",
              "metadata: {name: vpn, description: Remote access.}")
    code, data = review(run, repo, "main", "--approved-by", "dave")
    assert [(f["rule"], f["name"]) for f in data["findings"]["fixed"]] == [
        ("policy/described", "vpn")]
    assert code == 0


def test_a_weakened_policy_is_judged_by_the_base_and_needs_the_cab(run, repo: Repo) -> None:
    repo.edit("policies/policies.yaml", "minutes <= 240", "minutes <= 600")
    repo.edit(WEB, "sla: gold", "sla: silver")
    code, data = review(run, repo, "main", "--approved-by", "erin")
    assert [f["rule"] for f in data["findings"]["introduced"]] == ["policy/p1-within-4h"]
    assert ("cab-approves-rules", "Policy/p1-within-4h", "cab") in approvals(data)
    assert code == 1
    code, data = review(run, repo, "main", "--approved-by", "erin", "--approved-by", "kim")
    assert code == 1 and len(data["reasons"]) == 1  # approvals cannot waive a finding


def test_removing_an_approval_rule_still_needs_what_the_base_demands(run, repo: Repo) -> None:
    text = (repo.root / "policies/approvals.yaml").read_text()
    first, rest = text.split("---\n", 1)
    assert "owners-approve-services" in first
    repo.write("policies/approvals.yaml", rest)
    repo.edit("catalog/services/mail.yaml", "tier: 1", "tier: 2")
    code, data = review(run, repo, "main")
    required = approvals(data)
    assert ("owners-approve-services", "Service/mail", "ops") in required
    assert ("cab-approves-rules", "ApprovalRule/owners-approve-services", "cab") in required
    assert code == 1
    code, data = review(run, repo, "main", "--approved-by", "kim", "--approved-by", "ann")
    assert code == 0, data["reasons"]


def test_the_settings_file_is_a_change_rules_match(run, repo: Repo) -> None:
    repo.edit("itsmctl.yaml", "cab: cab", "cab: desk")
    code, data = review(run, repo, "main", "--approved-by", "sam")
    assert approvals(data)[("cab-approves-rules", "Settings/itsmctl.yaml", "cab")][
        "satisfied"] is False  # the base's CAB, not the one the pull request names
    assert code == 1


def test_the_author_never_approves_their_own_pr(run, repo: Repo) -> None:
    repo.edit(GOLD, "resolution: 4h", "resolution: 3h")
    code, data = review(run, repo, "main", "--author", "sam", "--approved-by", "sam")
    approval = approvals(data)[("desk-approves-slas", "SLA/gold", "desk")]
    assert approval["approvedBy"] == [] and approval["canApprove"] == []
    assert data["reviews"] == [{"login": "sam", "state": "APPROVED", "commitId": "--approved-by",
                                "submittedAt": None, "counts": False, "whyNot": "author"}]
    assert code == 1
    assert data["reasons"] == ["desk-approves-slas: SLA/gold needs 1 more approval from team "
                               "desk (can approve: no member can)"]


def test_a_later_approval_replaces_changes_requested(run, repo: Repo, tmp_path: Path) -> None:
    repo.branch("pr").edit(WEB, "tier: 2", "tier: 3")
    head = repo.commit("web tier 3")
    requested = write_reviews(tmp_path, ("dave", "CHANGES_REQUESTED", "2026-11-20T09:00:00Z", head))
    code, data = review(run, repo, "main...pr", "--reviews", requested)
    assert code == 1
    assert data["reasons"] == [
        "owners-approve-services: Service/web needs 1 more approval from team net "
        "(can approve: @dave, @erin)",
        "@dave (net) requests changes"]
    both = write_reviews(tmp_path, ("dave", "CHANGES_REQUESTED", "2026-11-20T09:00:00Z", head),
                         ("dave", "COMMENTED", "2026-11-20T10:00:00Z", head),
                         ("dave", "APPROVED", "2026-11-20T11:00:00Z", head))
    code, data = review(run, repo, "main...pr", "--reviews", both)
    assert (code, data["reasons"]) == (0, [])


def test_a_changes_request_from_a_required_approver_blocks(run, repo: Repo,
                                                           tmp_path: Path) -> None:
    repo.branch("pr").edit(WEB, "tier: 2", "tier: 3")
    head = repo.commit("web tier 3")
    reviews = write_reviews(tmp_path, ("erin", "APPROVED", "2026-11-20T09:00:00Z", head),
                            ("Dave", "CHANGES_REQUESTED", "2026-11-20T10:00:00Z", head),
                            ("zoe", "CHANGES_REQUESTED", "2026-11-20T10:00:00Z", head))
    code, data = review(run, repo, "main...pr", "--reviews", reviews)
    assert approvals(data)[("owners-approve-services", "Service/web", "net")]["satisfied"]
    assert (code, data["reasons"]) == (1, ["@Dave (net) requests changes"])  # zoe: no team
    assert data["changesRequested"] == [{"login": "Dave", "teams": ["net"]}]


def test_a_dismissed_review_withdraws_the_approval(run, repo: Repo, tmp_path: Path) -> None:
    repo.branch("pr").edit(WEB, "tier: 2", "tier: 3")
    head = repo.commit("web tier 3")
    reviews = write_reviews(tmp_path, ("erin", "APPROVED", "2026-11-20T09:00:00Z", head),
                            ("erin", "DISMISSED", "2026-11-20T10:00:00Z", head),
                            ("dave", "PENDING", None, head))
    code, data = review(run, repo, "main...pr", "--reviews", reviews)
    assert code == 1 and data["reviews"] == []


def test_a_stale_approval_counts_only_when_the_settings_keep_them(run, repo: Repo,
                                                                  tmp_path: Path) -> None:
    repo.branch("pr").edit(WEB, "tier: 2", "tier: 3")
    first = repo.commit("web tier 3")
    repo.edit(WEB, "description: The public web site.", "description: The web site.")
    repo.commit("wording")
    reviews = write_reviews(tmp_path, ("erin", "APPROVED", "2026-11-20T09:00:00Z", first))
    code, data = review(run, repo, "main...pr", "--reviews", reviews)
    assert data["reviews"][0]["whyNot"] == "stale"
    assert code == 1
    repo.checkout("main").edit("itsmctl.yaml", "cab: cab", "cab: cab\n  keepApprovalsOnPush: true")
    repo.commit("keep approvals on push")
    repo.checkout("pr").git("rebase", "-q", "main")
    reviews = write_reviews(tmp_path, ("erin", "APPROVED", "2026-11-20T09:00:00Z", first))
    code, data = review(run, repo, "main...pr", "--reviews", reviews)
    assert (code, data["reviews"][0]["counts"]) == (0, True)


def test_handles_match_case_insensitively_and_owners_fall_back_to_the_cab(run, repo: Repo
                                                                         ) -> None:
    repo.edit("catalog/services/mail.yaml", "tier: 1", "tier: 2")
    code, _ = review(run, repo, "main", "--approved-by", "carol")  # written Carol
    assert code == 0
    repo.write("catalog/teams/web-team.yaml", "apiVersion: itsmctl/v1\nkind: Team\n"
               "metadata: {name: web-team}\nspec:\n  members: [{name: Wes, handle: wes}]\n")
    repo.edit(WEB, "owner: net", "owner: web-team")
    code, data = review(run, repo, "main", "--approved-by", "carol")
    approval = approvals(data)[("owners-approve-services", "Service/web", "net")]
    assert approval["satisfied"] is False  # the base's owner gives the service away
    assert ("owners-approve-services", "Service/web", "cab") not in approvals(data)


def test_a_new_service_of_a_new_team_falls_to_the_cab(run, repo: Repo) -> None:
    repo.write("catalog/teams/web-team.yaml", "apiVersion: itsmctl/v1\nkind: Team\n"
               "metadata: {name: web-team}\nspec:\n  members: [{name: Wes, handle: wes}, "
               "{name: Wu, handle: wu}]\n")
    repo.write("catalog/services/shop.yaml", "apiVersion: itsmctl/v1\nkind: Service\n"
               "metadata: {name: shop, description: The web shop.}\n"
               "spec: {owner: web-team, lifecycle: planned}\n")
    code, data = review(run, repo, "main", "--approved-by", "wes")
    approval = approvals(data)[("owners-approve-services", "Service/shop", "cab")]
    assert approval["note"] == "its owner 'web-team' not on the base: the CAB approves"
    assert code == 1
    assert review(run, repo, "main", "--approved-by", "lee")[0] == 0


def test_a_broken_rule_counts_as_matching(run, repo: Repo) -> None:
    repo.edit("policies/approvals.yaml", 'when: change.kind == "Service"',
              "when: change.spec.nonexistent.deeper").commit("a broken rule on main")
    repo.edit(GOLD, "resolution: 4h", "resolution: 3h")
    code, data = review(run, repo, "main", "--approved-by", "sam")
    approval = approvals(data)[("owners-approve-services", "SLA/gold", "cab")]
    assert approval["note"].startswith("rule counted as matching: its `when` failed:")
    assert code == 1


def test_bad_reviews_input_is_one_line_exit_2(run, repo: Repo, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for text, message in (("{", "not JSON"), ('{"a": 1}', "list of reviews"),
                          ('[{"user": {"login": "x"}}]', "has no 'state'"),
                          ('[{"user": {"login": "x"}, "state": "LGTM"}]', "unknown state")):
        bad.write_text(text)
        code, _, err = run("--repo", str(repo.root), "review", "main", "--reviews", str(bad))
        assert code == 2 and message in err and err.count("\n") == 1, err


def test_reviews_as_gh_paginates_them(run, repo: Repo, tmp_path: Path) -> None:
    repo.edit(GOLD, "resolution: 4h", "resolution: 3h")
    head = repo.sha()
    page = [{"user": {"login": "sam"}, "state": "APPROVED",
             "submitted_at": "2026-11-20T09:00:00Z", "commit_id": head}]
    ghost = [{"user": None, "state": "APPROVED", "submitted_at": "2026-11-20T09:00:00Z",
              "commit_id": head}]
    for text in (json.dumps(ghost) + "\n" + json.dumps(page), json.dumps([ghost, page])):
        path = tmp_path / "pages.json"
        path.write_text(text)
        code, data = review(run, repo, "main", "--reviews", str(path))
        assert code == 0, data["reasons"]


def test_review_writes_the_job_summary(run, repo: Repo, tmp_path: Path, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    repo.edit(GOLD, "resolution: 4h", "resolution: 3h")
    code, _, _ = run("--repo", str(repo.root), "review", "main", "--now", NOW, "--output",
                     str(tmp_path / "review.md"))
    assert code == 1
    assert summary.read_text() == (tmp_path / "review.md").read_text()


def _change_request(name: str, start: str, end: str, kind: str = "standard",
                    services: str = "[mail]") -> str:
    template = "  template: restart\n" if kind == "standard" else \
        "  implementationPlan: Upgrade in place.\n  backoutPlan: Restore the snapshot.\n"
    return (f"apiVersion: itsmctl/v1\nkind: ChangeRequest\nmetadata: {{name: {name}}}\n"
            f"spec:\n  type: {kind}\n{template}  summary: Restart mail.\n"
            f"  services: {services}\n  start: \"{start}\"\n  end: \"{end}\"\n"
            "  risk: low\n  requestedBy: ann\n")


def test_a_standard_change_in_a_window_is_pre_approved(run, repo: Repo) -> None:
    repo.write("changes/chg-7.yaml", _change_request(
        "chg-7", "2026-12-06T02:30:00+01:00", "2026-12-06T03:30:00+01:00"))
    code, data = review(run, repo, "main")
    [request] = data["changeRequests"]
    assert (request["name"], request["outcome"], request["action"]) == (
        "chg-7", "pre-approved", "added")
    assert request["problems"] == []
    assert (code, data["verdict"], data["approvals"]) == (0, "ready", [])


def test_a_standard_change_in_a_freeze_is_blocked(run, repo: Repo) -> None:
    repo.write("changes/chg-8.yaml", _change_request(
        "chg-8", "2026-12-27T02:30:00+01:00", "2026-12-27T03:30:00+01:00"))
    code, data = review(run, repo, "main")
    [request] = data["changeRequests"]
    assert request["outcome"] == "blocked"
    assert [p["rule"] for p in request["problems"]] == ["change-freeze"]
    assert code == 1
    [reason] = data["reasons"]  # the freeze is one cause, not a finding and a block
    assert reason.startswith("change request chg-8 is blocked: ") and "[change-freeze]" in reason


def test_a_normal_change_needs_the_cab_and_collides_with_one_on_the_base(run, repo: Repo
                                                                         ) -> None:
    repo.write("changes/chg-1.yaml", _change_request(
        "chg-1", "2026-12-06T02:00:00+01:00", "2026-12-06T04:00:00+01:00")).commit("chg-1")
    repo.write("changes/chg-9.yaml", _change_request(
        "chg-9", "2026-12-06T03:00:00+01:00", "2026-12-06T05:00:00+01:00", kind="normal",
        services="[mail, web]"))
    code, data = review(run, repo, "main")
    [request] = data["changeRequests"]
    assert (request["outcome"], request["collisions"], request["collisionsOnBase"]) == (
        "needs-approval", ["chg-1"], ["chg-1"])
    assert list(approvals(data)) == [("cab-for-critical-changes", "ChangeRequest/chg-9", "cab")]
    assert code == 1
    code, data = review(run, repo, "main", "--approved-by", "kim")
    assert (code, data["verdict"]) == (0, "ready")


def test_the_first_catalog_of_a_repository_is_all_new(run, tmp_path: Path) -> None:
    from tests.helpers import REVIEW, make_git_repo

    empty = tmp_path / "empty"
    (empty / "docs").mkdir(parents=True)
    (empty / "docs" / "README.md").write_text("soon a catalog\n")
    repo = make_git_repo(tmp_path / "repo", empty)
    for path in sorted(REVIEW.rglob("*")):
        if path.is_file():
            repo.write(str(path.relative_to(REVIEW)), path.read_text())
    code, data = review(run, repo, "main")
    assert {c["action"] for c in data["changes"]} == {"added"}
    # judged by the base's rules, and the base has none yet: valid, and no one to ask
    assert (code, data["findings"]["introduced"], data["approvals"]) == (0, [], [])
    code, _, err = run("--repo", str(tmp_path / "repo"), "review", "main", "main")
    assert code == 2 and "no catalog" in err


def test_logins_with_at_or_spaces_are_the_same_login(run, repo: Repo, tmp_path: Path) -> None:
    repo.edit(GOLD, "resolution: 4h", "resolution: 3h")
    code, data = review(run, repo, "main", "--author", "@sam", "--approved-by", "SAM")
    assert code == 1 and data["author"] == "sam"
    assert data["reviews"][0]["whyNot"] == "author"
    assert approvals(data)[("desk-approves-slas", "SLA/gold", "desk")]["canApprove"] == []
    assert review(run, repo, "main", "--approved-by", " @sam ")[0] == 0
    for bad in ("", " ", "@", "sam\x1b[2J", "two words"):
        code, _, err = run("--repo", str(repo.root), "review", "main", "--approved-by", bad)
        assert code == 2 and "--approved-by" in err and "\x1b" not in err, err
    code, _, err = run("--repo", str(repo.root), "review", "main", "--author", "")
    assert code == 2 and "'--author': a login cannot be empty" in err


def test_reviews_file_edge_cases(run, repo: Repo, tmp_path: Path) -> None:
    repo.edit(GOLD, "resolution: 4h", "resolution: 3h")
    head = repo.sha()
    upper = write_reviews(tmp_path, ("sam", "APPROVED", "2026-11-20T09:00:00Z", head.upper()))
    code, data = review(run, repo, "main", "--reviews", upper)
    assert code == 0 and data["reviews"][0]["counts"] is True  # not stale
    bad = tmp_path / "bad.json"
    for text, message in (("[" * 100_000 + "]" * 100_000, f"cannot read {bad}: its JSON is "
                           "nested too deeply"),
                          ("[1]", "review 1 is not an object"),
                          ('[{"user": {"login": "s\\u0000m"}, "state": "APPROVED"}]',
                           "user.login 's\\x00m' is not a GitHub login")):
        bad.write_text(text)
        code, _, err = run("--repo", str(repo.root), "review", "main", "--reviews", str(bad))
        assert code == 2 and message in err and err.count("\n") == 1, err
        assert "internal error" not in err and "\x00" not in err


def test_approved_by_outweighs_a_later_request_for_changes(run, repo: Repo,
                                                           tmp_path: Path) -> None:
    repo.branch("pr").edit(WEB, "tier: 2", "tier: 3")
    head = repo.commit("web tier 3")
    requested = write_reviews(tmp_path, ("dave", "CHANGES_REQUESTED", "2026-11-20T09:00:00Z", head))
    code, data = review(run, repo, "main...pr", "--reviews", requested, "--approved-by", "dave")
    assert (code, data["reasons"]) == (0, [])
