"""Benchmark `itsmctl check` against bare YAML parsing and check-jsonschema.

    python bench/run.py [--services 5000] [--rounds 5] [--skip-jsonschema] [--baseline DIR]

Generates the synthetic catalog (bench/generate.py) once, then runs, alternating in
each round: (a) parsing every file with PyYAML's CSafeLoader and nothing else,
(b) `itsmctl check`, (c) check-jsonschema on the same files against the exported
schema, (d) `itsmctl check` on the same catalog plus twenty policies (the example pack
and five more; the catalog is generated compliant but for ~1 % of services, as a catalog
kept green by CI would be). Each is a fresh process; reports medians and each one's peak
memory (RSS). With --baseline DIR (another checkout of itsmctl, e.g. `git worktree add DIR
main`), (b) and (d) also run with that checkout's code, in the same alternation, to
compare a change against it.

Wall times on a shared 2-core machine vary by tens of percent from run to run. With
--instructions, each command instead runs once under valgrind's callgrind, which counts
the instructions it executes: the same count for the same work, whatever else the machine
is doing (slow: use a smaller --services).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import add_policies, generate  # noqa: E402

PARSE_ONLY = """
import os, sys, yaml
n = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith(('.yaml', '.yml')):
            with open(os.path.join(folder, name), 'rb') as f:
                n += len(list(yaml.load_all(f.read().decode(), Loader=yaml.CSafeLoader)))
print(n)
"""


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB, exit code of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: findings (the policies find some)
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{cmd[:3]} exited {proc.returncode}: {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def _split_env(cmd: list[str]) -> tuple[list[str], dict[str, str]]:
    """`env A=B cmd...` as (cmd, environment), so valgrind measures the command itself."""
    env = dict(os.environ)
    if cmd and cmd[0] == "env":
        cmd = cmd[1:]
        while cmd and "=" in cmd[0]:
            key, _, value = cmd[0].partition("=")
            env[key] = value
            cmd = cmd[1:]
    return cmd, env


def instructions_by_process(cmd: list[str], cwd: Path) -> tuple[int, dict[int, int]]:
    """Instructions each process executes (valgrind --tool=callgrind): the id of the one
    started, and the count of each process by id (it and those it forks)."""
    cmd, env = _split_env(cmd)
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.Popen(["valgrind", "--tool=callgrind",
                                 f"--callgrind-out-file={out}/cg.%p", *cmd], cwd=cwd,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=env)
        _, err = proc.communicate()
    counts = {}
    for line in err.splitlines():
        if "I   refs:" in line or "I refs:" in line:  # ==pid== I   refs:      1,234
            pid = int(line.split("==")[1])
            counts[pid] = int(line.rsplit(":", 1)[1].replace(",", "").strip())
    if proc.pid not in counts:
        raise SystemExit(f"valgrind gave no instruction count: {err[-2000:]}")
    return proc.pid, counts


def instructions(cmd: list[str], cwd: Path) -> int:
    """Instructions the child process started executes (not those of processes it forks)."""
    pid, counts = instructions_by_process(cmd, cwd)
    return counts[pid]


def alternate(runs: dict[str, list[str]], rounds: int, cwd: Path
              ) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Each command once per round, in turn (so drift hits all alike): the wall times
    and the peak RSS of each."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    peaks: dict[str, float] = dict.fromkeys(runs, 0.0)
    for _ in range(rounds):
        for name, cmd in runs.items():
            seconds, rss, _ = timed(cmd, cwd)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], rss)
    return times, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-jsonschema", action="store_true")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="Another itsmctl checkout to time (b) and (d) with as well.")
    parser.add_argument("--instructions", action="store_true",
                        help="Count instructions (valgrind) instead of timing.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="itsmctl-bench-"))
    files = generate(work, args.services)
    (work / ".git").mkdir()  # mark the repository root
    policed = Path(tempfile.mkdtemp(prefix="itsmctl-bench-policies-"))
    generate(policed, args.services)
    n_policies = add_policies(policed)
    (policed / ".git").mkdir()
    files_list = sorted(str(p.relative_to(work)) for p in (work / "catalog").rglob("*.yaml"))
    schema = HERE.parent / "schemas" / "itsmctl.schema.json"
    runs = {
        "a: parse only (CSafeLoader)": [sys.executable, "-c", PARSE_ONLY, "catalog"],
        "b: itsmctl check": [sys.executable, "-m", "itsmctl", "check", "--format", "json"],
        "d: itsmctl check + policies": [sys.executable, "-m", "itsmctl", "--repo", str(policed),
                                        "check", "--format", "json"],
    }
    if args.baseline is not None:
        env = ["env", f"PYTHONPATH={args.baseline.resolve()}"]
        runs["b0: baseline check"] = [*env, *runs["b: itsmctl check"]]
        runs["d0: baseline check + policies"] = [*env, *runs["d: itsmctl check + policies"]]
    if not args.skip_jsonschema:
        runs["c: check-jsonschema"] = [sys.executable, "-m", "check_jsonschema",
                                       "--schemafile", str(schema), *files_list]
    if args.instructions:
        runs.pop("c: check-jsonschema", None)
        counts = {name: instructions(cmd, work) for name, cmd in runs.items()}
        print(f"catalog: {args.services} services, {files} files; instructions (callgrind)")
        for name, count in counts.items():
            print(f"{name:32} {count / 1e9:8.3f} G instructions")
        b, d = counts["b: itsmctl check"], counts["d: itsmctl check + policies"]
        print(f"ratio b/a = {b / counts['a: parse only (CSafeLoader)']:.2f}; "
              f"policies add {100 * (d / b - 1):.0f} %")
        if args.baseline is not None:
            print(f"against the baseline: b/b0 = {b / counts['b0: baseline check']:.3f}, "
                  f"d/d0 = {d / counts['d0: baseline check + policies']:.3f}")
        return
    times, peaks = alternate(runs, args.rounds, work)
    print(f"catalog: {args.services} services, {files} files; {args.rounds} rounds, "
          f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:32} median {median:7.3f} s   peak RSS {peaks[name]:7.1f} MiB   "
              f"runs {' '.join(f'{t:.2f}' for t in times[name])}")
    a, b = medians["a: parse only (CSafeLoader)"], medians["b: itsmctl check"]
    print(f"ratio b/a = {b / a:.2f} (goal <= 2.0)")
    d = medians["d: itsmctl check + policies"]
    print(f"{n_policies} policies: d/b = {d / b:.2f}, policies add {100 * (d / b - 1):.0f} % "
          "(goal <= 50 %)")
    if args.baseline is not None:
        b0, d0 = medians["b0: baseline check"], medians["d0: baseline check + policies"]
        print(f"against the baseline: b/b0 = {b / b0:.3f}, d/d0 = {d / d0:.3f}")
    if "c: check-jsonschema" in medians:
        print(f"ratio c/b = {medians['c: check-jsonschema'] / b:.2f} (goal > 1.0)")


if __name__ == "__main__":
    main()
