"""Writing results: a report as a shell redirection would, build folders atomically and
readable, and every refusal of the system one line naming the path (exit 2)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from tests.helpers import NOW


def test_a_report_is_written_through_a_symlink_with_umask_permissions(
        run, make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    target = tmp_path / "real.sarif"
    link = tmp_path / "report.sarif"
    link.symlink_to(target)
    old = os.umask(0o022)
    try:
        code, out, err = run("--repo", str(repo), "check", "--now", NOW, "--format", "sarif",
                             "-o", str(link))
    finally:
        os.umask(old)
    assert (code, out, err) == (0, "", "")
    assert link.is_symlink() and target.read_text().startswith("{")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_report_goes_to_a_fifo_and_dash_is_standard_output(
        run, make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert run("--repo", str(repo), "check", "--now", NOW, "-o", str(fifo))[0] == 0
    reader.join(10)
    assert received and received[0].startswith(b"No problems")
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW, "-o", "-")
    assert code == 0 and out.startswith("No problems")


@pytest.mark.skipif(not os.access("/dev/full", os.W_OK), reason="no /dev/full here")
def test_a_device_is_written_to_not_replaced(run, make_repo) -> None:
    code, _, err = run("--repo", str(make_repo()), "check", "-o", "/dev/full")
    assert code == 2
    assert err == "itsmctl: error: cannot write /dev/full: No space left on device\n"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_build_output_is_readable_by_others(run, make_repo, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert run("--repo", str(make_repo()), "build", "--out", str(tmp_path / "b"),
                   "--now", NOW)[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "b" / "bundle").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "b" / "bundle" / "catalog.json").stat().st_mode) == 0o644


@pytest.mark.parametrize("args", [["build", "--out", "/proc/nope"], ["init", "/proc/x"]])
def test_paths_the_system_refuses_are_one_line_and_exit_2(args: list[str], run,
                                                          make_repo) -> None:
    code, _, err = run("--repo", str(make_repo()), *args, "--now", NOW) if args[0] == "build" \
        else run(*args)
    assert code == 2
    assert err.startswith("itsmctl: error: cannot write /proc/") and err.count("\n") == 1
    assert "internal error" not in err


def test_init_in_a_folder_holding_only_git(run, tmp_path: Path) -> None:
    (tmp_path / "new" / ".git").mkdir(parents=True)
    code, out, _ = run("init", str(tmp_path / "new"))
    assert code == 0 and "git init" not in out
    (tmp_path / "new2").mkdir()
    (tmp_path / "new2" / "notes.txt").write_text("x")
    assert run("init", str(tmp_path / "new2"))[0] == 2
