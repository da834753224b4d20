"""itsmctl.parallel: results in the order of the parts, failures told as they were."""

from __future__ import annotations

import multiprocessing.util
import os
import time

import pytest

from itsmctl.errors import FatalError
from itsmctl.parallel import can_fork, in_parts

pytestmark = pytest.mark.skipif(not can_fork(), reason="processes cannot be forked here")


def test_results_come_in_the_order_of_the_parts_each_from_its_own_process() -> None:
    results = in_parts(lambda n: (n * n, os.getpid()), [1, 2, 3, 4])
    assert [square for square, _pid in results] == [1, 4, 9, 16]
    assert results[0][1] == os.getpid()  # the first part runs here
    assert len({pid for _square, pid in results}) == 4


def test_a_fatal_error_in_a_child_is_raised_as_it_was() -> None:
    def work(n: int) -> int:
        if n == 2:
            raise FatalError("part 2 cannot be read", "give another file")
        return n

    with pytest.raises(FatalError) as raised:
        in_parts(work, [1, 2, 3])
    assert (raised.value.message, raised.value.hint) == ("part 2 cannot be read",
                                                         "give another file")


def test_a_failing_child_is_a_runtime_error_a_vanishing_one_fatal() -> None:
    def failing(n: int) -> int:
        return 1 // (n - 2)

    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        in_parts(failing, [1, 2])

    def vanishing(n: int) -> int:
        if n == 2:
            os._exit(3)
        return n

    with pytest.raises(FatalError, match="ended with exit code 3 before it gave its result"):
        in_parts(vanishing, [1, 2])

    def killed(n: int) -> int:
        if n == 2:
            os.kill(os.getpid(), 9)
        return n

    with pytest.raises(FatalError, match="was killed by signal 9"):
        in_parts(killed, [1, 2])


def test_one_part_or_none_runs_here() -> None:
    assert in_parts(lambda n: os.getpid(), [7]) == [os.getpid()]
    assert in_parts(lambda n: n, []) == []


def test_when_this_process_fails_the_children_are_stopped() -> None:
    import multiprocessing
    import time

    def work(n: int) -> int:
        if n == 1:
            raise FatalError("the first part fails")
        time.sleep(60)
        return n

    started = time.monotonic()
    with pytest.raises(FatalError):
        in_parts(work, [1, 2, 3])
    assert time.monotonic() - started < 30
    assert multiprocessing.active_children() == []


def test_parts_whose_process_cannot_be_forked_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing.process

    started = []
    real_start = multiprocessing.process.BaseProcess.start

    def start(self: multiprocessing.process.BaseProcess) -> None:
        if started:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        started.append(self)
        real_start(self)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    results = in_parts(lambda n: (n, os.getpid()), [1, 2, 3, 4])
    assert [n for n, _pid in results] == [1, 2, 3, 4]
    here = os.getpid()
    assert [pid == here for _n, pid in results] == [True, False, True, True]


def test_an_interrupted_worker_is_a_clear_error() -> None:
    def work(n: int) -> int:
        if n == 2:
            raise KeyboardInterrupt
        return n

    with pytest.raises(FatalError, match="a worker process was interrupted"):
        in_parts(work, [1, 2])


def test_a_child_that_gave_its_result_ends_by_itself(tmp_path) -> None:
    """Not killed on its way out (which would cut short, say, valgrind's report)."""
    def work(n: int) -> int:
        if n == 2:  # what a child does as it exits, after its result is sent
            finalize = multiprocessing.util.Finalize  # type: ignore[attr-defined]
            finalize(None, lambda: (time.sleep(0.3), (tmp_path / "ended").write_text("yes")),
                     exitpriority=0)
        return n

    assert in_parts(work, [1, 2]) == [1, 2]
    assert (tmp_path / "ended").read_text() == "yes"
