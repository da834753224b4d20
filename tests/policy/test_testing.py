"""`itsmctl policy test`: unit tests for policies (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

from itsmctl.pipeline import check_catalog
from tests.helpers import NOW, ROOT, git

POLICY = """\
apiVersion: itsmctl/v1
kind: Policy
metadata: {name: tiered}
spec:
  match: {kinds: [Service]}
  assert:
    - that: entity.spec.tier > 1
      path: spec.tier
  message: "{{ entity.metadata.name }} is tier 1"
"""
SERVICE = ("{apiVersion: itsmctl/v1, kind: Service, metadata: {name: %s}, "
           "spec: {owner: ops, tier: %d, sla: std, workflows: {incident: inc}}}")


def test_the_example_policies_all_pass_their_tests(run) -> None:
    code, out, err = run("--repo", str(ROOT), "policy", "test")
    assert (code, err) == (0, ""), out
    assert out.rstrip().endswith("failed") and " 0 failed" in out


def test_every_example_policy_has_a_failing_case(run) -> None:
    _code, out, _ = run("--repo", str(ROOT), "policy", "test", "--format", "json")
    report = json.loads(out)
    tested = {f["policy"] for case in report["cases"] for f in case["actual"]}
    policies = {e.name for e in check_catalog(ROOT).catalog.of_kind("Policy")}
    assert policies <= tested, policies - tested


def _repo(make_repo, test: str) -> Path:
    return make_repo({"policies/tiered.yaml": POLICY, "policies/tests/tiered.test.yaml": test,
                      "policies/tests/testdata/extra.yaml": "---\n" + SERVICE % ("extra", 3)})


def test_passing_and_failing_cases_with_a_diff(run, make_repo) -> None:
    repo = _repo(make_repo, f"""\
policies: [tiered]
fixtures: [../../catalog, testdata/extra.yaml]
cases:
  - name: tier 3 passes
    documents: [{SERVICE % ("mail", 3)}]
    remove: [Service/extra]
    expect: none
  - name: wrong expectation
    documents: [{SERVICE % ("solo", 1)}]
    expect:
      - {{policy: tiered, entity: Service/mail, severity: warning}}
  - name: waived
    documents:
      - {{apiVersion: itsmctl/v1, kind: Waiver, metadata: {{name: w}},
         spec: {{policy: tiered, entities: [Service/mail], reason: Known., expires: "2027-01-01"}}}}
    expect:
      - {{policy: tiered, entity: Service/mail, suppressed: true}}
""")
    code, out, _ = run("--repo", str(repo), "policy", "test", "--now", NOW)
    assert code == 1
    assert out == (
        "policies/tests/tiered.test.yaml\n"
        "  FAIL  wrong expectation\n"
        "        --- expected\n"
        "        +++ actual\n"
        "        -tiered Service/mail warning\n"
        "        +tiered Service/mail error\n"
        "        +tiered Service/solo error\n"
        "         (Service/mail: mail is tier 1)\n"
        "         (Service/solo: solo is tier 1)\n"
        "3 cases in 1 file: 2 passed, 1 failed\n")
    code, out, _ = run("--repo", str(repo), "policy", "test", "--now", NOW, "--run", "pass|waiv",
                       "-v")
    assert code == 0 and "PASS  tier 3 passes" in out and "PASS  waived" in out


def test_the_case_catalog_must_be_valid_and_positions_point_into_the_test(run, make_repo) -> None:
    repo = _repo(make_repo, """\
fixtures: [../../catalog]
cases:
  - name: broken
    documents:
      - {apiVersion: itsmctl/v1, kind: Service, metadata: {name: x}, spec: {owner: opz}}
    expect: none
""")
    code, out, _ = run("--repo", str(repo), "policy", "test")
    assert code == 1
    assert "policies/tests/tiered.test.yaml:5:84: error: unknown Team 'opz'" in out


def test_malformed_test_files_are_reported_with_positions(run, make_repo) -> None:
    repo = _repo(make_repo, "cases:\n  - name: x\n    expect: [{policy: tiered}]\n")
    code, out, _ = run("--repo", str(repo), "policy", "test", "--format", "json")
    report = json.loads(out)
    assert code == 1 and not report["passed"]
    [problem] = report["problems"]
    assert (problem["path"], problem["line"], problem["rule"]) == (
        "policies/tests/tiered.test.yaml", 3, "policy-test")
    for text, where in (("cases: [\n", 2), ("fixtures: [../../../etc]\ncases: "
                                            "[{name: x, expect: none}]\n", 1)):
        (repo / "policies/tests/tiered.test.yaml").write_text(text)
        code, out, _ = run("--repo", str(repo), "policy", "test")
        assert code == 1 and f"policies/tests/tiered.test.yaml:{where}:" in out


def test_no_tests_is_a_failure_and_a_missing_path_cannot_run(run, make_repo) -> None:
    repo = make_repo()
    code, out, _ = run("--repo", str(repo), "policy", "test")
    assert (code, out) == (1, "no policy tests found (files named *.test.yaml)\n")
    code, _, err = run("--repo", str(repo), "policy", "test", str(repo / "nowhere"))
    assert code == 2 and "no such file or folder" in err


def test_test_files_and_testdata_are_not_part_of_the_catalog(make_repo) -> None:
    repo = _repo(make_repo, "cases: [{name: x, expect: none}]\n")
    (repo / "policies/tests/testdata/broken.yaml").write_text("kind: [\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "x")
    for ref in (None, "HEAD"):
        checked = check_catalog(repo, ref=ref)
        assert not any("tests/" in f for f in checked.result.files)
        assert checked.catalog.get("Service", "extra") is None


def test_links_out_of_the_repository_are_not_followed(run, make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.test.yaml").write_text("cases: [{name: x, expect: none}]\n")
    (outside / "secret.yaml").write_text("apiVersion: itsmctl/v1\n")
    repo = make_repo({"policies/tests/t.test.yaml":
                      "fixtures: [testdata]\ncases: [{name: x, expect: none}]\n"})
    (repo / "policies/tests/testdata").mkdir()
    (repo / "policies/tests/testdata/secret.yaml").symlink_to(outside / "secret.yaml")
    (repo / "policies/evil.test.yaml").symlink_to(outside / "evil.test.yaml")
    code, out, _ = run("--repo", str(repo), "policy", "test")
    assert code == 1
    assert f"policies/evil.test.yaml:1:1: error: symbolic link to '{outside}/evil.test.yaml' " \
           "leaves the repository; not read [symlink-escape]" in out
    assert f"policies/tests/testdata/secret.yaml:1:1: error: symbolic link to " \
           f"'{outside}/secret.yaml' leaves the repository; not read [symlink-escape]" in out


def test_a_bad_now_is_a_positioned_problem_and_outside_paths_cannot_run(
        run, make_repo, tmp_path: Path) -> None:
    repo = _repo(make_repo, "cases:\n  - {name: x, now: 'not-a-date-at-all', expect: none}\n")
    code, out, err = run("--repo", str(repo), "policy", "test")
    assert (code, err) == (1, "")
    assert out.startswith("policies/tests/tiered.test.yaml:2:20: error: now: "
                          "'not-a-date-at-all' is not a date (YYYY-MM-DD) or an ISO 8601 date-time "
                          "[policy-test]")
    elsewhere = tmp_path / "elsewhere.test.yaml"
    elsewhere.write_text("cases: [{name: x, expect: none}]\n")
    code, _, err = run("--repo", str(repo), "policy", "test", str(elsewhere))
    assert code == 2 and "is outside the repository" in err
