"""`sla replay --format html`: per SLA an SVG chart with the numbers in a table beside it,
and refs side by side (a golden file, and the chart checked against the JSON)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.helpers import GOLDEN, ROOT, git
from tests.sla.test_commands import GENERIC, _replay


def test_golden_html(run, tmp_path: Path) -> None:
    code, out, _ = _replay(run, tmp_path, GENERIC, "--format", "html")
    assert code == 0
    golden = GOLDEN / "replay.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()
    assert "<script" not in out and "http" not in out.replace("http://www.w3.org/2000/svg", "")


def test_side_by_side_charts_match_the_numbers(run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(ROOT), str(repo))
    git(repo, "checkout", "-q", "-b", "base")
    git(repo, "checkout", "-q", "-b", "what-if")
    gold = repo / "catalog/slas/gold.yaml"
    gold.write_text(gold.read_text().replace("P1: {response: 15m, resolution: 4h}",
                                             "P1: {response: 15m, resolution: 5h}"))
    git(repo, "commit", "-qam", "gold P1 5h")
    args = ("--ref", "base", "--ref", "what-if")
    page = _replay(run, tmp_path, GENERIC, *args, "--format", "html", repo=repo)[1]
    results = json.loads(_replay(run, tmp_path, GENERIC, *args, "--format", "json",
                                 repo=repo)[1])["results"]
    charts = re.findall(r'<svg [^>]*class="bars-chart" data-sla="([^"]+)"', page)
    assert charts == sorted({r["sla"] for r in results})
    bars = re.findall(r'<g class="bar" data-priority="([^"]+)" data-ref="([^"]+)">', page)
    assert bars == [(r["priority"], r["ref"]) for r in results]
    for r in results:
        if r["compliance"] is not None:
            assert f'{r["compliance"]} %</text>' in page
    assert "<td>P1</td><td>base</td>" in page and "<td>P1</td><td>what-if</td>" in page
