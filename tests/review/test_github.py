"""Posting the review: the sticky comment and the review list, against a local fake of
GitHub's REST API (tests/review/fake_github.py), and the two-job workflow that users copy
run step by step for a pull request from a fork."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from itsmctl.review.marker import marker
from tests.helpers import NOW, ROOT, Repo, git
from tests.review.fake_github import FORBIDDEN, RATE_LIMITED, SECONDARY, Failure, FakeGitHub

BASE, HEAD, NEWER = "a" * 40, "b" * 40, "c" * 40
BOT = "github-actions[bot]"
TEMPLATE = ROOT / "itsmctl" / "scaffold" / "template" / "dot-github" / "workflows"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_TOKEN", fake.state.token)
        monkeypatch.setenv("GITHUB_REPOSITORY", fake.full_name)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
        fake.open_pull(12, HEAD, BASE)
        yield fake


def body(tmp_path: Path, text: str = "## ✅ Ready to merge\n", head: str = HEAD) -> str:
    path = tmp_path / "review.md"
    path.write_text(f"{marker(BASE, head)}\n{text}")
    return str(path)


def comment(run, path: str, *args: str) -> tuple[int, str, str]:
    return run("github", "comment", path, "--pr", "12", *args)


def test_creates_then_updates_in_place_then_leaves_alone(run, github: FakeGitHub,
                                                         tmp_path: Path) -> None:
    github.add_comment(12, "octocat", "Looks good, but see <!-- itsmctl:review -->")
    code, out, _ = comment(run, body(tmp_path))
    assert code == 0 and out.startswith("created: review comment created on #12 (https://")
    [ours] = [c for c in github.state.comments[12] if c["user"]["login"] == BOT]
    code, out, _ = comment(run, body(tmp_path, "## ❌ Blocked\n"))
    assert code == 0 and out.startswith("updated:")
    assert ours["body"].endswith("## ❌ Blocked\n") and len(github.state.comments[12]) == 2
    writes = len(github.writes())
    code, out, _ = comment(run, body(tmp_path, "## ❌ Blocked\n"))
    assert code == 0 and out.startswith("unchanged:") and len(github.writes()) == writes


def test_finds_its_comment_on_a_later_page(run, github: FakeGitHub, tmp_path: Path) -> None:
    github.state.per_page_cap = 2
    for i in range(5):
        github.add_comment(12, f"user{i}", f"comment {i}")
    github.add_comment(12, BOT, f"{marker(BASE, HEAD)}\nold")
    code, out, _ = comment(run, body(tmp_path))
    assert code == 0 and out.startswith("updated:")
    pages = [p for m, p in github.state.requests if m == "GET" and "comments" in p]
    assert pages[0] == "/repos/acme/catalog/issues/12/comments"
    assert pages[1:] == ["/repositories/1296269/issues/12/comments"] * 2  # Link URLs
    assert [c["body"] for c in github.state.comments[12]][-1].endswith("Ready to merge\n")


def test_an_outdated_review_is_never_posted(run, github: FakeGitHub, tmp_path: Path) -> None:
    github.add_comment(12, BOT, f"{marker(BASE, NEWER)}\nthe newer review")
    github.push(12, NEWER)
    code, out, _ = comment(run, body(tmp_path))
    assert code == 0 and out.startswith("skipped: pull request #12 is now at cccccccccccc")
    assert github.writes() == []
    assert github.state.comments[12][0]["body"].endswith("the newer review")


def test_head_sha_must_match_the_review(run, github: FakeGitHub, tmp_path: Path) -> None:
    code, _, err = comment(run, body(tmp_path), "--head-sha", NEWER)
    assert code == 2 and err.count("\n") == 1 and "not posted" in err
    assert github.state.requests == []


def test_not_a_review_or_too_long_is_refused(run, github: FakeGitHub, tmp_path: Path) -> None:
    path = tmp_path / "other.md"
    path.write_text("hello\n")
    code, _, err = comment(run, str(path))
    assert code == 2 and "is not an itsmctl review" in err
    code, _, err = comment(run, body(tmp_path, "x" * 70_000))
    assert code == 2 and "GitHub takes at most 65536" in err
    code, _, err = comment(run, body(tmp_path, head="worktree"))
    assert code == 2 and "work tree" in err
    assert github.state.requests == []


@pytest.mark.parametrize(("failure", "where", "expected"), [
    (FORBIDDEN, r".*/issues/12/comments", "forbidden (403: Resource not accessible by "
     "integration); the token needs 'pull-requests: write'"),
    (RATE_LIMITED, r".*/pulls/12", "rate limit exceeded (5000 of 5000 requests used); it "
     "resets at 2026-01-01 00:00:00 UTC"),
    (SECONDARY, r".*/pulls/12", "secondary rate limit (You have exceeded a secondary rate "
     "limit. Please wait a few minutes before you try again.); retry after 60 s"),
    (Failure(500, {"message": "Server Error"}), r".*/pulls/12", "HTTP 500 (Server Error)"),
])
def test_failures_are_one_clear_line(run, github: FakeGitHub, tmp_path: Path,
                                     failure: Failure, where: str, expected: str) -> None:
    github.fail("GET", where, failure)
    github.fail("POST", where, failure)
    code, out, err = comment(run, body(tmp_path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err, err


def test_missing_pull_request_bad_token_and_no_server(run, github: FakeGitHub,
                                                      tmp_path: Path, monkeypatch) -> None:
    code, _, err = run("github", "comment", body(tmp_path), "--pr", "99")
    assert code == 2 and "GET /pulls/99: not found (404)" in err
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    code, _, err = comment(run, body(tmp_path))
    assert code == 2 and "bad credentials (401)" in err
    monkeypatch.delenv("GITHUB_TOKEN")
    code, _, err = comment(run, body(tmp_path))
    assert code == 2 and "set GITHUB_TOKEN" in err
    monkeypatch.setenv("GITHUB_TOKEN", "x")
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")
    code, _, err = comment(run, body(tmp_path))
    assert code == 2 and err.startswith("itsmctl: error: GitHub API: cannot reach")


def test_a_rejected_comment_is_one_line(run, github: FakeGitHub, tmp_path: Path) -> None:
    github.fail("POST", r".*/issues/12/comments", Failure(422, {
        "message": "Validation Failed", "errors": [
            {"resource": "IssueComment", "code": "custom", "field": "body",
             "message": "body is too long (maximum is 65536 characters)"}],
        "documentation_url": "https://docs.github.com/rest", "status": "422"}))
    code, _, err = comment(run, body(tmp_path))
    assert code == 2 and err.count("\n") == 1
    assert "rejected (422: Validation Failed: body is too long (maximum is 65536" in err


def test_reviews_are_listed_across_pages(run, github: FakeGitHub, tmp_path: Path) -> None:
    github.state.per_page_cap = 2
    for login, state in (("ann", "COMMENTED"), ("bob", "APPROVED"), ("kim", "PENDING"),
                         ("bob", "DISMISSED"), ("lee", "CHANGES_REQUESTED")):
        github.review(12, login, state)
    code, out, _ = run("github", "reviews", "--pr", "12")
    assert code == 0
    listed = json.loads(out)
    assert [(r["user"]["login"], r["state"]) for r in listed] == [
        ("ann", "COMMENTED"), ("bob", "APPROVED"), ("kim", "PENDING"), ("bob", "DISMISSED"),
        ("lee", "CHANGES_REQUESTED")]
    assert "submitted_at" not in listed[2]


def test_posting_writes_the_job_summary(run, github: FakeGitHub, tmp_path: Path,
                                        monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert comment(run, body(tmp_path))[0] == 0
    assert summary.read_text().startswith("itsmctl review comment created: review comment "
                                          "created on #12 — https://github.com/acme/catalog/")


# The workflow users copy, run step by step: the steps that `uses:` an action are done by
# this harness (checkout with fetch-depth 0, upload and download of the artefact, the
# itsmctl action: itsmctl on the PATH); every `run:` script is the workflow's own, run by
# bash with the environment its `env:` gives, against the fake GitHub.

def _workflow(name: str) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load((TEMPLATE / name).read_text())
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true; GitHub does not
    return data


def _expand(text: str, context: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found: Any = context
        for part in match.group(1).split("."):
            found = found[part]
        return str(found)
    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", value, text)


def _run_step(step: dict[str, Any], context: dict[str, Any], cwd: Path,
              env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env,
                   **{k: _expand(str(v), context) for k, v in step.get("env", {}).items()}}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=environment,
                          capture_output=True, text=True)


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("name") == name)


def test_a_fork_pr_runs_the_two_job_workflow_against_the_fake(github: FakeGitHub, repo: Repo,
                                                               tmp_path: Path) -> None:
    review_job = _workflow("itsmctl.yaml")["jobs"]["itsmctl"]
    checkout = review_job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and \
        checkout["with"]["fetch-depth"] == 0
    post = _workflow("itsmctl-comment.yaml")
    assert post["permissions"]["pull-requests"] == "write"
    assert set(post["on"]) == {"workflow_run"}
    comment_job = post["jobs"]["comment"]
    assert not any("checkout" in s.get("uses", "") for s in comment_job["steps"])
    assert "pull_request_review" in _workflow("itsmctl.yaml")["on"]

    # the fork: a branch in another clone, fetched into the base repository as GitHub does
    fork = Repo(tmp_path / "fork")
    git(tmp_path, "clone", "-q", str(repo.root), str(fork.root))
    fork.branch("cheaper-gold").edit("catalog/slas/gold.yaml", "resolution: 8h",
                                     "resolution: 12h")
    head = fork.commit("gold P2 12h")
    repo.git("fetch", "-q", str(fork.root), "cheaper-gold:refs/pull/12/head")
    github.open_pull(12, head, repo.sha("main"), author="forker", fork="forker/catalog")
    event = {"github": {"token": github.state.token, "repository": github.full_name,
                        "event": {"pull_request": github.state.pulls[12]}}}

    runs: dict[Path, str] = {}  # artefact -> the head its run was for (workflow_run.head_sha)

    def pull_request_job() -> Path:
        work = tmp_path / "runner" / "work"
        shutil.rmtree(work.parent, ignore_errors=True)
        git(tmp_path, "clone", "-q", str(repo.root), str(work))  # fetch-depth: 0
        git(work, "fetch", "-q", "origin", "refs/pull/12/head")
        git(work, "checkout", "-q", github.state.pulls[12]["head"]["sha"])
        env = {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": github.full_name,
               "ITSMCTL_NOW": NOW}
        step = dict(_step(review_job, "itsmctl review"))
        step["run"] = step["run"].replace("--output review/review.md",
                                          f"--now {NOW} --output review/review.md")
        done = _run_step(step, event, work, env)
        assert done.returncode in (0, 1), done.stderr
        artefact = tmp_path / f"artefact-{len(runs)}"
        shutil.copytree(work / "review", artefact)  # actions/upload-artifact
        runs[artefact] = github.state.pulls[12]["head"]["sha"]
        return artefact

    def workflow_run_job(artefact: Path) -> str:
        runner = tmp_path / "post"
        shutil.rmtree(runner, ignore_errors=True)
        shutil.copytree(artefact, runner / "review")  # actions/download-artifact
        context = {"github": {"token": github.state.token, "event": {"workflow_run": {
            "head_sha": runs[artefact]}}}}
        done = _run_step(_step(comment_job, "post the review"), context, runner,
                         {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": github.full_name})
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = pull_request_job()
    assert "❌ Blocked" in (first / "review.md").read_text()
    assert (first / "pr-number").read_text() == "12\n"
    assert workflow_run_job(first).startswith("created:")
    [posted] = github.state.comments[12]
    assert posted["body"] == (first / "review.md").read_text()
    assert posted["user"]["login"] == BOT

    # the desk approves: pull_request_review runs the workflow again; the comment follows
    github.review(12, "sam", "APPROVED")
    second = pull_request_job()
    assert "✅ Ready to merge" in (second / "review.md").read_text()
    assert workflow_run_job(second).startswith("updated:")
    assert len(github.state.comments[12]) == 1 and "Ready to merge" in posted["body"]

    # a new push; a late re-run of the old workflow must not overwrite the new review
    fork.edit("catalog/slas/gold.yaml", "resolution: 12h", "resolution: 10h")
    newer = fork.commit("gold P2 10h")
    repo.git("fetch", "-q", "-f", str(fork.root), "cheaper-gold:refs/pull/12/head")
    github.push(12, newer)
    third = pull_request_job()
    assert workflow_run_job(third).startswith("updated:")
    assert workflow_run_job(second).startswith("skipped:")
    assert marker(repo.sha("main"), newer) in posted["body"]


# Hardening: the token stays with the API, and nothing the API says reaches the terminal
# raw, or ends the command with an internal error or a false success.

def test_a_redirect_to_another_origin_is_refused_and_the_token_stays(
        run, github: FakeGitHub, tmp_path: Path) -> None:
    with FakeGitHub() as other:
        target = f"{other.url}/repos/acme/catalog/pulls/12\x1b[31m"
        github.fail("GET", r"/repos/acme/catalog/pulls/12",
                    Failure(302, {}, {"Location": target}))
        code, out, err = comment(run, body(tmp_path))
        assert other.state.requests == []  # never asked, so never given the token
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "GET /pulls/12 answered a redirect (HTTP 302) to " in err
    assert other.url in err and "not followed" in err and "\x1b" not in err
    assert github.state.token not in err


def test_a_redirect_within_the_api_is_followed_a_few_times(run, github: FakeGitHub,
                                                            tmp_path: Path) -> None:
    github.fail("GET", r"/repos/acme/catalog/pulls/12",
                Failure(301, {}, {"Location": f"{github.url}/repositories/1296269/pulls/12"}))
    code, out, _ = comment(run, body(tmp_path))
    assert code == 0 and out.startswith("created:")
    github.fail("GET", r"/repositories/1296269/pulls/12",
                Failure(302, {}, {"Location": f"{github.url}/repositories/1296269/pulls/12"}))
    code, _, err = comment(run, body(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "HTTP 302, a redirect not followed" in err


@pytest.mark.parametrize(("failure", "expected", "absent"), [
    (Failure(403, {"message": "API rate limit exceeded"},
              {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "99999999999999",
               "x-ratelimit-used": "\x1b[2J", "x-ratelimit-limit": "5000"}),
     "rate limit exceeded (? of 5000 requests used)", "resets at"),
    (Failure(403, {"message": "You have exceeded a secondary rate limit."},
              {"retry-after": "-5abc"}),
     "secondary rate limit (You have exceeded a secondary rate limit.); retry in a minute",
     "-5abc"),
    (Failure(401, b"<html>Unauthorized</html>", {"Content-Type": "text/html"}),
     "bad credentials (401); check the token in GITHUB_TOKEN", "not JSON"),
    (Failure(401, {"message": "Bad credentials"}),
     "bad credentials (401); check the token in GITHUB_TOKEN", "not JSON"),
])
def test_odd_failures_are_still_one_clear_line(run, github: FakeGitHub, tmp_path: Path,
                                               failure: Failure, expected: str,
                                               absent: str) -> None:
    github.fail("GET", r".*/pulls/12", failure)
    code, out, err = comment(run, body(tmp_path))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert expected in err and absent not in err and "\x1b" not in err, err


def test_what_the_api_says_is_printable_and_short(run, github: FakeGitHub,
                                                 tmp_path: Path) -> None:
    said = "Validation \x1b]0;pwned\x07Failed " + "\x1b[31m" * 1000
    github.fail("POST", r".*/issues/12/comments", Failure(422, {"message": said}))
    code, _, err = comment(run, body(tmp_path))
    assert code == 2 and err.count("\n") == 1 and len(err) < 500
    assert "rejected (422: Validation \\x1b]0;pwned\\x07Failed" in err
    assert err.rstrip("\n").endswith("…)")
    assert not any(ord(c) < 0x20 for c in err.rstrip("\n"))


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("GITHUB_API_URL", "http://[::1", "GITHUB_API_URL 'http://[::1' is not an http(s) URL"),
    ("GITHUB_API_URL", "http://127.0.0.1:http/", "GITHUB_API_URL 'http://127.0.0.1:http/'"),
    ("GITHUB_API_URL", "ftp://example.com\x1b", "GITHUB_API_URL 'ftp://example.com\\x1b'"),
    ("GITHUB_TOKEN", "x\ny: z", "GITHUB_TOKEN is not a token"),
    ("GITHUB_TOKEN", "tök", "GITHUB_TOKEN is not a token"),
])
def test_a_bad_environment_names_the_variable(run, github: FakeGitHub, tmp_path: Path,
                                              monkeypatch, variable: str, value: str,
                                              expected: str) -> None:
    monkeypatch.setenv(variable, value)
    for args in (("github", "comment", body(tmp_path), "--pr", "12"),
                 ("github", "reviews", "--pr", "12")):
        code, out, err = run(*args)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert expected in err and "internal error" not in err
        assert "y: z" not in err and "tök" not in err  # a token is never shown
    assert github.state.requests == []


def test_a_token_with_a_trailing_newline_is_taken(run, github: FakeGitHub, tmp_path: Path,
                                                  monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", github.state.token + "\n")
    assert comment(run, body(tmp_path))[0] == 0


def test_a_pull_request_without_a_head_commit_is_not_a_skip(run, github: FakeGitHub,
                                                            tmp_path: Path) -> None:
    for head in ({}, {"sha": None}, {"sha": "\x1b[2J"}, "main"):
        github.state.pulls[12]["head"] = head
        code, out, err = comment(run, body(tmp_path))
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "GET /pulls/12 answered a pull request without a head commit" in err
    assert github.writes() == []


def test_head_shas_compare_whatever_their_case(run, github: FakeGitHub,
                                               tmp_path: Path) -> None:
    github.push(12, HEAD.upper())
    code, out, _ = comment(run, body(tmp_path), "--head-sha", HEAD.upper())
    assert code == 0 and out.startswith("created:")


def test_a_missing_review_file_says_it_does_not_exist(run, github: FakeGitHub,
                                                      tmp_path: Path) -> None:
    code, _, err = run("github", "comment", str(tmp_path / "nonexistent"), "--pr", "12")
    assert code == 2 and "does not exist" in err and "is a directory" not in err
    code, _, err = run("github", "comment", str(tmp_path), "--pr", "12")
    assert code == 2 and "is a directory" in err
    assert github.state.requests == []


@pytest.mark.parametrize(("items", "expected"), [
    ([1, "x", None], "review 1 is not an object"),
    ([{"user": "str", "state": "APPROVED", "commit_id": HEAD,
       "submitted_at": "2026-11-20T09:00:00Z"}], "review 1 has no 'user.login'"),
    ([{"user": {"login": "ann"}}], "review 1 has no 'state'"),
    ([{"user": {"login": "ann\x00\x1b"}, "state": "APPROVED", "commit_id": HEAD,
       "submitted_at": "2026-11-20T09:00:00Z"}], "user.login 'ann\\x00\\x1b' is not a GitHub"),
    ([{"user": {"login": "ann"}, "state": "APPROVED", "submitted_at": "2026-11-20T09:00:00Z"}],
     "review 1 has no 'commit_id'"),
    ([{"user": {"login": "ann"}, "state": "APPROVED", "commit_id": HEAD}],
     "review 1 has no 'submitted_at'"),
])
def test_reviews_the_api_garbles_are_refused(run, github: FakeGitHub, items: list[Any],
                                             expected: str, tmp_path: Path) -> None:
    github.state.reviews[12] = items
    output = tmp_path / "reviews.json"
    code, out, err = run("github", "reviews", "--pr", "12", "-o", str(output))
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "GitHub API: GET /pulls/12/reviews answered a list whose " in err
    assert expected in err and "\x00" not in err and "\x1b" not in err
    assert not output.exists()


def test_a_deleted_accounts_review_is_listed(run, github: FakeGitHub) -> None:
    github.review(12, "ann", "APPROVED")
    github.state.reviews[12][0]["user"] = None  # GitHub's 'ghost'
    code, out, _ = run("github", "reviews", "--pr", "12")
    assert code == 0 and json.loads(out)[0]["user"] is None


def test_listed_reviews_cannot_drive_the_terminal(run, github: FakeGitHub) -> None:
    github.review(12, "ann", "COMMENTED")
    github.state.reviews[12][0]["body"] = "ok \x1b[2J\x9b2J\u202eé"
    code, out, _ = run("github", "reviews", "--pr", "12")
    assert code == 0 and out.isascii() and "\x1b" not in out
    assert json.loads(out)[0]["body"] == "ok \x1b[2J\x9b2J\u202eé"


def test_a_forged_review_file_mentions_nobody(run, github: FakeGitHub, tmp_path: Path) -> None:
    """The file comes from a job a fork's code ran: whatever mentions it holds are posted
    inert; mentions at a code span's start are inert already and stay as written."""
    code, _, _ = comment(run, body(tmp_path, "## ✅ Ready\n@everyone ping @org/cab, mail "
                                             "a@b.example, `@sam`\n"))
    assert code == 0
    [ours] = [c for c in github.state.comments[12] if c["user"]["login"] == BOT]
    assert ours["body"].endswith("@\u2060everyone ping @\u2060org/cab, mail a@b.example, "
                                 "`@sam`\n")
    code, out, _ = comment(run, body(tmp_path, "## ✅ Ready\n@everyone ping @org/cab, mail "
                                               "a@b.example, `@sam`\n"))
    assert code == 0 and out.startswith("unchanged:")
