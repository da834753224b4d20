"""The sandbox cannot be made to build huge values: generated expressions thrown at it
stay within a memory budget (traced allocations) and a time budget."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsmctl.policy import sandbox
from itsmctl.policy.limits import MAX_SIZE, LimitExceeded
from tests.helpers import budgets

ATOMS = st.sampled_from([
    "0", "1", "7", "1000", "99999", "100001", "10 ** 5", "2 ** 64", "'x'", "'ab'", "''",
    "'{0}'", "'{:>99999}'", "'\\t'", "'x' * 100000", "[1]", "['x']", "[]", "entity",
    "entity.metadata.name", "catalog", "catalog.Service.values() | list", "now", "today",
])
FILTERS = ["batch", "join", "sum", "list", "replace", "tojson", "string", "truncate", "sort",
           "unique", "map", "select", "first", "length", "default", "int", "float", "round",
           "wordcount", "center", "indent", "format", "max", "min", "dictsort", "items"]
METHODS = ["format", "format_map", "join", "replace", "ljust", "rjust", "center", "zfill",
           "split", "expandtabs", "translate", "upper", "count", "startswith", "get", "index"]


def expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        args = st.lists(inner, max_size=2).map(", ".join)
        return st.one_of(
            st.tuples(inner, st.sampled_from(["*", "**", "+", "~", "%", "//"]), inner)
            .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, st.sampled_from(FILTERS), args)
            .map(lambda t: f"({t[0]} | {t[1]}({t[2]}))"),
            st.tuples(inner, st.sampled_from(METHODS), args)
            .map(lambda t: f"({t[0]}).{t[1]}({t[2]})"),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
        )
    return st.recursive(ATOMS, extend, max_leaves=8)


CONTEXT = {"entity": {"kind": "Service", "metadata": {"name": "mail"}, "spec": {"tier": 1}},
           "catalog": {"Service": {f"s{i}": {"metadata": {"name": f"s{i}"}} for i in range(50)}},
           "now": None, "today": None}


@given(expressions())
def _stays_within_memory_and_time(source: str) -> None:
    if sandbox.problem(source, template=False) is not None:
        return  # refused or invalid before running: nothing is built
    tracemalloc.start()
    try:
        with sandbox.time_limit(5.0):
            value = sandbox.Scope(dict(CONTEXT)).evaluate(sandbox.compiled_expression(source))
        if isinstance(value, (str, list, tuple, dict)):
            assert len(value) <= MAX_SIZE, source
    except LimitExceeded:
        pass
    except Exception:  # any other failure is a finding or a policy problem, never a crash
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 48 * 1024 * 1024, (source, peak)


@budgets(quick=120, full=1500)
def test_generated_expressions_stay_within_memory_and_time(examples: int) -> None:
    settings(max_examples=examples, deadline=None,
             suppress_health_check=[HealthCheck.too_slow])(_stays_within_memory_and_time)()


@pytest.mark.parametrize("source", [
    "([1] | batch(10**8, 0) | list | length) > 0",
    "'{:>100000000}'.format(1)",
    "('x' * 100000).replace('', 'yy')",
    "(['x' * 100000] * 100000) | join",
    "(['x' * 100000] * 100000) | sum(start='')",
    "'{0}{0}'.format('x' * 100000)",
    "('x' * 60000) ~ ('y' * 60000)",
    "('x' * 60000) + ('y' * 60000)",
    "((10 ** 1000) ** 1000) ** 1000",
])
def test_known_ways_to_build_huge_values_are_refused(source: str) -> None:
    with pytest.raises(LimitExceeded):
        sandbox.Scope(dict(CONTEXT)).evaluate(sandbox.compiled_expression(source))


def test_methods_that_can_build_much_are_not_available() -> None:
    from jinja2.exceptions import SecurityError

    for source in ("('\\t' * 1000).expandtabs(100)", "'abc'.translate({97: 'x'})"):
        with pytest.raises(SecurityError):
            sandbox.Scope(dict(CONTEXT)).evaluate(sandbox.compiled_expression(source))


def test_a_message_template_stops_rendering_at_its_cap() -> None:
    text = sandbox.render("{% for a in x %}{% for b in x %}{{ a }}{{ b }}{% endfor %}{% endfor %}",
                          {"x": list(range(5000))})
    assert len(text) == sandbox.MAX_MESSAGE + 1 and text.endswith("…")
