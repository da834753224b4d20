"""`build --target docs` without a browser: the pages, their links, escaping, diagrams,
byte-identical rebuilds (tests/targets/site/test_browser.py opens the site in Chromium)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from itsmctl.targets.site import layout
from tests.helpers import NOW

OVERLAY = Path(__file__).resolve().parents[2] / "reports" / "overlay"
MAX_PAGE = 200_000


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag in ("a", "link") and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag == "script":
            self.scripts.append(str(values.get("src")))


@pytest.fixture
def site(run, make_repo, tmp_path: Path) -> Path:
    repo = make_repo(overlay=OVERLAY)
    code, out, err = run("--repo", str(repo), "build", "--target", "docs", "--out",
                         str(tmp_path / "out"), "--now", NOW)
    assert code == 0, err
    assert "built docs:" in out
    return tmp_path / "out" / "docs"


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text())
    return links


def test_pages_for_every_kind(site: Path) -> None:
    for page in ("index.html", "services.html", "services/mail.html", "services/wiki.html",
                 "teams/ops.html", "slas/std.html", "calendars/office.html",
                 "categories.html", "items/new-laptop.html", "workflows/inc.html",
                 "standard-changes/restart.html", "change-calendar.html",
                 "assets/site.css", "assets/search.js", "assets/search-index.js",
                 "assets/search-index.json"):
        assert (site / page).is_file(), page


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    pages = {p: parsed(p) for p in site.rglob("*.html")}
    broken = []
    for page, links in pages.items():
        for href in links.hrefs:
            if re.match(r"^(mailto:|https?:)", href):
                continue
            target, _, anchor = href.partition("#")
            file = (page.parent / target).resolve() if target else page
            if not file.is_file():
                broken.append(f"{page.relative_to(site)}: {href}")
            elif anchor and anchor not in pages[file].ids:
                broken.append(f"{page.relative_to(site)}: {href} (no #{anchor})")
    assert broken == []


def test_catalog_text_is_escaped(site: Path) -> None:
    page = (site / "services" / "wiki.html").read_text()
    assert "<script>alert" not in page
    assert "Notes &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; how-tos" in page
    assert "Solo &amp; &lt;Sons&gt;" in page
    assert parsed(site / "services" / "wiki.html").scripts == ["../assets/search.js"]
    index = (site / "assets" / "search-index.js").read_text()
    assert "</script>" not in index  # a script's text cannot end its own element
    entries = json.loads((site / "assets" / "search-index.json").read_text())
    assert any(e["n"] == "wiki" and "<script>" in e["d"] for e in entries)


def test_neighbourhood_diagram_shows_dependants_and_dependencies(site: Path) -> None:
    page = (site / "services" / "web.html").read_text()
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert set(re.findall(r'data-node="([^"]+)"', svg)) == {"web", "mail", "wiki"}
    assert set(re.findall(r'data-source="([^"]+)" data-target="([^"]+)"', svg)) == {
        ("wiki", "web"), ("web", "mail")}


def test_workflow_state_diagram(site: Path) -> None:
    page = (site / "workflows" / "req.html").read_text()
    nodes = set(re.findall(r'data-node="([^"]+)"', page))
    assert nodes == {"*", "open", "done"}


def test_rebuild_is_byte_identical_and_pages_are_small(run, make_repo, site: Path,
                                                       tmp_path: Path) -> None:
    repo = make_repo(overlay=OVERLAY, name="again")
    assert run("--repo", str(repo), "build", "--target", "docs", "--out",
               str(tmp_path / "again"), "--now", NOW)[0] == 0
    again = tmp_path / "again" / "docs"
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second
    assert max(len(v) for k, v in first.items() if k.suffix == ".html") < MAX_PAGE


def test_large_neighbourhoods_are_capped() -> None:
    boxes = [layout.Box(f"s{i}", f"Service {i}") for i in range(40)]
    diagram = layout.neighbourhood("d", "t", layout.Box("c", "Center"), boxes, boxes[:3])
    keys = [n.key for n in diagram.nodes]
    assert len(keys) == 1 + layout.MAX_SIDE + 1 + 3 and "+28" in keys


def test_state_layers_follow_the_longest_path() -> None:
    arrows = [layout.Arrow("a", "b"), layout.Arrow("b", "c"), layout.Arrow("a", "c"),
              layout.Arrow("c", "a")]
    depth = layout._layers(["a", "b", "c"], "a", arrows)
    assert depth == {"a": 0, "b": 1, "c": 2}


def test_windows_show_their_next_occurrences(site: Path) -> None:
    page = (site / "change-calendar.html").read_text()
    assert "<li>Sun 22 Nov 02:00–06:00 CET</li>" in page  # FREQ=WEEKLY;BYDAY=SU;BYHOUR=2, 4h
    assert "Sun 22 Nov 02:00–06:00 CET" in (site / "services" / "mail.html").read_text()
