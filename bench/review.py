"""Benchmark `itsmctl review` against `itsmctl check` on one ref.

    python bench/review.py [--services 5000] [--rounds 5] [--instructions] [--keep DIR]

Generates the synthetic catalog (bench/generate.py: 5,000 services and everything in
proportion, ~6,900 files) with the benchmark's twenty policies, four approval rules and a
CAB, commits it in a git repository (packed, as a clone is), and makes two pull-request
branches: one changing one SLA's P1 target, one changing 500 service files. Then times,
alternating, fresh processes of (a) `itsmctl check --ref main` (one ref, read from git),
(b) `itsmctl review main...one-sla`, (c) `itsmctl review main...five-hundred`, all with
`--format json`. Reports medians, b/a (goal <= 1.5), c (goal <= 3 s) and peak memory
(goal <= 1 GiB).

A review reads and parses each file once when its bytes are the same on both sides (git
blob ids say so), checks each such document against its schema once, and evaluates on the
base only the policies' verdicts that the pull request can change (not those on the 500
services for policies that do not read their descriptions). Wall times on a shared machine vary by tens of percent: --instructions counts
instructions under callgrind instead (repeatable; slow, use a smaller --services): of
the process started and of those it forks (valgrind counts a forked process from the
start of the one that forked it: its own work is its count less that process's count at
the fork). --keep DIR makes the repository in DIR and leaves it there, to profile a
command in it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import add_policies, generate  # noqa: E402
from run import alternate, instructions_by_process  # noqa: E402

H = "apiVersion: itsmctl/v1\n"
APPROVAL_RULES = H + """kind: ApprovalRule
metadata: {name: owners-approve-services}
spec: {when: change.kind == "Service", require: [{role: owner}]}
---
""" + H + """kind: ApprovalRule
metadata: {name: team-1-approves-slas}
spec: {when: 'change.kind in ["SLA", "Calendar"]', require: [{team: team-1}]}
---
""" + H + """kind: ApprovalRule
metadata: {name: cab-approves-rules}
spec:
  when: 'change.kind in ["Policy", "ApprovalRule", "Waiver", "Settings"]'
  require: [{role: cab}]
---
""" + H + """kind: ApprovalRule
metadata: {name: cab-for-critical-changes}
spec:
  when: change.kind == "ChangeRequest" and change.tiers | min <= 2
  require: [{role: cab}]
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com",
                    "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "gc.auto=0",
                    *args],
                   cwd=repo, check=True, capture_output=True)


def repository(services: int, keep: Path | None = None) -> tuple[Path, int]:
    """The catalog in a git repository on main, with branches one-sla and five-hundred
    (in `keep`, made new, or in a temporary folder)."""
    if keep is not None:
        keep.mkdir(parents=True)
    repo = keep or Path(tempfile.mkdtemp(prefix="itsmctl-bench-review-"))
    files = generate(repo, services)
    add_policies(repo)
    (repo / "policies" / "approvals.yaml").write_text(APPROVAL_RULES)
    (repo / "itsmctl.yaml").write_text("review: {cab: team-0}\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "catalog")
    git(repo, "checkout", "-q", "-b", "one-sla")
    sla = repo / "catalog" / "slas" / "sla-1.yaml"
    sla.write_text(sla.read_text().replace("P1: {response: 15m, resolution: 4h}",
                                           "P1: {response: 15m, resolution: 3h}"))
    git(repo, "commit", "-qam", "sla-1: P1 within 3h")
    git(repo, "checkout", "-q", "-b", "five-hundred", "main")
    for path in sorted((repo / "catalog" / "services").rglob("*.yaml"))[:500]:
        text = path.read_text()
        path.write_text(text.replace("Synthetic service number", "Generated service number"))
    git(repo, "commit", "-qam", "500 service descriptions")
    git(repo, "checkout", "-q", "main")
    git(repo, "gc", "-q")
    return repo, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instructions", action="store_true",
                        help="Count instructions (valgrind) instead of timing.")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="Make the repository in DIR (new) and leave it there.")
    args = parser.parse_args()
    repo, files = repository(args.services, args.keep)
    try:
        measure(args, repo, files)
    finally:
        if args.keep is None:
            shutil.rmtree(repo, ignore_errors=True)


def measure(args: argparse.Namespace, repo: Path, files: int) -> None:
    itsmctl = [sys.executable, "-m", "itsmctl", "--repo", str(repo)]
    runs = {
        "a: check --ref main": [*itsmctl, "check", "--ref", "main", "--format", "json"],
        "b: review (one SLA)": [*itsmctl, "review", "main...one-sla", "--format", "json"],
        "c: review (500 files)": [*itsmctl, "review", "main...five-hundred", "--format", "json"],
    }
    if args.instructions:
        counts, forked = {}, {}
        for name, cmd in runs.items():
            pid, by_process = instructions_by_process(cmd, HERE.parent)
            counts[name] = by_process.pop(pid)
            forked[name] = sorted(by_process.values(), reverse=True)
        print(f"catalog: {args.services} services, {files} files; instructions (callgrind)")
        for name, count in counts.items():
            others = " + ".join(f"{n / 1e9:.3f}" for n in forked[name])
            print(f"{name:24} {count / 1e9:8.3f} G instructions"
                  + (f" (forked: {others} G, counted from the start)" if others else ""))
        a = counts["a: check --ref main"]
        print(f"b/a = {counts['b: review (one SLA)'] / a:.2f} (goal <= 1.5); "
              f"c/a = {counts['c: review (500 files)'] / a:.2f}")
        return
    times, peaks = alternate(runs, args.rounds, HERE.parent)
    print(f"catalog: {args.services} services, {files} files + 20 policies and 4 approval "
          f"rules; {args.rounds} rounds, python {sys.version.split()[0]}")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:24} median {median:7.3f} s   peak RSS {peaks[name]:7.1f} MiB   "
              f"runs {' '.join(f'{t:.2f}' for t in times[name])}")
    a, b, c = medians.values()
    print(f"b/a = {b / a:.2f} (goal <= 1.5); c = {c:.2f} s (goal <= 3 s); peak memory "
          f"{max(peaks.values()):.0f} MiB (goal <= 1024 MiB)")


if __name__ == "__main__":
    main()
