"""Field-level changes compare JSON values: types count at every depth."""

from __future__ import annotations

from hypothesis import strategies as st

from itsmctl.diff.fields import field_changes, same
from tests.helpers import budgets, run_property

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-3, 3, allow_nan=False)
    | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner,
                                                                max_size=3),
    max_leaves=12)


def test_true_is_not_one_at_any_depth() -> None:
    assert [(c.path, c.before, c.after) for c in field_changes(
        {"review": {"keepApprovalsOnPush": True}}, {"review": {"keepApprovalsOnPush": 1}})] == [
        ("review.keepApprovalsOnPush", True, 1)]
    assert list(field_changes({"a": [1, 2.0]}, {"a": [1, 2]})) != []
    assert list(field_changes({"a": [1, 2]}, {"a": [1, 2]})) == []


@budgets(quick=100, full=2000)
def test_no_change_exactly_when_the_same(examples: int) -> None:
    def body(a: object, b: object) -> None:
        assert (list(field_changes(a, b)) == []) == same(a, b)
        assert list(field_changes(a, a)) == []

    run_property(examples, body, JSON, JSON)
