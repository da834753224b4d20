"""`itsmctl plan --target rt` and `itsmctl apply --target rt`: the catalog compiled, the
live RT read, the plan made, and (for apply) confirmed and applied (docs/rt.md)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from itsmctl.errors import EXIT_OK, FatalError
from itsmctl.output import write_file
from itsmctl.pipeline import check_catalog
from itsmctl.targets.rt.apply import Applied, apply_plan
from itsmctl.targets.rt.client import Client, Credentials, rt_url
from itsmctl.targets.rt.compile import compile_catalog
from itsmctl.targets.rt.desired import Desired
from itsmctl.targets.rt.plan import ADOPT, Change, Plan, make_plan
from itsmctl.targets.rt.state import Live, read_live


@dataclass(frozen=True)
class Request:
    """What plan and apply are asked to do (from the command line)."""

    root: Path
    ref: str | None = None
    url: str | None = None
    prune: bool = False
    adopt: bool = False
    now: dt.datetime | None = None


@dataclass
class Planned:
    plan: Plan
    requests: int  # HTTP requests made to RT
    seconds: float
    saved: Path | None = None


def desired_state(request: Request) -> Desired:
    checked = check_catalog(request.root, ref=request.ref, now=request.now)
    if checked.result.exit_code != EXIT_OK:
        raise FatalError("the catalog has errors; nothing is planned or applied",
                         "run itsmctl check")
    now = request.now or dt.datetime.now(dt.timezone.utc)
    return compile_catalog(checked.catalog, now)[0]


def connect(request: Request) -> Client:
    return Client(rt_url(request.url), Credentials.from_env())


def read(request: Request, client: Client) -> tuple[Desired, Live]:
    """The catalog compiled (in a thread) while RT is read."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(desired_state, request)
        live = read_live(client, future.result)
        return future.result(), live


def plan(request: Request, out: Path | None = None) -> Planned:
    client = connect(request)
    started = time.monotonic()
    desired, live = read(request, client)
    made = make_plan(desired, live, client, request.prune, request.adopt)
    if out is not None:
        write_file(out, made.to_json().encode())
    return Planned(made, client.requests, time.monotonic() - started, out)


def apply(request: Request, confirm: Callable[[Plan], bool],
          progress: Callable[[Change], None], plan_file: Path | None = None) -> Applied:
    """Plan (or load a saved plan), ask `confirm`, apply; a saved plan is applied only to
    the RT and the catalog it was made for."""
    client = connect(request)
    if plan_file is not None:
        desired = desired_state(request)
        try:
            text = plan_file.read_text(encoding="utf-8")
        except OSError as error:
            raise FatalError(f"cannot read the plan {plan_file}: {error.strerror}") from None
        made = Plan.from_json(text, str(plan_file))
        client.connect()
        if made.url != client.url:
            raise FatalError(f"the plan {plan_file} was made for {made.url}, not {client.url}")
        if made.digest != desired.digest():
            raise FatalError(f"the plan {plan_file} was made from a different catalog",
                             "plan again")
        read_at = 0.0
    else:
        desired, live = read(request, client)
        made = make_plan(desired, live, client, request.prune, request.adopt)
        read_at = live.lifecycles_read_at
    if made.empty:
        return Applied(made)
    adoptions = [c for c in made.changes if c.action == ADOPT]
    if adoptions and not (request.adopt or made.adopt):
        raise FatalError(f"{len(adoptions)} object(s) in RT have the names of catalog "
                         "objects but are not managed by itsmctl; nothing was changed",
                         "rename them in RT, or rerun with --adopt to let itsmctl manage them")
    if not confirm(made):
        return Applied(made, confirmed=False)
    return apply_plan(client, made, progress, read_at)
