"""The sandboxed Jinja2 environment of policy expressions and message templates.

Immutable sandbox: no attribute starting with '_', no mutation of data, no access to
Python internals; undefined values are strict so a typo is a finding, not a silent pass.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from itsmctl.timecalc import parse_duration


def minutes(value: Any) -> float:
    """A SPEC duration ('1h30m') as minutes."""
    return parse_duration(str(value)).total_seconds() / 60


def hours(value: Any) -> float:
    return minutes(value) / 60


def days_until(value: Any, today: dt.date | None = None) -> int:
    """Days from today to a date (negative when it is past)."""
    day = dt.date.fromisoformat(str(value)[:10])
    return (day - (today or dt.date.today())).days


FILTERS = {"minutes": minutes, "hours": hours, "days_until": days_until}


@cache
def environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters.update(FILTERS)
    return env
