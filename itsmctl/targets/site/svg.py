"""Diagrams drawn as SVG markup. Written in Python rather than in a template because a
large catalog has thousands of them; every text and attribute value goes through
markupsafe's `escape`, exactly as the templates' autoescaping does."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from itsmctl.targets.site.layout import Diagram


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def draw(diagram: Diagram) -> Markup:
    d = escape(diagram.id)
    w, h = _num(diagram.width), _num(diagram.height)
    out = [f'<figure class="diagram">\n<svg xmlns="http://www.w3.org/2000/svg" class="graph" '
           f'data-diagram="{d}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
           f'aria-labelledby="{d}-title">\n<title id="{d}-title">{escape(diagram.title)}'
           f'</title>\n<defs><marker id="{d}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
           'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>\n']
    for x, y, text in diagram.captions:
        out.append(f'<text class="caption" x="{_num(x)}" y="{_num(y)}">{escape(text)}</text>\n')
    for e in diagram.edges:
        out.append(f'<g class="edge {escape(e.cls)}" data-source="{escape(e.source)}" '
                   f'data-target="{escape(e.target)}"><path d="{escape(e.d)}" '
                   f'marker-end="url(#{d}-arrow)"/>')
        if e.tip:
            out.append(f"<title>{escape(e.tip)}</title>")
        if e.label:
            out.append(f'<text x="{_num(e.lx)}" y="{_num(e.ly)}" text-anchor="middle">'
                       f"{escape(e.label)}</text>")
        out.append("</g>\n")
    for n in diagram.nodes:
        out.append(_node(n.href, n.cls, n.key, _num(n.x), _num(n.y)))
        out.append(_body(n.tip, n.w, n.h, n.label, n.sub))
        out.append("</g></a>\n" if n.href else "</g>\n")
    out.append("</svg>\n</figure>\n")
    return Markup("".join(out))


@lru_cache(maxsize=65536)
def _node(href: str | None, cls: str, key: str, x: str, y: str) -> str:
    link = f'<a href="{escape(href)}">' if href else ""
    return (f'{link}<g class="node {escape(cls)}" data-node="{escape(key)}" '
            f'transform="translate({x},{y})">')


@lru_cache(maxsize=65536)
def _body(tip: str, w: float, h: float, label: str, sub: str) -> str:
    """A node's inside, relative to its corner: the same for every diagram it is in."""
    text = (f'<text x="12" y="{_num(19 if sub else h / 2 + 4.5)}" class="label">'
            f"{escape(label)}</text>")
    if sub:
        text += f'<text x="12" y="35" class="sub">{escape(sub)}</text>'
    return (f'<title>{escape(tip)}</title><rect width="{_num(w)}" height="{_num(h)}" '
            f'rx="9"/>{text}')



