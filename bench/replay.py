"""Benchmark `itsmctl sla replay`: synthetic tickets on business-hours calendars, and the
real ServiceNow sample when its path is given.

    python bench/replay.py [--tickets 100000] [--rounds 3] [--servicenow PATH] [--instructions]

(a) reading the generated CSV with Python's csv module and nothing else, (b) `itsmctl sla
replay` of the same file on the example catalog (SLAs gold, silver and desk-standard: US
and German business hours with public holidays, and a split-day desk calendar). Each is
a fresh process; reports medians, tickets per second and the ratio b/a. `sla replay`
judges a large file in parts, one process per processor; (b1) is the same run in one
process (`--jobs 1`), for comparison. With
--servicenow, also (c) reads and (d) replays an export of that shape ten times its size
(its incidents renumbered ten times over: ~140,000 rows for the 14,041-row sample) in the
same alternation, reporting d/c; and replays the sample itself under each SLA of the
example catalog, printing the compliance table, the time it took, and how often the
verdicts agree with the file's own `made_sla`, per priority.

Wall time on a shared machine varies by tens of percent: --instructions runs each command
once under valgrind's callgrind instead and reports instruction counts (repeatable), each
replay in one process (`--jobs 1`: instructions are the work done, whatever the number of
processors that share it). --stages (also under callgrind; use --tickets 20000) says where
a ticket's instructions go: the fixed start (imports, reading and checking the catalog),
then per ticket, each stage on top of the one before: splitting the file into lines,
into CSV fields, making tickets (reading the times), judging them; beside the csv
module's instructions per row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from run import alternate, instructions  # noqa: E402

READ_ONLY = """
import csv, sys
n = 0
with open(sys.argv[1], newline="") as f:
    for row in csv.reader(f):
        n += 1
print(n)
"""
# one stage of a replay, in this process: `python -c STAGE FILE STAGE-NAME`
STAGE = """
import sys
from pathlib import Path
from itsmctl.sla.replay import load_views, replay
from itsmctl.sla.tickets import READERS
from itsmctl.sla.tickets.records import LineFile, ReadOptions, csv_records
from itsmctl.timecalc import timezone
views, levels, _ = load_views(Path("."), ())
file = LineFile(Path(sys.argv[1]))
prepared = READERS["generic"].prepare(file, ReadOptions(timezone("UTC"), levels))
stage = sys.argv[2]
if stage == "lines":
    for _ in file.lines(): pass
elif stage == "fields":
    for _ in csv_records(file)[1]: pass
elif stage == "tickets":
    for _ in prepared.tickets(file): pass
elif stage == "judged":
    replay(prepared.tickets(file), views, levels, 1.8e9)
"""
STAGES = ["start", "lines", "fields", "tickets", "judged"]
SLAS = ["gold", "silver", "desk-standard"]
LEVELS = ["P1", "P2", "P3", "P4"]


def generate(path: Path, count: int, seed: int = 11) -> None:
    """Tickets opened over 2026 at any hour; most responded and resolved, some late,
    some paused, a few still open."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    iso = lambda t: dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat(  # noqa: E731
        timespec="seconds")
    with path.open("w", newline="") as out:
        out.write("id,priority,opened,responded,resolved,sla,paused\n")
        for i in range(count):
            opened = start + rng.randrange(360 * 86400)
            responded = opened + rng.expovariate(1 / 3600)
            resolved = responded + rng.expovariate(1 / (2 * 86400))
            paused = ""
            if rng.random() < 0.2:
                p = responded + rng.random() * (resolved - responded)
                paused = f"{iso(p)}/{iso(p + rng.expovariate(1 / 14400))}"
            if rng.random() < 0.02:
                responded_text, resolved_text = "", ""
            else:
                responded_text, resolved_text = iso(responded), iso(resolved)
            out.write(f"T{i},{rng.choice(LEVELS)},{iso(opened)},{responded_text},"
                      f"{resolved_text},{rng.choice(SLAS)},{paused}\n")


def enlarge(sample: Path, path: Path, times: int = 10) -> int:
    """The sample export `times` over, each copy's incidents renumbered: rows written."""
    lines = sample.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    column = header.split(",").index("number")
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        for copy in range(times):
            for row in rows:
                fields = row.split(",")  # the sample has no quoted fields
                fields[column] = f"{fields[column]}-{copy}"
                out.write(",".join(fields) + "\n")
                written += 1
    return written


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall seconds and standard output of one run."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:4]} exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed, done.stdout


def servicenow(path: Path) -> None:
    print(f"\nServiceNow sample: {path}")
    for sla in ("platinum", "gold", "silver", "desk-standard"):
        seconds, out = timed([sys.executable, "-m", "itsmctl", "sla", "replay", "--from",
                              "servicenow", str(path), "--sla", sla, "--timezone", "UTC",
                              "--now", "2017-01-01T00:00:00Z", "--format", "json"])
        data = json.loads(out)
        print(f"\n--sla {sla}: {seconds:.2f} s, {len(data['skipped'])} skipped")
        print(f"{'priority':8} {'tickets':>7} {'resp met/br':>12} {'resol met/br':>12} "
              f"{'compliance':>10} {'agree made_sla':>15}")
        for r in data["results"]:
            print(f"{r['priority']:8} {r['tickets']:>7} "
                  f"{r['responseMet']:>6}/{r['responseBreached']:<5} "
                  f"{r['resolutionMet']:>6}/{r['resolutionBreached']:<5} "
                  f"{r['compliance']:>9}% {r.get('madeSlaAgreement', '-'):>14}%")


def stages(tickets: Path, count: int) -> None:
    """Instructions of each stage of a replay (callgrind), per ticket."""
    floor = instructions([sys.executable, "-c", READ_ONLY, str(tickets)], ROOT)
    empty = instructions([sys.executable, "-c", "pass"], ROOT)
    counts = {stage: instructions([sys.executable, "-c", STAGE, str(tickets), stage], ROOT)
              for stage in STAGES}
    print(f"{count} tickets; instructions (valgrind callgrind), python "
          f"{sys.version.split()[0]}")
    print(f"{'python starting':24} {empty / 1e6:10.0f} M")
    print(f"{'start':24} {counts['start'] / 1e6:10.0f} M   (imports, catalog read and checked)")
    before = counts["start"]
    for stage in STAGES[1:]:
        print(f"{'+ ' + stage:24} {(counts[stage] - before) / count:10,.0f} per ticket")
        before = counts[stage]
    print(f"{'all stages':24} {(before - counts['start']) / count:10,.0f} per ticket")
    print(f"{'csv module':24} {(floor - empty) / count:10,.0f} per row")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--servicenow", type=Path, default=None)
    parser.add_argument("--instructions", action="store_true",
                        help="Count instructions (valgrind) instead of timing.")
    parser.add_argument("--stages", action="store_true",
                        help="Count each stage's instructions per ticket (valgrind).")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="itsmctl-replay-"))
    tickets = work / "tickets.csv"
    generate(tickets, args.tickets)
    if args.stages:
        stages(tickets, args.tickets)
        return
    runs = {
        "a: csv module only": [sys.executable, "-c", READ_ONLY, str(tickets)],
        "b: itsmctl sla replay": [sys.executable, "-m", "itsmctl", "sla", "replay",
                                  str(tickets), "--now", "2027-01-01T00:00:00Z"],
        "b1: the same, --jobs 1": [sys.executable, "-m", "itsmctl", "sla", "replay",
                                   str(tickets), "--now", "2027-01-01T00:00:00Z", "--jobs", "1"],
    }
    if args.servicenow:
        large = work / "servicenow-x10.csv"
        rows = enlarge(args.servicenow, large)
        print(f"ServiceNow shape: {rows} rows ({large.stat().st_size / 1e6:.1f} MB)")
        runs["c: csv module only (ServiceNow x10)"] = [sys.executable, "-c", READ_ONLY,
                                                       str(large)]
        runs["d: itsmctl sla replay --from servicenow"] = [
            sys.executable, "-m", "itsmctl", "sla", "replay", "--from", "servicenow",
            str(large), "--sla", "gold", "--timezone", "UTC", "--now", "2017-01-01T00:00:00Z"]
    if args.instructions:  # of one process: each replay judges with --jobs 1
        runs.pop("b: itsmctl sla replay")
        if args.servicenow:
            runs["d: itsmctl sla replay --from servicenow"].extend(["--jobs", "1"])
        counts = {name: instructions(cmd, ROOT) for name, cmd in runs.items()}
        for name, count in counts.items():
            print(f"{name:42} {count / 1e9:8.3f} G instructions")
        print(f"ratio b1/a = {counts['b1: the same, --jobs 1'] / counts['a: csv module only']:.2f}")
        if args.servicenow:
            print(f"ratio d/c = {counts['d: itsmctl sla replay --from servicenow'] / counts['c: csv module only (ServiceNow x10)']:.2f} (d with --jobs 1)")
        return
    times, peaks = alternate(runs, args.rounds, ROOT)
    print(f"{args.tickets} tickets ({tickets.stat().st_size / 1e6:.1f} MB); {args.rounds} "
          f"rounds, python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:24} median {median:6.2f} s   {args.tickets / median:10,.0f} tickets/s"
              f"   peak RSS {peaks[name]:6.1f} MiB   runs {' '.join(f'{t:.2f}' for t in times[name])}")
    a, b = medians["a: csv module only"], medians["b: itsmctl sla replay"]
    print(f"ratio b/a = {b / a:.1f} (goal <= 5); replay {args.tickets / b:,.0f} tickets/s; "
          f"in one process (b1/a) {medians['b1: the same, --jobs 1'] / a:.1f}")
    if args.servicenow:
        c = medians["c: csv module only (ServiceNow x10)"]
        d = medians["d: itsmctl sla replay --from servicenow"]
        print(f"ServiceNow x10: ratio d/c = {d / c:.1f} (goal <= 3), peak RSS "
              f"{peaks['d: itsmctl sla replay --from servicenow']:.0f} MiB (goal < 200)")
    print(timed(runs["b: itsmctl sla replay"])[1])
    if args.servicenow:
        servicenow(args.servicenow)


if __name__ == "__main__":
    main()
