"""Benchmark `itsmctl report audit` on a long history.

    python bench/audit.py [--services 5000] [--commits 1000] [--rounds 3]

Generates the synthetic catalog (bench/generate.py), then writes a history of --commits
commits on `main` with `git fast-import` (fast and repeatable): the catalog's first
commit, then commits each changing one to three service or SLA files (a description, a
tier, a P1 target); every third is a pull request merged with a merge commit, every third
a squash merge `(#N)` with an `Approved-by:` trailer, the rest direct commits. Then times
fresh processes of `itsmctl report audit --format json` (goal: <= 30 s for 1,000 commits)
and, for scale, `itsmctl check`: medians and peak memory.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from run import alternate  # noqa: E402

START = 1_767_225_600  # 2026-01-01T00:00:00Z
PEOPLE = [(f"Person {i}", f"p{i}@example.com") for i in range(12)]


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def _edit(text: str, rng: random.Random, step: int) -> str:
    """One field of a service or SLA file changed."""
    if "kind: SLA" in text:
        start = text.index("P1: {response: ")
        end = text.index("}", start)
        return text[:start] + f"P1: {{response: {rng.randrange(5, 60)}m, resolution: " \
            f"{rng.randrange(1, 12)}h" + text[end:]
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("  description: "):
            lines[i] = f"  description: Synthetic service, revision {step}."
        elif line.startswith("  tier: ") and rng.random() < 0.3:
            lines[i] = f"  tier: {rng.randrange(1, 4)}"
    return "\n".join(lines)


def history_stream(root: Path, commits: int, seed: int = 11) -> bytes:
    """A `git fast-import` stream: the catalog, then `commits - 1` changes."""
    rng = random.Random(seed)
    files = {p.relative_to(root).as_posix(): p.read_text()
             for p in sorted(root.rglob("*.yaml"))}
    editable = sorted(p for p in files if "/services/" in p or "/slas/" in p)
    out = bytearray()
    when = START

    def commit(ref: str, mark: int, who: tuple[str, str], message: str, changed: dict[str, str],
               parent: int | None, merge: int | None = None) -> None:
        nonlocal when
        when += 3600
        out.extend(f"commit {ref}\nmark :{mark}\n".encode())
        stamp = f"{who[0]} <{who[1]}> {when} +0100\n"
        out.extend(f"author {stamp}committer {stamp}".encode())
        out.extend(_data(message))
        if parent is not None:
            out.extend(f"from :{parent}\n".encode())
        if merge is not None:
            out.extend(f"merge :{merge}\n".encode())
        for path, text in changed.items():
            out.extend(f"M 100644 inline {path}\n".encode() + _data(text))
        out.extend(b"\n")

    commit("refs/heads/main", 1, PEOPLE[0], "Initial catalog", files, None)
    main, mark = 1, 1
    for step in range(1, commits):
        who = PEOPLE[step % len(PEOPLE)]
        changed = {}
        for path in rng.sample(editable, rng.randrange(1, 4)):
            files[path] = _edit(files[path], rng, step)
            changed[path] = files[path]
        if step % 3 == 0 and step + 1 < commits:  # a pull request, merged: two commits
            mark += 1
            commit(f"refs/heads/pr-{step}", mark, who, f"Change {step}", changed, main)
            mark += 1
            merger = PEOPLE[(step + 5) % len(PEOPLE)]
            commit("refs/heads/main", mark, merger,
                   f"Merge pull request #{step} from org/pr-{step}", changed, main, mark - 1)
        elif step % 3 == 1:
            mark += 1
            approver = PEOPLE[(step + 1) % len(PEOPLE)]
            commit("refs/heads/main", mark, who, f"Change {step} (#{step})\n\n"
                   f"Approved-by: {approver[0]} <{approver[1]}>", changed, main)
        else:
            mark += 1
            commit("refs/heads/main", mark, who, f"Change {step}", changed, main)
        main = mark
    return bytes(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="itsmctl-bench-audit-"))
    catalog = work / "repo"
    files = generate(catalog, args.services)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=catalog, check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=catalog, check=True,
                   input=history_stream(catalog, args.commits))
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=catalog, check=True)
    main_line = subprocess.run(["git", "rev-list", "--count", "--first-parent", "main"],
                               cwd=catalog, check=True, capture_output=True, text=True)
    every = subprocess.run(["git", "rev-list", "--count", "main"], cwd=catalog, check=True,
                           capture_output=True, text=True)
    runs = {
        "audit": [sys.executable, "-m", "itsmctl", "report", "audit", "--format", "json"],
        "check": [sys.executable, "-m", "itsmctl", "check", "--format", "json"],
    }
    times, peaks = alternate(runs, args.rounds, catalog)
    print(f"catalog: {args.services} services, {files} files; history: {every.stdout.strip()} "
          f"commits, {main_line.stdout.strip()} on the main line; {args.rounds} rounds")
    for name, values in times.items():
        print(f"{name:6} median {statistics.median(values):6.2f} s  "
              f"(min {min(values):.2f}, max {max(values):.2f}); peak {peaks[name]:.0f} MiB")
    verdict = "within" if statistics.median(times["audit"]) <= 30 else "OVER"
    print(f"audit of {args.commits} commits: {verdict} the 30 s budget")


if __name__ == "__main__":
    main()
