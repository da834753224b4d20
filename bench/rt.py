"""Benchmark `itsmctl apply --target rt` on an empty Request Tracker and a no-change
`itsmctl plan --target rt` right after it, on the example catalog.

    python bench/rt.py [--rounds 3] [--plans 3]

Each round starts a fresh, empty RT 5 (scripts/rt/instance.py: SQLite, one worker,
127.0.0.1) and times, as fresh processes: (a) `itsmctl apply --target rt --yes` of the
example catalog, then (b) `--plans` no-change `itsmctl plan --target rt --exit-code`
(each must exit 0). Reports the medians against the budgets (apply <= 30 s, plan <= 5 s),
the requests a plan makes, and the load average, since wall times on a shared 2-core
machine vary with what else runs; and, for each, the CPU time RT's server and itsmctl
spent, which varies much less: RT serves one request at a time, so on an idle machine the
wall time is about their sum (plus apply's deliberate one-second waits between lifecycle
saves). RT's compiled pages are shared between rounds, as a running RT has them. Needs
RT 5 (bash scripts/rt/install.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.rt.instance import Instance, missing, shared_mason_cache  # noqa: E402

APPLY_BUDGET, PLAN_BUDGET = 30.0, 5.0


def server_cpu(rt: Instance) -> float:
    """CPU seconds RT's server processes (its process group) have used so far."""
    assert rt.process is not None
    group, total, tick = rt.process.pid, 0.0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
    return total


def timed(args: list[str], env: dict[str, str], rt: Instance) -> tuple[float, float, float, str]:
    """Wall seconds, itsmctl's CPU seconds, RT's CPU seconds, standard output."""
    before = server_cpu(rt)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "itsmctl", "--repo", str(ROOT), *args],
                                env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode()
        if proc.returncode != 0:
            raise SystemExit(f"itsmctl {' '.join(args)} exited {proc.returncode}:\n"
                             f"{text[-2000:]}{err.read().decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, server_cpu(rt) - before, text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--plans", type=int, default=3, help="no-change plans per round")
    args = parser.parse_args()
    if missing():
        print(missing(), file=sys.stderr)
        return 2
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "itsmctl")],
                   check=True)
    applies: list[float] = []
    plans: list[float] = []
    requests: list[int] = []
    cpu: dict[str, list[tuple[float, float]]] = {"apply": [], "plan": []}
    for round_number in range(1, args.rounds + 1):
        with Instance(mason_cache=shared_mason_cache()) as rt:
            env = {**os.environ, "RT_URL": rt.url, "RT_USER": rt.user,
                   "RT_PASSWORD": rt.password, "PYTHONDONTWRITEBYTECODE": "1"}
            env.pop("RT_TOKEN", None)
            load = os.getloadavg()[0]
            seconds, mine, theirs, _ = timed(["apply", "--target", "rt", "--yes"], env, rt)
            applies.append(seconds)
            cpu["apply"].append((mine, theirs))
            line = (f"round {round_number}: load {load:.1f}  apply {seconds:.1f} s "
                    f"(cpu itsmctl {mine:.1f} s, RT {theirs:.1f} s)  plans")
            for _ in range(args.plans):
                seconds, mine, theirs, out = timed(
                    ["plan", "--target", "rt", "--exit-code", "--format", "json"], env, rt)
                cpu["plan"].append((mine, theirs))
                data = json.loads(out)
                assert not data["changes"], "a plan after apply found changes"
                plans.append(seconds)
                requests.append(int(data["requests"]))
                line += f" {seconds:.2f}"
            print(line + " s", flush=True)
    apply_median, plan_median = statistics.median(applies), statistics.median(plans)
    print(f"apply to an empty RT: median {apply_median:.1f} s of {len(applies)} "
          f"(budget {APPLY_BUDGET:.0f} s: {'ok' if apply_median <= APPLY_BUDGET else 'OVER'})")
    print(f"no-change plan:       median {plan_median:.2f} s of {len(plans)}, "
          f"{statistics.median(requests):.0f} requests "
          f"(budget {PLAN_BUDGET:.0f} s: {'ok' if plan_median <= PLAN_BUDGET else 'OVER'})")
    for name, pairs in cpu.items():
        print(f"{name} cpu: itsmctl median {statistics.median(p[0] for p in pairs):.2f} s, "
              f"RT server median {statistics.median(p[1] for p in pairs):.2f} s")
    print(f"ratio plan/apply: {plan_median / apply_median:.2f}")
    return 0 if apply_median <= APPLY_BUDGET and plan_median <= PLAN_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
