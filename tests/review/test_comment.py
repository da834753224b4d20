"""The Markdown review comment: golden files, safety of untrusted text, GitHub's limit."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from itsmctl.diagnostics import Diagnostic, Severity
from itsmctl.diff import ADDED, Change
from itsmctl.diff.impact import Impact
from itsmctl.reporters.markdown import code, escape, fence
from itsmctl.reporters.review import markdown
from itsmctl.review import BLOCKED, Review
from itsmctl.review.approvals import Approval
from itsmctl.review.findings import Findings
from itsmctl.review.marker import COMMENT_LIMIT, length, parse_marker
from tests.helpers import GOLDEN, NOW, Repo
from tests.review.test_review import _change_request, write_reviews

GOLD = "catalog/slas/gold.yaml"


def _golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text(), f"UPDATE_GOLDEN=1 pytest {__file__}"


def _stable(text: str, repo: Repo, *refs: str) -> str:
    """SHAs replaced by names, so the golden file does not depend on commit times."""
    for ref in refs:
        sha = repo.sha(ref)
        name = ref.replace("~", "-")
        text = text.replace(sha, f"<{name}>").replace(sha[:7], f"<{name[:5]}>")
    return text


def test_review_comment_golden(run, repo: Repo, tmp_path: Path) -> None:
    repo.branch("pr").edit(GOLD, "P1: {response: 15m, resolution: 4h}",
                           "P1: {response: 15m, resolution: 6h}")
    repo.edit("catalog/services/vpn.yaml", "metadata: {name: vpn}",
              "metadata: {name: vpn, description: Remote access for staff.}")
    repo.write("changes/chg-8.yaml", _change_request(
        "chg-8", "2026-12-27T02:30:00+01:00", "2026-12-27T03:30:00+01:00"))
    first = repo.commit("gold P1 6h; vpn described; a restart in the freeze")
    repo.edit("catalog/services/vpn.yaml", "tier: 3", "tier: 4")
    repo.commit("vpn tier 4")
    reviews = write_reviews(tmp_path, ("sam", "APPROVED", "2026-11-20T09:00:00Z", first),
                            ("dave", "APPROVED", "2026-11-20T10:00:00Z", repo.sha()))
    code_, out, _ = run("--repo", str(repo.root), "review", "main...pr", "--author", "bob",
                        "--reviews", reviews, "--now", NOW)
    assert code_ == 1
    assert parse_marker(out) == (repo.sha("main"), repo.sha("pr"))
    _golden("review.md", _stable(out, repo, "main", "pr", "pr~1"))


def test_ready_comment_golden(run, repo: Repo) -> None:
    repo.branch("pr").edit("catalog/services/vpn.yaml", "tier: 3", "tier: 4").commit("vpn")
    code_, out, _ = run("--repo", str(repo.root), "review", "main...pr", "--approved-by",
                        "erin", "--now", NOW)
    assert code_ == 0
    _golden("review-ready.md", _stable(out, repo, "main", "pr"))


def test_untrusted_text_cannot_format_mention_or_break_out() -> None:
    hostile = "a|b <script>x</script> @everyone **bold** [link](http://x) `tick` # h\nnext"
    assert escape(hostile) == (
        "a\\|b &lt;script&gt;x&lt;/script&gt; @\u2060everyone \\*\\*bold\\*\\* \\[link\\](http://x)"
        " \\`tick\\` \\# h next")
    assert code("a`b|c") == "``a`b\\|c``"
    assert code("`x`") == "`` `x` ``"
    block = fence("```\nrm -rf /\n````", "diff")
    assert block.startswith("`````diff\n") and block.endswith("\n`````\n")


def _huge_review() -> Review:
    base, head = "a" * 40, "b" * 40
    long = "x" * 400
    changes = tuple(Change("Service", f"service-{i:05d}", ADDED,
                           f"catalog/services/{long[:60]}-{i:05d}.yaml", None)
                    for i in range(3000))
    impact = tuple(Impact("CatalogItem", f"item-{i}", (f"Service/service-{i:05d}",))
                   for i in range(3000))
    findings = tuple(Diagnostic(f"catalog/services/s-{i}.yaml", 3, 5, "policy/described",
                                f"service-{i} has no description {long}", Severity.ERROR,
                                "Service", f"service-{i:05d}", "$.metadata")
                     for i in range(500))
    approvals = tuple(Approval("owners", f"Service/service-{i:05d}", {"role": "owner"},
                               f"team-{i}", 1, (), (f"person-{i}",)) for i in range(400))
    reasons = tuple(f"introduces {d.format()}" for d in findings)
    return Review(base, head, head, BLOCKED, reasons, changes, impact,
                  Findings(findings, (), 0), approvals)


def test_a_huge_review_is_cut_at_section_boundaries_to_fit() -> None:
    review = _huge_review()
    text = markdown(review)
    assert length(text) <= COMMENT_LIMIT
    assert text.startswith(f"<!-- itsmctl:review base={'a' * 40} head={'b' * 40} -->\n")
    notice = re.search(r"> Cut to fit GitHub's 65,536-character limit: (.*) summarised\.", text)
    assert notice is not None and notice.group(1).startswith("Impact")
    assert "The job summary and the JSON output have the full review." in text
    for section in ("### Changes", "### Impact", "### Findings", "### Approvals"):
        assert section in text
    assert "… and 475 more (in the sections below; the job summary has them all)" in text
    assert "3000 documents reach the changes through references; the list was cut" in text
    full = markdown(review, 10_000_000)
    assert "Cut to fit" not in full and length(full) > COMMENT_LIMIT


def test_even_a_review_of_unbounded_reasons_stays_within_the_limit() -> None:
    review = dataclasses.replace(_huge_review(), reasons=tuple("r" * 5000 for _ in range(30)))
    text = markdown(review)
    assert length(text) <= COMMENT_LIMIT
    assert text.rstrip().endswith("(cut here to fit the character limit; see the job summary)")


def test_length_counts_what_github_may_count() -> None:
    assert length("✅") == 1 and length("😀") == 2 and length("abc") == 3
