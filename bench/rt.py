"""Benchmark `itsmctl apply --target rt` on an empty Request Tracker and a no-change
`itsmctl plan --target rt` right after it, on the example catalog.

    python bench/rt.py [--rounds 3] [--plans 3]

Each round starts a fresh, empty RT 5 (scripts/rt/instance.py: SQLite, one worker,
127.0.0.1) and times, as fresh processes: (a) `itsmctl apply --target rt --yes` of the
example catalog, then (b) `--plans` no-change `itsmctl plan --target rt --exit-code`
(each must exit 0). Reports the medians against the budgets (apply <= 30 s, plan <= 5 s),
each run's HTTP request count, and the load average, since wall times on a shared 2-core
machine vary with what else runs. Needs RT 5 (bash scripts/rt/install.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.rt.instance import Instance, missing  # noqa: E402

APPLY_BUDGET, PLAN_BUDGET = 30.0, 5.0


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "itsmctl", "--repo", str(ROOT), *args],
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"itsmctl {' '.join(args)} exited {done.returncode}:\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed, done.stdout


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
    for round_number in range(1, args.rounds + 1):
        with Instance() as rt:
            env = {**os.environ, "RT_URL": rt.url, "RT_USER": rt.user,
                   "RT_PASSWORD": rt.password, "PYTHONDONTWRITEBYTECODE": "1"}
            env.pop("RT_TOKEN", None)
            load = os.getloadavg()[0]
            seconds, _ = timed(["apply", "--target", "rt", "--yes"], env)
            applies.append(seconds)
            line = f"round {round_number}: load {load:.1f}  apply {seconds:.1f} s  plans"
            for _ in range(args.plans):
                seconds, out = timed(["plan", "--target", "rt", "--exit-code", "--format",
                                      "json"], env)
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
    print(f"ratio plan/apply: {plan_median / apply_median:.2f}")
    return 0 if apply_median <= APPLY_BUDGET and plan_median <= PLAN_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
