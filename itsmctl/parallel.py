"""Work shared among processes: the one place itsmctl forks.

`in_parts(work, parts)` runs `work` on each part, the first in this process and each other
one in a forked child, and returns the results in the order of the parts, so the output is
the same as a run in one process. A child shares everything this process had built before
(the catalog, its clocks) without copying it; only its result comes back, pickled. Where
processes cannot be forked, or there is one part, everything runs here.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from itsmctl.errors import FatalError

if TYPE_CHECKING:  # multiprocessing is imported when work is shared (10 ms otherwise lost)
    from multiprocessing.connection import Connection

_ENDING = 10.0  # seconds a child that gave its result has to end, before it is killed
T = TypeVar("T")
R = TypeVar("R")


def usable_cpus() -> int:
    """The processors this process may run on (a container's or `taskset`'s limit)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """On Linux (elsewhere, forking a process that has loaded system frameworks is not
    safe, and Windows has no fork): the work then runs in one process."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def in_parts(work: Callable[[T], R], parts: Sequence[T]) -> list[R]:
    """`[work(part) for part in parts]`, the parts after the first in forked children. A
    FatalError in a child is raised here as it was; a child that vanished (killed, out of
    memory) or was interrupted as a FatalError; any other failure as a RuntimeError naming
    it (a bug). Parts whose child cannot be forked (a process limit) run here. Children
    left running when this process fails are stopped; those that gave their result are
    waited for."""
    if len(parts) <= 1 or not can_fork():
        return [work(part) for part in parts]
    import multiprocessing

    context = multiprocessing.get_context("fork")
    sys.stdout.flush()  # or a child would write what is still buffered once more
    sys.stderr.flush()
    children: list[tuple[Any, Connection]] = []
    try:
        for part in parts[1:]:
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_child, daemon=True,
                                    args=(work, part, send, [r for _c, r in children] + [receive]))
            try:
                child.start()
            except OSError:  # no more processes may be made: the rest runs here
                receive.close()
                send.close()
                break
            send.close()
            children.append((child, receive))
        results = [work(parts[0])]
        results += [_result(child, receive) for child, receive in children]
        for child, _receive in children:  # each has sent all: it ends by itself, now (not
            child.join(_ENDING)  # killed on its way out, which cuts short valgrind's report)
        results += [work(part) for part in parts[1 + len(children):]]
        return results
    finally:
        for child, receive in children:
            if child.is_alive():
                child.kill()
            child.join()
            receive.close()


def _child(work: Callable[[Any], Any], part: Any, send: Connection,
           theirs: list[Connection]) -> None:
    for receive in theirs:  # so that when the parent is gone, nothing reads: sending fails
        receive.close()
    try:
        try:
            outcome: tuple[str, Any] = ("done", work(part))
        except FatalError as error:
            outcome = ("fatal", (error.message, error.hint))
        except KeyboardInterrupt:
            outcome = ("fatal", ("a worker process was interrupted", None))
        except MemoryError:
            outcome = ("fatal", ("a worker process ran out of memory",
                                 "run with fewer processes (--jobs)"))
        except Exception as error:  # told to the parent, which raises it
            outcome = ("failed", f"{type(error).__name__}: {error}")
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            data = pickle.dumps(("failed", f"its result cannot be sent: "
                                           f"{type(error).__name__}: {error}"))
        send.send_bytes(data)
    except (OSError, KeyboardInterrupt):
        pass  # the parent is gone, or interrupted too: it has nothing to be told
    finally:
        send.close()


def _result(child: Any, receive: Connection) -> Any:
    try:
        kind, value = pickle.loads(receive.recv_bytes())  # our own child's bytes
    except (EOFError, OSError):  # nothing, or part of a message: the child vanished
        child.join()
        code = child.exitcode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else \
            f"ended with exit code {code}"
        raise FatalError(f"a worker process {how} before it gave its result",
                         "if memory ran out, run with fewer processes (--jobs)") from None
    if kind == "fatal":
        raise FatalError(*value)
    if kind == "failed":
        raise RuntimeError(f"in a worker process: {value}")
    return value
