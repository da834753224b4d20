"""The `change` context approval rules see, through the examples docs/review.md gives:
each compiles, and matches what it says it matches on a real pull request."""

from __future__ import annotations

import json
import re

import yaml

from itsmctl.policy import sandbox
from tests.helpers import NOW, ROOT, Repo

DOCS = (ROOT / "docs" / "review.md").read_text()


def _examples() -> list[str]:
    block = DOCS.split("Examples:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    return [item["when"] for item in
            (yaml.safe_load(part) for part in re.split(r"\n(?=# )", block)) if item]


def test_every_documented_example_compiles() -> None:
    examples = _examples()
    assert len(examples) == 6
    for when in examples:
        assert sandbox.problem(when, False, sandbox.APPROVAL_NAMES) is None, when


def test_the_examples_match_what_they_say(run, repo: Repo) -> None:
    rules = "".join(
        f"---\napiVersion: itsmctl/v1\nkind: ApprovalRule\nmetadata: {{name: example-{i}}}\n"
        f"spec:\n  when: {json.dumps(when)}\n  require: [{{team: desk}}]\n"
        for i, when in enumerate(_examples()))
    repo.write("policies/examples.yaml", rules).commit("the documented examples")
    repo.edit("catalog/slas/gold.yaml", "P1: {response: 15m, resolution: 4h}",
              "P1: {response: 15m, resolution: 5h}")          # 0: mail, web; 2: longer P1
    repo.edit("catalog/services/vpn.yaml", "tier: 3", "tier: 3\n  lifecycle: retired")  # 3
    repo.edit("catalog/teams/net.yaml", "- {name: Erin, handle: erin}",
              "- {name: Erin, handle: erin}\n    - {name: Fay, handle: fay}")  # 4: members
    repo.write("catalog/services/chat.yaml", "apiVersion: itsmctl/v1\nkind: Service\n"
               "metadata: {name: chat, description: Team chat.}\n"
               "spec: {owner: ops, tier: 4, lifecycle: planned}\n")  # 3: added
    code, out, err = run("--repo", str(repo.root), "review", "main", "--format", "json",
                         "--now", NOW)
    assert code == 1, err
    matched = sorted((a["rule"], a["entity"]) for a in json.loads(out)["approvals"]
                     if a["rule"].startswith("example-"))
    assert matched == [
        ("example-0", "SLA/gold"),          # services on gold are tier 1 and 2
        ("example-0", "Team/net"),          # net owns web, tier 2
        ("example-2", "SLA/gold"),
        ("example-3", "Service/chat"), ("example-3", "Service/vpn"),
        ("example-4", "Team/net")]
