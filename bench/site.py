"""Benchmark the catalog site on a large generated catalog.

    python bench/site.py [--services 5000] [--rounds 5] [--skip-browser]

Generates the synthetic catalog (bench/generate.py) once, then runs, alternating in each
round, fresh processes of (b) `itsmctl check` and (s) `itsmctl build --target docs`
(which checks first): the goal is s <= 3 x b. Then it measures the site built: the number
of pages, the largest page (goal: every page under 200 KB), and, in headless Chromium
(Debian's, driven by Playwright), the index page: when it is interactive (the navigation
timing's domInteractive, DOMContentLoaded and load; goal under 1 s) and how long the first
search takes (the search index is loaded on first use).

Wall times on a shared 2-core machine vary by tens of percent: compare the medians of
alternating rounds, and the ratio rather than the seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from run import alternate  # noqa: E402

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMING = """() => { const n = performance.getEntriesByType('navigation')[0];
  return {interactive: n.domInteractive, contentLoaded: n.domContentLoadedEventEnd,
          load: n.loadEventEnd}; }"""


def browser_timings(site: Path, rounds: int, word: str) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no chromium: apt-get install chromium (or --skip-browser)")
    out = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=FLAGS, offline=True)
        try:
            for _ in range(rounds):
                page = context.new_page()
                page.goto((site / "index.html").as_uri())
                timing = page.evaluate(TIMING)
                started = page.evaluate("() => performance.now()")
                page.locator(".hero-search input").fill(word)
                page.locator(".hero-search .results a").first.wait_for(timeout=10_000)
                timing["firstSearch"] = page.evaluate("() => performance.now()") - started
                out.append(timing)
                page.close()
        finally:
            context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="itsmctl-bench-site-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    files = generate(work, args.services)
    (work / ".git").mkdir()  # mark the repository root
    out = work / "out"
    runs = {
        "b: itsmctl check": [sys.executable, "-m", "itsmctl", "check", "--format", "json"],
        "s: itsmctl build --target docs": [sys.executable, "-m", "itsmctl", "build",
                                           "--target", "docs", "--out", str(out)],
    }
    times, peaks = alternate(runs, args.rounds, work)
    print(f"catalog: {args.services} services, {files} files; {args.rounds} rounds, "
          f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:34} median {median:7.3f} s   peak RSS {peaks[name]:7.1f} MiB   "
              f"runs {' '.join(f'{t:.2f}' for t in times[name])}")
    ratio = medians["s: itsmctl build --target docs"] / medians["b: itsmctl check"]
    print(f"ratio s/b = {ratio:.2f} (goal <= 3.0)")
    site = out / "docs"
    pages = sorted(site.rglob("*.html"))
    sizes = sorted(((p.stat().st_size, p) for p in pages), reverse=True)
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    print(f"site: {len(pages)} pages, {total / 1e6:.1f} MB in all; largest pages: "
          + ", ".join(f"{p.relative_to(site)} {s / 1e3:.0f} KB" for s, p in sizes[:3])
          + f" (goal < 200 KB); search index "
          f"{(site / 'assets' / 'search-index.js').stat().st_size / 1e6:.2f} MB")
    if args.skip_browser:
        return
    word = "synthetic"  # a word of every generated service's description
    timings = browser_timings(site, args.rounds, word)
    for key in ("interactive", "contentLoaded", "load", "firstSearch"):
        values = [t[key] for t in timings]
        print(f"index.html {key:14} median {statistics.median(values):7.1f} ms   runs "
              + " ".join(f"{v:.0f}" for v in values))
    print("goal: interactive (domInteractive) under 1000 ms")


if __name__ == "__main__":
    main()
