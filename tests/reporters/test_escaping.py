"""Every format carries any message and path: one line per diagnostic where the format
is line-based, well-formed XML, and percent-encoded URIs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.helpers import NOW

HOSTILE = ('"first line\\nsecond line\\r\\nthird\\u2028fourth \\x1b[31mred\\x00 \\x01 '
           '\\u202eevil"')


def _repo(make_repo):
    return make_repo({
        "policies/hostile.yaml": "apiVersion: itsmctl/v1\nkind: Policy\n"
                                 "metadata: {name: hostile}\nspec:\n  match: {kinds: [Team]}\n"
                                 f"  assert: ['false']\n  message: {HOSTILE}\n",
        "catalog/with space #1 é.yaml": "apiVersion: itsmctl/v1\nkind: Team\n"
                                         "metadata: {name: x}\nspec: {members: [], c: 1}\n"})


def test_text_keeps_one_diagnostic_per_line(run, make_repo) -> None:
    _code, out, _ = run("--repo", str(_repo(make_repo)), "check", "--now", NOW)
    line = next(x for x in out.splitlines() if "[policy/hostile]" in x)
    assert "first line\\nsecond line\\nthird\\u2028fourth \\x1b[31mred\\x00 \\x01 \\u202eevil" \
        in line
    assert not any(ord(c) < 32 for c in out.replace("\n", ""))


def test_github_keeps_one_command_per_line(run, make_repo) -> None:
    _code, out, _ = run("--repo", str(_repo(make_repo)), "check", "--now", NOW,
                        "--format", "github")
    lines = out.splitlines()
    assert all(line.startswith("::") for line in lines[:-1])
    assert lines[-1].startswith("2 errors")  # the summary ends it, as in the text format
    hostile = next(x for x in lines if "policy/hostile" in x)
    assert "first line%0Asecond line%0Athird\\u2028fourth \\x1b[31mred\\x00" in hostile


def test_junit_is_well_formed_and_sarif_uris_are_encoded(run, make_repo) -> None:
    repo = _repo(make_repo)
    _code, out, _ = run("--repo", str(repo), "check", "--now", NOW, "--format", "junit")
    ET.fromstring(out)
    _code, out, _ = run("--repo", str(repo), "check", "--now", NOW, "--format", "sarif")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(out)["runs"][0]["results"]}
    assert "catalog/with%20space%20%231%20%C3%A9.yaml" in uris


def test_markdown_text_and_code_spans_escape_invisible_characters() -> None:
    from itsmctl.reporters.markdown import code, escape
    from itsmctl.text import printable

    hostile = "a\u202eb\u2066c\x00d\u061ce\u200bf\x85g"
    for made in (escape(hostile), code(hostile)):
        assert made.isprintable() and "\\u202e" in made and "\\x00" in made
    assert printable("\u061c") == "\\u061c"
    assert escape("@klange") == "@\u2060klange"  # the word joiner escape() adds stays
