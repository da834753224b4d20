"""Benchmark `itsmctl changes gate` on the example catalog: is it fast enough to sit in
every deployment job? Goal: at most 0.5 s, start-up included.

    python bench/gate.py [--rounds 15] [--instructions]

Runs, alternating in each round (so drift on a shared machine hits all alike), fresh
processes of: (a) `python -c pass` (the interpreter alone), (b) `itsmctl --version`
(start-up: the interpreter and itsmctl's imports), (c) the gate inside a window
(allowed), (d) the gate in the year-end freeze (refused: it also looks for the next
opening), (e) the gate on a change request (`--change`). Reports medians (and the
spread), and the gate's share above start-up. Wall times on a shared 2-core machine vary
by tens of percent from run to run: compare medians of many rounds. With --instructions,
each command runs once under valgrind's callgrind instead, which counts the instructions
it executes: the same count for the same work, however busy the machine is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import alternate, instructions  # noqa: E402

ROOT = HERE.parent
GATE = [sys.executable, "-m", "itsmctl", "--repo", str(ROOT), "changes", "gate"]
RUNS = {
    "a: python -c pass": [sys.executable, "-c", "pass"],
    "b: itsmctl --version": [sys.executable, "-m", "itsmctl", "--version"],
    "c: gate, allowed": [*GATE, "firewall", "--at", "2026-12-06T02:30:00+01:00"],
    "d: gate, frozen": [*GATE, "firewall", "--at", "2026-12-24T10:00:00+01:00"],
    "e: gate --change": [*GATE, "firewall", "--change", "chg-2026-0142", "--at",
                         "2026-12-06T02:15:00+01:00"],
}
GOAL = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--instructions", action="store_true",
                        help="Count instructions (valgrind) instead of timing.")
    args = parser.parse_args()
    if args.instructions:
        counts = {name: instructions(cmd, ROOT) for name, cmd in RUNS.items()}
        for name, count in counts.items():
            print(f"{name:24} {count / 1e9:7.3f} G instructions")
        startup = counts["b: itsmctl --version"]
        worst = max(counts[n] for n in counts if "gate" in n)
        print(f"the slowest gate executes {worst / startup:.2f} x the instructions of start-up")
        return
    times, peaks = alternate(RUNS, args.rounds, ROOT)
    print(f"example catalog; {args.rounds} rounds, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f} at the end")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        values = sorted(times[name])
        print(f"{name:24} median {median:6.3f} s   min {values[0]:6.3f}   max {values[-1]:6.3f}"
              f"   peak RSS {peaks[name]:6.1f} MiB")
    startup = medians["b: itsmctl --version"]
    worst = max(medians[n] for n in medians if "gate" in n)
    print(f"start-up {startup:.3f} s; the gate adds {worst - startup:.3f} s at most; "
          f"slowest gate median {worst:.3f} s (goal <= {GOAL} s: "
          f"{'met' if worst <= GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
