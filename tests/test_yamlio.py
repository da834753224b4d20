"""The YAML layer: hostile input gives located diagnostics, never an exception."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsmctl.yamlio import decode, parse_documents
from tests.helpers import ROOT, budgets


def rules(text: str) -> list[str]:
    return [p.rule.id for p in parse_documents(text)[1]]


def test_plain_values_and_dates_stay_strings() -> None:
    docs, problems = parse_documents("d: 2026-12-24\nt: '08:00'\nn: 3\nb: true\nx: null\n")
    assert problems == []
    assert docs[0].data == {"d": "2026-12-24", "t": "08:00", "n": 3, "b": True, "x": None}


def test_multi_document_file_keeps_good_documents_before_a_syntax_error() -> None:
    docs, problems = parse_documents("a: 1\n---\nb: 2\n---\nc: [\n")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert [(p.rule.id, p.line) for p in problems] == [("yaml-syntax", 6)]


def test_duplicate_keys_all_reported_with_first_line() -> None:
    _, problems = parse_documents("a: 1\nb: 2\na: 3\nb: 4\n")
    assert [(p.rule.id, p.line, p.column) for p in problems] == [
        ("duplicate-key", 3, 1), ("duplicate-key", 4, 1)]
    assert "first defined on line 1" in problems[0].message


def test_billion_laughs_is_refused_fast() -> None:
    pairs = zip("abcdefgh", "bcdefghi", strict=True)
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in pairs)
    start = time.perf_counter()
    assert rules(bomb) == ["yaml-too-large"]
    assert time.perf_counter() - start < 0.5


def test_recursive_alias_and_deep_nesting_are_refused() -> None:
    assert rules("a: &x [*x]\n") == ["yaml-too-large"]
    assert rules("[" * 100_000 + "]" * 100_000) == ["yaml-too-large"]
    assert rules("- " * 5_000 + "x\n") == ["yaml-too-large"]
    chain = "".join(f"x{i}: &x{i}\n- *x{i - 1}\n" if i else "x0: &x0 [1]\n" for i in range(100))
    assert rules(chain) == ["yaml-too-large"]


def test_unsafe_and_custom_tags_are_refused() -> None:
    assert rules("a: !!python/object/apply:os.system [id]\nb: !custom x\n") == [
        "yaml-tag", "yaml-tag"]


def test_merge_keys_work_and_explicit_keys_win() -> None:
    docs, _ = parse_documents("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n")
    assert docs[0].data["m"] == {"x": 1, "y": 3}


def test_encoding_problems_are_located() -> None:
    text, problem = decode(b"a: 1\nb: caf\xe9\n")
    assert text is None and problem is not None
    assert (problem.rule.id, problem.line, problem.column) == ("encoding", 2, 7)
    assert decode("\ufeffa: 1\n".encode())[0] == "a: 1\n"
    assert rules("a: \x07\n") == ["encoding"]


EXAMPLES = sorted(p.read_text() for p in (ROOT / "catalog").rglob("*.yaml"))[:40]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def _random_text_never_raises(text: str) -> None:
    parse_documents(text)


@given(st.sampled_from(EXAMPLES), st.integers(0, 10_000), st.integers(0, 40),
       st.sampled_from(["", ":", "-", "[", "{", "&a", "*a", "!!", "\t", "'", '"', "\n  ", "<<: "]))
def _mutated_catalog_yaml_never_raises(text: str, at: int, cut: int, insert: str) -> None:
    at %= max(len(text), 1)
    parse_documents(text[:at] + insert + text[at + cut:])


@budgets(quick=100, full=1000)
def test_random_text_never_raises(examples: int) -> None:
    settings(max_examples=examples, deadline=None)(_random_text_never_raises)()


@budgets(quick=100, full=1000)
def test_mutated_catalog_yaml_never_raises(examples: int) -> None:
    settings(max_examples=examples, deadline=None)(_mutated_catalog_yaml_never_raises)()


QUICK_FIXTURES = ["duplicate-key", "yaml-tag", "yaml-too-large", "encoding", "schema"]


@pytest.mark.parametrize("scope", [pytest.param("some", id="quick"),
                                   pytest.param("all", id="full", marks=pytest.mark.slow)])
def test_the_pure_python_loader_reads_the_example_and_every_fixture_alike(
        scope: str, run, make_repo, monkeypatch) -> None:
    """Without libyaml, PyYAML's own loader is used: the example catalog and every fixture
    give the same diagnostics with it (syntax errors may be worded differently)."""
    import json

    import yaml

    from itsmctl import yamlio
    from tests.helpers import FIXTURES

    def diagnostics(repo: Path) -> list[tuple[str, int, int, str]]:
        _code, out, _ = run("--repo", str(repo), "check", "--now", "2026-11-21",
                            "--format", "json")
        return [(d["path"], d["line"], d["column"], d["rule"]) for d in json.loads(out)]

    cases = sorted(p for p in (FIXTURES / "invalid").iterdir()
                   if scope == "all" or p.name in QUICK_FIXTURES)
    repos = [ROOT] + [make_repo(overlay=case, name=case.name) for case in cases]
    with_libyaml = [diagnostics(repo) for repo in repos]
    monkeypatch.setattr(yamlio, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(yamlio, "_PositionLoader", yamlio.position_loader(yaml.SafeLoader))
    assert [diagnostics(repo) for repo in repos] == with_libyaml
