"""`itsmctl review` output: the Markdown review comment, and JSON.

The comment opens with a hidden marker carrying the base and head SHAs (how `itsmctl
github comment` finds its own comment and knows which commit it judged), then the verdict
and its reasons, then one section each for the changes, their impact, the findings, and
the approvals. Long parts fold into <details>. It never exceeds GitHub's 65,536-character
limit: sections are cut to a summary line, least important first, and the comment says
which (the job summary, written without the limit, has everything).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from itsmctl.diagnostics import Diagnostic
from itsmctl.reporters.diff import changes_table, diff_block, safe_json, summary
from itsmctl.reporters.markdown import code, details, escape, table
from itsmctl.review import READY, Review
from itsmctl.review.approvals import Approval
from itsmctl.review.marker import COMMENT_LIMIT, length, marker
from itsmctl.sources import WORKTREE
from itsmctl.text import agree, plural

SUMMARY_LIMIT = 1_000_000  # GitHub's limit on a job summary (1 MiB per step)
MAX_REASONS = 25
MAX_ROWS = 200  # rows of one table before the rest is summarised
FOLD = 10  # tables longer than this fold into <details>


def _short(sha: str) -> str:
    return sha[:7] if re.fullmatch(r"[0-9a-f]{40}", sha) else sha


def _entities(names: Sequence[str], shown: int = 5) -> str:
    out = ", ".join(code(n) for n in names[:shown])
    return out + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _handles(handles: Sequence[str]) -> str:
    return ", ".join(code(f"@{h}") for h in handles)


def _folded(title: str, count: int, body: str) -> str:
    return details(f"{escape(title)} ({count})", body) if count > FOLD else body


def _rows_cut(rows: list[list[str]], what: str) -> tuple[list[list[str]], str]:
    if len(rows) <= MAX_ROWS:
        return rows, ""
    return rows[:MAX_ROWS], f"\n… and {plural(len(rows) - MAX_ROWS, what)} more, in the JSON " \
                            "output and the job summary.\n"


@dataclass
class Section:
    title: str
    full: Callable[[Review], str]
    short: Callable[[Review], str]


def _changes(review: Review) -> str:
    if not review.changes:
        return "No changes to the catalog, its policies or its settings.\n"
    counts = {a: sum(1 for c in review.changes if c.action == a)
              for a in ("added", "modified", "removed", "moved")}
    out = f"{summary(counts)}.\n\n"
    out += _folded("Changed documents", len(review.changes), changes_table(review.changes))
    if any(c.fields for c in review.changes):
        out += "\n" + details("Field changes", diff_block([c for c in review.changes
                                                           if c.fields]))
    return out


def _changes_short(review: Review) -> str:
    return f"{plural(len(review.changes), 'changed document')}; the list was cut to fit.\n"


def _impact(review: Review) -> str:
    if not review.impact:
        return "Nothing else names the changed documents.\n"
    rows = [[code(f"{i.kind}/{i.name}"), " → ".join(code(v) for v in i.via)]
            for i in review.impact]
    rows, more = _rows_cut(rows, "document")
    what = f"{_reach(len(review.impact))} the changes through references"
    return details(escape(what), table(["Document", "Reached via"], rows) + more)


def _impact_short(review: Review) -> str:
    return (f"{_reach(len(review.impact))} the changes through references; the list was "
            "cut to fit.\n")


def _reach(count: int) -> str:
    return f"{plural(count, 'document')} {agree(count, 'reaches', 'reach')}"


def _finding_rows(found: Sequence[Diagnostic]) -> list[list[str]]:
    return [[d.severity.value, code(d.rule),
             code(f"{d.kind}/{d.name}") if d.kind and d.name else "",
             code(f"{d.path}:{d.line}:{d.column}"), escape(d.message)] for d in found]


def _findings(review: Review) -> str:
    found = review.findings
    header = ["Severity", "Rule", "Document", "Where", "Message"]
    out = (f"{len(found.introduced)} introduced, {len(found.fixed)} fixed, "
           f"{found.unchanged} unchanged (the head judged by the base's policies and "
           "waivers).\n")
    if found.introduced:
        rows, more = _rows_cut(_finding_rows(found.introduced), "finding")
        out += "\n**Introduced**\n\n" + _folded("Introduced", len(found.introduced),
                                                table(header, rows) + more)
    if found.fixed:
        rows, more = _rows_cut(_finding_rows(found.fixed), "finding")
        out += "\n" + details(f"Fixed ({len(found.fixed)})", table(header, rows) + more)
    return out


def _findings_short(review: Review) -> str:
    found = review.findings
    return (f"{len(found.introduced)} introduced, {len(found.fixed)} fixed, "
            f"{found.unchanged} unchanged; the lists were cut to fit.\n")


_OUTCOMES = {"blocked": "❌ blocked", "pre-approved": "✅ pre-approved",
             "needs-approval": "⏳ needs approval"}


def _requests(review: Review) -> str:
    if not review.requests:
        return "The pull request adds or changes no change request.\n"
    rows = []
    for request in review.requests:
        e = request.evaluation
        period = f"{e.start:%Y-%m-%d %H:%M} – {e.end:%Y-%m-%d %H:%M %z}" if e.start and e.end \
            else "—"
        problems = "<br>".join(f"{d.severity.value}: {escape(d.message)} {code(d.rule)}"
                               for d in e.problems)
        collisions = ", ".join(code(c) + (" (on the base)" if c in request.on_base else "")
                               for c in e.collisions)
        rows.append([code(e.name), escape(e.change.type), _OUTCOMES.get(
            e.outcome.value if e.outcome else "", escape(e.change.status)),
            escape(period), problems, collisions])
    return table(["Change", "Type", "Outcome", "Period", "Problems", "Collides with"], rows)


def _requests_short(review: Review) -> str:
    blocked = sum(1 for r in review.requests if r.blocked)
    return (f"{plural(len(review.requests), 'change request')}, {blocked} blocked; the table "
            "was cut to fit.\n")


def _approval_groups(approvals: Sequence[Approval]) -> list[list[str]]:
    groups: dict[tuple[object, ...], list[Approval]] = {}
    for a in approvals:
        groups.setdefault((a.satisfied, a.rule, a.team, a.count, a.approved_by, a.can_approve,
                           a.note), []).append(a)
    rows = []
    for key in sorted(groups, key=lambda k: (bool(k[0]), str(k[1]), str(k[2]))):
        group = groups[key]
        first = group[0]
        rows.append([
            "✅" if first.satisfied else "❌", code(first.rule),
            _entities([a.entity for a in group]),
            code(first.team) if first.team else "—",
            f"{len(first.approved_by)} of {first.count}",
            _handles(first.approved_by),
            "" if first.satisfied else _handles(first.can_approve),
            escape(first.note) if first.note else ""])
    return rows


def _approvals(review: Review) -> str:
    if not review.approvals:
        return "No approval rule of the base matches these changes.\n"
    given = sum(1 for a in review.approvals if a.satisfied)
    out = f"{given} of {plural(len(review.approvals), 'required approval')} given.\n\n"
    rows, more = _rows_cut(_approval_groups(review.approvals), "row")
    out += table(["", "Rule", "For", "Team", "Approvals", "Approved by", "Can still approve",
                  "Note"], rows) + more
    if review.opinions:
        listed = [[code(f"@{o.login}"), o.state, code(_short(o.commit_id or "unknown")),
                   "yes" if o.counts else f"no ({o.why_not})"] for o in review.opinions]
        out += "\n" + details(f"Reviews considered ({len(review.opinions)})",
                              table(["Reviewer", "State", "Commit", "Counts"], listed))
    return out


def _approvals_short(review: Review) -> str:
    given = sum(1 for a in review.approvals if a.satisfied)
    return (f"{given} of {plural(len(review.approvals), 'required approval')} given; the "
            "table was cut to fit.\n")


SECTIONS = [
    Section("Changes", _changes, _changes_short),
    Section("Impact", _impact, _impact_short),
    Section("Findings", _findings, _findings_short),
    Section("Change requests", _requests, _requests_short),
    Section("Approvals", _approvals, _approvals_short),
]
CUT_ORDER = ["Impact", "Changes", "Findings", "Change requests", "Approvals"]  # least first


def _header(review: Review) -> str:
    ready = review.verdict == READY
    out = marker(review.base, review.head) + "\n"
    out += f"## {'✅ Ready to merge' if ready else '❌ Blocked'}\n\n"
    head = "the work tree" if review.head == WORKTREE else code(_short(review.head))
    out += (f"itsmctl review of {head} against the base {code(_short(review.base))}" +
            (f", opened by {code('@' + review.author)}" if review.author else "") + ".\n")
    if review.reasons:
        out += "\n" + "\n".join(f"- {escape(r)}" for r in review.reasons[:MAX_REASONS]) + "\n"
        if len(review.reasons) > MAX_REASONS:
            out += (f"- … and {len(review.reasons) - MAX_REASONS} more (in the sections "
                    "below; the job summary has them all)\n")
    return out


def _footer(review: Review) -> str:
    return (f"\n<sub>itsmctl {escape(review.version)} · base {code(review.base)} · head "
            f"{code(review.head)} · policies, waivers, approval rules, teams and settings "
            "read from the base</sub>\n")


def _assemble(review: Review, cut: set[str], notice: str) -> str:
    parts = [_header(review), notice]
    for section in SECTIONS:
        body = section.short(review) if section.title in cut else section.full(review)
        parts.append(f"\n### {section.title}\n\n{body}")
    parts.append(_footer(review))
    return "".join(parts)


def markdown(review: Review, limit: int = COMMENT_LIMIT) -> str:
    """The review comment, at most `limit` characters."""
    cut: set[str] = set()
    text = _assemble(review, cut, "")
    for title in CUT_ORDER:
        if length(text) <= limit:
            return text
        cut.add(title)
        names = [t for t in CUT_ORDER if t in cut]
        notice = (f"\n> [!NOTE]\n> Cut to fit GitHub's {limit:,}-character limit: "
                  f"{', '.join(names)} summarised. The job summary and the JSON output "
                  "have the full review.\n")
        text = _assemble(review, cut, notice)
    if length(text) <= limit:
        return text
    ending = "\n\n… (cut here to fit the character limit; see the job summary)\n"
    budget = limit - length(ending)
    kept = text[:budget]
    while length(kept) > budget:
        kept = kept[:-100]
    return kept[:kept.rfind("\n") + 1] + ending


def summary_markdown(review: Review) -> str:
    """The job summary: the same review, within the job summary's much larger limit."""
    return markdown(review, SUMMARY_LIMIT)


def jsonfmt(review: Review) -> str:
    return safe_json(json.dumps(review.to_json(), indent=2, ensure_ascii=False,
                                default=str)) + "\n"


RENDERERS: dict[str, Callable[[Review], str]] = {"markdown": markdown, "json": jsonfmt}
