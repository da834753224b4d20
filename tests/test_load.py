"""itsmctl.yaml is validated like any other document: positions, rule id, and folders
that leave the repository or do not exist."""

from __future__ import annotations

import pytest

from tests.helpers import NOW, git


@pytest.mark.parametrize(("settings", "message"), [
    ("defaultTimezone: Mars/X\n",
     "itsmctl.yaml:1:18: error: unknown timezone 'Mars/X' [settings]"),
    ("paths:\n  catalog: [/etc]\n",
     "itsmctl.yaml:2:13: error: paths.catalog: '/etc' is not a path inside the repository "
     "(write it relative to the root) [settings]"),
    ("paths:\n  catalog: [../../etc]\n",
     "itsmctl.yaml:2:13: error: paths.catalog: '../../etc' leaves the repository [settings]"),
    ("paths:\n  catalgo: [x]\n",
     "itsmctl.yaml:2:3: error: unknown field 'catalgo' in paths (did you mean 'catalog'?) "
     "[unknown-field]"),
])
def test_unusable_settings_stop_every_command_with_their_position(
        settings: str, message: str, run, make_repo, tmp_path) -> None:
    repo = make_repo({"itsmctl.yaml": settings})
    tickets = tmp_path / "t.csv"
    tickets.write_text("id,priority,opened,responded,resolved,sla\n")
    for args in (["check"], ["sla", "replay", str(tickets)], ["build", "--out",
                                                               str(tmp_path / "b")]):
        code, _, err = run("--repo", str(repo), *args)
        assert code == 2, args
        assert message in err, (args, err)
        assert "--timezone" not in err


def test_a_folder_that_does_not_exist_is_a_warning_in_check(run, make_repo) -> None:
    repo = make_repo({"itsmctl.yaml": "paths:\n  changes: [changes, requests]\n"})
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW)
    assert code == 0
    assert "itsmctl.yaml:2:22: warning: paths.changes: there is no folder 'requests' " \
           "[settings]" in out


def test_rules_turn_a_built_in_rule_off_or_change_its_severity(run, make_repo) -> None:
    repo = make_repo({"itsmctl.yaml": "rules:\n  standard-change-expired: warning\n"
                                      "  waiver-expired: off\n  waiver-unsed: off\n"})
    code, out, _ = run("--repo", str(repo), "check", "--now", "2028-01-01")
    assert "warning: standard change 'restart' expired" in out
    assert "[waiver-expired]" not in out
    assert "itsmctl.yaml:4:3: warning: rules: unknown rule 'waiver-unsed' (did you mean " \
           "'waiver-unused'?) [settings]" in out
    assert code == 1  # the expired waiver no longer hides the policy finding
    assert run("--repo", str(repo), "check", "--now", "2026-11-21")[0] == 0
    assert run("--repo", str(repo), "check", "--now", "2026-11-21", "--strict")[0] == 1
    repo = make_repo({"itsmctl.yaml": "rules:\n  schema: off\n"}, name="fixed")
    code, _, err = run("--repo", str(repo), "check")
    assert code == 2 and "rules: 'schema' cannot be changed" in err


@pytest.mark.parametrize("catalog", [
    "[./catalog/]", "[catalog/]", "[catalog//]", "['catalog/./']", "[catalog, ./catalog]"])
def test_folder_settings_are_normalised(catalog: str, run, make_repo) -> None:
    """`./catalog/`, `catalog//` and the like are `catalog`: the same files, the same
    paths in diagnostics, at a git ref too."""
    from itsmctl.load import read_config
    from itsmctl.sources import WorkTree

    repo = make_repo({"itsmctl.yaml": f"paths:\n  catalog: {catalog}\n",
                      "catalog/x.yaml": "kind: [\n"})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "settings")
    assert read_config(WorkTree(repo)).catalog == ("catalog",)
    for ref in ((), ("--ref", "HEAD")):
        code, out, err = run("--repo", str(repo), "check", "--now", NOW, *ref)
        assert (code, err) == (1, ""), ref
        assert out.splitlines()[0].startswith("catalog/x.yaml:2:1: error: ")
        assert out.splitlines()[-1] == "1 error, 1 waived in 6 files, 18 documents", ref


def test_the_settings_file_is_never_a_catalog_file(run, make_repo) -> None:
    """With a folder setting `.` (the whole repository) itsmctl.yaml is still the
    settings: counted once, never read as a catalog document (no envelope error)."""
    repo = make_repo({"itsmctl.yaml": "paths:\n  catalog: [.]\n"})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "settings")
    for ref in ((), ("--ref", "HEAD")):
        code, out, err = run("--repo", str(repo), "check", "--now", NOW, *ref)
        assert (code, err, out) == (0, "", "No problems in 5 files, 18 documents (1 waived)\n"), ref


def test_a_folder_setting_leading_outside_through_a_symbolic_link(
        run, make_repo, tmp_path) -> None:
    """A folder that is, or lies below, a symbolic link leaving the repository is an error
    at its place in itsmctl.yaml (not 'there is no folder'), in the work tree and at a
    ref; a link to a folder inside is followed when the setting names it."""
    outside = tmp_path / "outside"
    (outside / "teams").mkdir(parents=True)
    repo = make_repo({"itsmctl.yaml": "paths:\n  catalog: [catalog, ext]\n"
                                      "  changes: [changes, ./ext/teams/]\n"})
    (repo / "ext").symlink_to(outside)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "settings")
    for ref in ((), ("--ref", "HEAD")):
        code, out, err = run("--repo", str(repo), "check", *ref)
        assert (code, out) == (2, ""), ref
        lines = err.splitlines()
        assert lines[1] == ("itsmctl.yaml:2:22: error: paths.catalog: 'ext' leaves the "
                            f"repository through a symbolic link (to '{outside}') [settings]")
        assert lines[2].startswith("itsmctl.yaml:3:22: error: paths.changes: './ext/teams/' "
                                   "leaves the repository through a symbolic link (to '")
