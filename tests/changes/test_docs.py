"""docs/changes.md and the README show what the commands really print (the examples that
are whole)."""

from __future__ import annotations

import re
import shlex

from tests.helpers import ROOT

DOCS = [(ROOT / "docs" / "changes.md").read_text(), (ROOT / "README.md").read_text()]
EXAMPLES = [(m.group(1), m.group(2)) for doc in DOCS for m in re.finditer(
    r"^\$ itsmctl (changes [^\n]+)\n(.*?)(?=^\$ |^```)", doc, re.M | re.S)]


def test_every_whole_example_is_the_real_output(run) -> None:
    whole = [(args, out) for args, out in EXAMPLES if "\n...\n" not in out]
    assert len(whole) >= 4
    for args, expected in whole:
        _code, out, _ = run("--repo", str(ROOT), *shlex.split(args))
        assert out == expected.rstrip("\n") + "\n", args
