"""docs/changes.md shows what the commands really print (its examples that are whole)."""

from __future__ import annotations

import re
import shlex

from tests.helpers import ROOT

DOC = (ROOT / "docs" / "changes.md").read_text()
EXAMPLES = [(m.group(1), m.group(2)) for m in re.finditer(
    r"^\$ itsmctl (changes [^\n]+)\n(.*?)(?=^\$ |^```)", DOC, re.M | re.S)]


def test_every_whole_example_is_the_real_output(run) -> None:
    whole = [(args, out) for args, out in EXAMPLES if "\n...\n" not in out]
    assert len(whole) >= 3
    for args, expected in whole:
        _code, out, _ = run("--repo", str(ROOT), *shlex.split(args))
        assert out == expected.rstrip("\n") + "\n", args
