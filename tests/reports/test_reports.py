"""`itsmctl report`: one golden file per report and format, on the valid fixture with a
few gaps added (tests/reports/overlay).

Regenerate the goldens after an intended change: UPDATE_GOLDEN=1 pytest tests/reports
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from itsmctl.reporters.report import RENDERERS
from itsmctl.reports import REPORTS
from tests.helpers import GOLDEN, NOW, git

OVERLAY = Path(__file__).resolve().parent / "overlay"
EXTENSION = {"markdown": "md", "html": "html", "csv": "csv", "json": "json"}


@pytest.fixture
def repo(make_repo) -> Path:
    return make_repo(overlay=OVERLAY)


def report(run, repo: Path, name: str, fmt: str, *extra: str) -> str:
    code, out, err = run("--repo", str(repo), "report", name, "--format", fmt, "--now", NOW,
                         *extra)
    assert code == 0, err
    return out


def check_golden(text: str, name: str) -> None:
    golden = GOLDEN / "reports" / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("name", sorted(set(REPORTS) - {"audit"}))  # audit: test_audit.py
def test_golden(name: str, fmt: str, run, repo: Path) -> None:
    check_golden(report(run, repo, name, fmt), f"{name}.{EXTENSION[fmt]}")


def test_sla_matrix_says_what_four_hours_mean_on_the_calendar(run, repo: Path) -> None:
    data = json.loads(report(run, repo, "sla-matrix", "json"))
    rows = {(r["sla"], r["priority"]): r for r in data["sections"]["calendar-time"]["rows"]}
    # office: Mon 09-12 13-17, Fri 09-15 (Europe/Berlin). Opened Fri 27 Nov 16:00 (closed):
    # the clock starts Mon 30 Nov 09:00; 4h of open time ends at 14:00 (lunch is closed).
    assert rows[("std", "P1")]["resolutionDue"] == "opened Fri 27 Nov 16:00 → due Mon 30 Nov 14:00"
    services = {r["service"]: r for r in data["sections"]["services"]["rows"]}
    assert services["mail"]["hoursPerWeek"] == 13.0
    assert services["wiki"]["sla"] is None


def test_ownership_finds_thin_owners_and_single_points(run, repo: Path) -> None:
    data = json.loads(report(run, repo, "ownership", "json"))["sections"]
    assert [r["service"] for r in data["thin-owners"]["rows"]] == ["wiki"]
    assert data["single-points"]["rows"] == [
        {"person": "sam", "name": "Sam Solo", "services": ["wiki"]}]
    assert [r["team"] for r in data["idle-teams"]["rows"]] == ["idle"]


def test_coverage_lists_the_gaps(run, repo: Path) -> None:
    gaps = json.loads(report(run, repo, "coverage", "json"))["sections"]["gaps"]["rows"]
    found = {(g["kind"], g["name"], g["gap"]) for g in gaps}
    assert ("Service", "wiki", "no SLA") in found
    assert ("Category", "misc", "no assignment group") in found
    assert ("CatalogItem", "wiki-space", "no form") in found
    assert ("StandardChange", "wiki-upgrade", "review due") in found


def test_compliance_names_clauses_only(run, repo: Path) -> None:
    rows = json.loads(report(run, repo, "compliance", "json"))["sections"]["controls"]["rows"]
    assert [(r["framework"], r["control"]) for r in rows] == [
        ("ISO/IEC 20000-1:2018", c) for c in ("8.2.4", "8.3.3", "8.5.1", "8.6.1", "8.6.2",
                                               "8.6.3")] + [("SOC 2", "CC8.1")]
    assert all(r["status"] in ("evidenced", "partial", "missing") for r in rows)


def test_csv_has_one_block_per_section(run, repo: Path) -> None:
    blocks = report(run, repo, "ownership", "csv").split("\n\n")
    assert len(blocks) == 4
    first = list(csv.reader(io.StringIO(blocks[0])))
    assert first[0][:2] == ["section", "team"]


def test_markdown_and_html_escape_catalog_text(run, repo: Path) -> None:
    markdown = report(run, repo, "coverage", "markdown")
    html = report(run, repo, "sla-matrix", "html")
    assert "<script>" not in markdown and "<script>" not in html
    assert "Solo &amp; &lt;Sons&gt;" not in markdown  # titles are not in coverage
    owners = report(run, repo, "ownership", "html")
    assert "solo@example.com" in owners and "<script" not in owners


def test_output_file_and_ref(run, repo: Path, tmp_path: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "catalog")
    (repo / "catalog" / "extra.yaml").unlink()
    out = tmp_path / "matrix.md"
    assert run("--repo", str(repo), "report", "sla-matrix", "--ref", "HEAD", "--now", NOW,
               "--output", str(out))[0] == 0
    assert "| wiki |" in out.read_text() and "_sla-matrix, as of 2026-11-21 at `HEAD`_" in \
        out.read_text()
    assert "| wiki |" not in report(run, repo, "sla-matrix", "markdown")


def test_unknown_report_exits_2(run, repo: Path) -> None:
    code, _, err = run("--repo", str(repo), "report", "sla-matrx")
    assert code == 2 and "sla-matrix" in err


def test_changes_report_counts_statuses_and_outcomes(run, repo: Path) -> None:
    data = json.loads(report(run, repo, "changes", "json"))["sections"]
    rows = {r["status"]: r for r in data["status"]["rows"]}
    total = sum(r["count"] for r in rows.values())
    assert total >= 1
    in_flight = rows["requested"]["count"] + rows["scheduled"]["count"]
    outcomes = sum(rows[s][o] for s in ("requested", "scheduled")
                   for o in ("blocked", "pre-approved", "needs-approval"))
    assert outcomes == in_flight
    assert data["success"]["rows"][0].keys() == {"implemented", "failed", "rate"}
