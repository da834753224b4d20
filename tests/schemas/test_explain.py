"""`itsmctl explain` (itsmctl/schemas/explain.py): what a kind is, and the values an enum
field takes, as kubectl explain shows them."""

from __future__ import annotations

import pytest

from itsmctl.kinds import KIND_NAMES
from itsmctl.schemas import document_schema
from itsmctl.schemas.explain import explain, list_kinds


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_kind_is_described_as_the_kind_list_describes_it(kind: str) -> None:
    """The kind's own description (its spec's), not the envelope's 'An itsmctl ... document.';
    the kind list shows its first sentence."""
    out = explain(kind)
    description = out.split("DESCRIPTION:\n", 1)[1].split("\n\n", 1)[0]
    assert "An itsmctl" not in description
    words = " ".join(description.split())
    assert words == " ".join(document_schema(kind)["properties"]["spec"]["description"].split())
    [listed] = [line for line in list_kinds().splitlines() if line.split()[:1] == [kind]]
    assert words.startswith(" ".join(listed.split()[1:]))


def test_service_says_what_a_service_is() -> None:
    assert explain("Service").startswith(
        "KIND:     Service\nVERSION:  itsmctl/v1\n\nDESCRIPTION:\n"
        "    A service of the catalog: who owns and supports it, its SLA, workflows\n")


def test_an_enum_of_a_named_type_shows_its_values() -> None:
    assert "FIELD:    spec.appliesTo <incident | request | problem | change>\n" in explain(
        "Workflow.spec.appliesTo")
    assert "FIELD:    spec.appliesTo <[]incident | request | problem | change>\n" in explain(
        "SLA.spec.appliesTo")
    assert "appliesTo\t<incident | request | problem | change> -required-" in explain(
        "Workflow.spec")
    assert "<ticketType>" not in explain("Workflow", recursive=True)
