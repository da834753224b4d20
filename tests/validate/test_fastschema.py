"""The compiled validator agrees with jsonschema on every kind, valid or not."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
from hypothesis import strategies as st

from itsmctl.kinds import KIND_NAMES
from itsmctl.load import load
from itsmctl.schemas import document_schema
from itsmctl.sources import WorkTree
from itsmctl.validate.fastschema import compile_schema
from tests.helpers import ROOT, VALID, budgets, json_paths, run_property

DOCS = [d.data for d in load(WorkTree(ROOT)).documents] + \
    [d.data for d in load(WorkTree(VALID)).documents]


def verdicts(doc: Any) -> tuple[bool, bool]:
    kind = doc.get("kind") if isinstance(doc, dict) else None
    kind = kind if kind in KIND_NAMES else "Service"
    schema = document_schema(kind)
    cls = jsonschema.validators.validator_for(schema)
    expected = cls(schema, format_checker=cls.FORMAT_CHECKER).is_valid(doc)
    return compile_schema(schema)(doc), expected


def test_all_kinds_compile() -> None:
    for kind in KIND_NAMES:
        compile_schema(document_schema(kind))


def test_every_example_document_is_valid_both_ways() -> None:
    for doc in DOCS:
        assert verdicts(doc) == (True, True)


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 500), st.floats(allow_nan=False),
                 st.text(max_size=12), st.lists(st.text(max_size=5), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                 st.sampled_from(["P1", "ops", "2026-02-30", "2026-12-24", "15m", "1h30m",
                                  "08:00-18:00", "24:00-25:00", "itsmctl/v1", "choice",
                                  "a@b", "@acme/ops", "Service/mail", "75%"]))



def _mutations_get_the_same_verdict(doc: Any, data: Any, junk: Any, how: str) -> None:
    doc = copy.deepcopy(doc)
    paths = json_paths(doc)
    path = data.draw(st.sampled_from(paths))
    if path:
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        if how == "replace":
            parent[path[-1]] = junk
        elif how == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[str(junk)[:8] or "x"] = junk
        else:
            parent.append(junk)
    fast, expected = verdicts(doc)
    assert fast == expected


@budgets(quick=200, full=1500)
def test_mutations_get_the_same_verdict(examples: int) -> None:
    run_property(examples, _mutations_get_the_same_verdict, st.sampled_from(DOCS), st.data(),
                 JUNK, st.sampled_from(["replace", "delete", "add"]))
