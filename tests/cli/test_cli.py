"""Acceptance tests: each command, its output and its exit code (docs/commands.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import NOW, ROOT, git


def test_check_example_catalog_is_clean(run) -> None:
    code, out, err = run("--repo", str(ROOT), "check", "--now", NOW)
    assert (code, err) == (0, "")
    assert out.startswith("No problems in ")


def test_check_reports_and_exits_1(run, make_repo) -> None:
    repo = make_repo({"catalog/x.yaml": "apiVersion: itsmctl/v1\nkind: Service\nmetadata:\n"
                                        "  name: x\nspec:\n  owner: opz\n"})
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW)
    assert code == 1
    assert "catalog/x.yaml:6:10: error: unknown Team 'opz' (did you mean 'ops'?) " \
           "[unknown-reference]" in out
    assert out.rstrip().endswith("2 errors, 1 waived in 5 files, 19 documents")


def test_check_paths_limit_the_report_not_the_references(run, make_repo) -> None:
    repo = make_repo({"catalog/a.yaml": "apiVersion: itsmctl/v1\nkind: Service\nmetadata:\n"
                                        "  name: a\nspec: {owner: nobody}\n",
                      "catalog/b.yaml": "apiVersion: itsmctl/v1\nkind: Service\nmetadata:\n"
                                        "  name: b\nspec: {owner: ops, dependsOn: [mail]}\n"})
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW, str(repo / "catalog/b.yaml"))
    assert "unknown Team" not in out
    assert "catalog/b.yaml" in out and code == 1  # b itself is not production-ready


def test_check_output_file_and_formats(run, make_repo, tmp_path: Path) -> None:
    repo = make_repo({"catalog/x.yaml": "apiVersion: itsmctl/v1\nkind: Team\nmetadata:\n"
                                        "  name: x\nspec: {members: [], colour: red}\n"})
    report = tmp_path / "out" / "report.json"
    code, out, _ = run("--repo", str(repo), "check", "--format", "json", "--output", str(report))
    assert (code, out) == (1, "")
    [d] = [d for d in json.loads(report.read_text()) if not d.get("suppressed")]
    assert d == {"path": "catalog/x.yaml", "line": 5, "column": 21, "severity": "error",
                 "message": "unknown field 'colour' in spec", "rule": "unknown-field",
                 "kind": "Team", "name": "x", "jsonPath": "$.spec.colour"}


def test_github_format_is_the_default_under_actions(run, make_repo, monkeypatch) -> None:
    repo = make_repo({"catalog/x.yaml": "kind: Team\n"})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _code, out, _ = run("--repo", str(repo), "check")
    assert out == "::error file=catalog/x.yaml,line=1,col=1,title=itsmctl envelope::" \
                  "missing apiVersion (expected itsmctl/v1)\n1 error, 1 waived in 5 files, " \
                  "19 documents\n"


def test_unusable_invocations_exit_2_without_traceback(run, tmp_path: Path) -> None:
    for args in (["check", "--format", "yaml"], ["frobnicate"],
                 ["--repo", str(tmp_path / "missing"), "check"],
                 ["check", "--now", "yesterday"], ["check", str(tmp_path / "nope.yaml")],
                 ["explain", "Servce"], ["explain", "Service.spec.onwer"]):
        code, out, err = run(*args)
        assert code == 2, args
        assert "Traceback" not in out + err


def test_unknown_git_ref_exits_2(run, make_repo) -> None:
    repo = make_repo()
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "catalog")
    code, _, err = run("--repo", str(repo), "check", "--ref", "no-such-branch")
    assert code == 2
    assert "unknown git ref 'no-such-branch'" in err


def test_bad_config_exits_2(run, make_repo) -> None:
    repo = make_repo({"itsmctl.yaml": "paths:\n  catalgo: [x]\n"})
    code, _, err = run("--repo", str(repo), "check")
    assert code == 2
    assert "itsmctl.yaml:2:3: error: unknown field 'catalgo' in paths (did you mean 'catalog'?)" \
        in err


def test_config_moves_the_folders(run, make_repo) -> None:
    repo = make_repo({"itsmctl.yaml": "paths:\n  catalog: [services]\n"})
    (repo / "catalog").rename(repo / "services")
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW)
    assert code == 0, out


def test_explain_kind_and_field(run) -> None:
    code, out, _ = run("explain", "Service.spec.dependsOn")
    assert code == 0
    assert "FIELD:    spec.dependsOn <[]Service name>" in out
    assert "Services this one needs to work." in out
    code, out, _ = run("explain", "Service.spec")
    assert "owner\t<Team name> -required-" in out.replace("   ", "")
    code, out, _ = run("explain", "Workflow", "--recursive")
    assert "initial\t<boolean>" in out


def test_schema_export_and_check(run, tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    assert run("schema", "export", "--check", str(target))[0] == 1
    code, out, _ = run("schema", "export", str(target))
    assert code == 0 and "18 schemas" in out
    assert run("schema", "export", "--check", str(target))[0] == 0
    (target / "old.schema.json").write_text("{}")
    assert run("schema", "export", "--check", str(target))[0] == 1


def test_init_scaffolds_a_repository_that_checks_clean(run, tmp_path: Path) -> None:
    target = tmp_path / "new"
    code, _out, _ = run("init", str(target))
    assert code == 0
    for rel in (".github/workflows/itsmctl.yaml", ".pre-commit-config.yaml", "itsmctl.yaml",
                "schemas/service.schema.json", "catalog/services.yaml"):
        assert (target / rel).is_file(), rel
    assert run("--repo", str(target), "check")[0] == 0
    assert run("--repo", str(target), "schema", "export", "--check")[0] == 0
    assert run("init", str(target))[0] == 2


def test_init_names_the_folder_as_a_shell_would_and_refuses_a_broken_link(
        run, tmp_path: Path) -> None:
    code, out, _ = run("init", str(tmp_path / "my catalog"))
    assert code == 0 and f"next: cd '{tmp_path}/my catalog' && git init -b main && " in out
    (tmp_path / "dangling").symlink_to("nowhere")
    code, _, err = run("init", str(tmp_path / "dangling"))
    assert code == 2 and err.endswith("is a broken symbolic link (to 'nowhere'); init needs a "
                                      "new or empty folder\n")


def test_init_here_says_no_cd(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("init", ".")
    assert code == 0 and out.endswith("next: git init -b main && itsmctl check\n")


def test_rules_lists_every_rule(run) -> None:
    code, out, _ = run("rules", "--format", "json")
    assert code == 0
    assert {"id": "unknown-field", "severity": "error",
            "description": "A field the kind's schema does not define (often a typo)."} \
        in json.loads(out)


def test_console_script_and_module_entry_points(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "itsmctl", "--repo", str(ROOT), "check",
                             "--now", NOW], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([sys.executable, "-m", "itsmctl", "--version"],
                            capture_output=True, text=True)
    assert result.stdout.startswith("itsmctl, version ")


def test_explain_speaks_yaml_accepts_any_case_and_lists_the_kinds(run) -> None:
    code, out, _ = run("explain", "policy.spec.severity")
    assert code == 0 and 'Default: "error".' in out
    _code, out, _ = run("explain", "ChangeFreeze.spec.allowEmergency")
    assert "Default: true." in out
    code, out, _ = run("explain")
    assert code == 0 and out.startswith("KINDS:\n") and "   Service " in out
    _code, out, _ = run("explain", "Calendar.spec.hours.mon")
    assert "HH:MM-HH:MM" in out


@pytest.mark.parametrize(("ref", "why"), [
    ("", "is empty: name a branch, tag or commit"),
    ("main\nx", "'main\\nx' is not a git ref (it holds a control character)"),
    ("-x", "'-x' is not a git ref (it starts with '-')"),
])
def test_a_ref_that_names_nothing_is_refused_not_read_as_the_work_tree(
        ref: str, why: str, run, make_repo) -> None:
    code, _, err = run("--repo", str(make_repo()), "check", f"--ref={ref}")
    assert code == 2 and err.endswith(f"Invalid value for '--ref': {why}\n")


def test_a_full_disk_or_a_closed_pipe_on_standard_output_is_no_traceback() -> None:
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "itsmctl", "rules"], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr == ("itsmctl: error: cannot write to standard output: no space left "
                           "on device\n")
    reader = subprocess.Popen([sys.executable, "-m", "itsmctl", "rules"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # the reader leaves before anything is written, as `| head -0`
    assert reader.wait() == 141 and reader.stderr.read() == b""  # not 1: no findings


def test_ctrl_c_exits_130(run, monkeypatch: pytest.MonkeyPatch) -> None:
    import itsmctl.cli.check

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(itsmctl.cli.check, "check_catalog", interrupted)
    code, _, err = run("--repo", str(ROOT), "check")
    assert code == 130 and err.endswith("itsmctl: interrupted\n")
