"""Lists of links to other pages ("chips"), written in Python because a large catalog has
hundreds of thousands of them: each link is made once and reused, every text escaped with
markupsafe's `escape`, as the templates' autoescaping does."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from markupsafe import Markup, escape


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...


@lru_cache(maxsize=131072)
def chip(root: str, folder: str, name: str, title: str) -> str:
    return (f'  <li><a href="{escape(root)}{escape(folder)}/{escape(name)}.html" '
            f'title="{escape(name)}">{escape(title)}</a></li>\n')


def chips(root: str, folder: str, values: Sequence[Named], shown: int,
          empty: str = "None.") -> Markup:
    """Links to the pages of `values` (the first `shown` of them, then "and N more")."""
    if not values:
        return Markup(f'<p class="muted">{escape(empty)}</p>\n')
    out = ['<ul class="chips">\n']
    out += [chip(root, folder, v.name, v.title) for v in values[:shown]]
    if len(values) > shown:
        out.append(f'  <li class="more">and {len(values) - shown} more</li>\n')
    out.append("</ul>\n")
    return Markup("".join(out))
