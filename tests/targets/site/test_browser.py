"""The built site of the example catalog in real headless Chromium (tests/targets/site/
browser.py): no console errors, every link and anchor resolves, search works, diagrams
are SVG with the expected nodes, catalog text stays text; a screenshot as an artefact."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from itsmctl.model.typed import Service, Workflow
from itsmctl.pipeline import check_catalog
from tests.helpers import NOW, ROOT
from tests.targets.site.browser import chromium

ARTEFACTS = ROOT / "build" / "test-artefacts"
PROBE = """apiVersion: itsmctl/v1
kind: Service
metadata:
  name: probe
  title: Probe <b>bold</b>
  description: "Probes <script>window.__xss = 1</script> and <img src=x onerror=window.__xss=2>."
  labels: {domain: endpoint}
spec:
  owner: endpoint
  supportGroup: service-desk
  tier: 4
  lifecycle: production
  sla: desk-standard
  categories: [printer]
  dependsOn: [printing]
  workflows: {incident: incident-standard, request: request-standard, change: change-normal}
"""
SCAN = """() => ({
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
  svgs: Array.from(document.querySelectorAll('figure.diagram > *'))
    .map(s => s instanceof SVGSVGElement),
  nodes: Array.from(document.querySelectorAll('svg.graph [data-node]'))
    .map(n => n.getAttribute('data-node')),
})"""


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example repository (with one probing service added), built."""
    from itsmctl.targets import build

    repo = tmp_path_factory.mktemp("example")
    for folder in ("catalog", "policies", "changes"):
        shutil.copytree(ROOT / folder, repo / folder)
    (repo / "catalog" / "services" / "probe.yaml").write_text(PROBE)
    built = build(repo, ("docs",), repo / "build", now=check_now())
    assert built.exit_code == 0, [d.format() for d in built.result.sorted()]
    return repo


def check_now() -> Any:
    from itsmctl.cli.common import parse_now

    return parse_now(NOW)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("profile")) as context:
        yield context


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page()
    tab.problems = []
    tab.on("console", lambda m: tab.problems.append(f"console {m.type}: {m.text}")
           if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: tab.problems.append(f"failed: {r.url}"))
    yield tab
    tab.close()


def site(example: Path) -> Path:
    return example / "build" / "docs"


@pytest.fixture(scope="module")
def walk(example: Path, browser: Any) -> dict[str, Any]:
    """Every page of the site opened once: its ids, links, diagrams, and any problem."""
    tab = browser.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
           if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    pages = {}
    for path in sorted(site(example).rglob("*.html")):
        tab.goto(path.as_uri(), wait_until="domcontentloaded")
        pages[path] = tab.evaluate(SCAN)
    tab.close()
    return {"pages": pages, "problems": problems}


def test_every_page_loads_without_console_errors(walk: dict[str, Any]) -> None:
    assert walk["problems"] == []
    assert len(walk["pages"]) > 60


def test_every_internal_link_and_anchor_resolves(example: Path, walk: dict[str, Any]) -> None:
    root = site(example)
    pages = walk["pages"]
    broken = []
    for source, scan in pages.items():
        for href in scan["links"]:
            if href.startswith(("mailto:", "http:", "https:")):
                continue
            target, _, anchor = href.partition("#")
            file = (source.parent / target).resolve() if target else source
            if file not in pages:
                broken.append(f"{source.relative_to(root)} -> {href}")
            elif anchor and anchor not in pages[file]["ids"]:
                broken.append(f"{source.relative_to(root)} -> {href} (no #{anchor})")
    assert broken == []


def test_search_finds_a_service_by_a_word_of_its_description(example: Path, page: Any) -> None:
    page.goto((site(example) / "index.html").as_uri())
    box = page.locator(".hero-search input")
    box.fill("corporate network")  # VPN: "Remote access to the corporate network."
    hit = page.locator(".hero-search .results a", has_text="Corporate VPN")
    hit.wait_for(timeout=5000)
    hit.click()
    page.wait_for_url("**/services/vpn.html")
    assert page.locator("h1").inner_text() == "Corporate VPN"
    page.locator(".top-search input").fill("zzqx-nothing")
    page.locator(".top-search .results .none").wait_for(timeout=5000)
    assert page.problems == []


def test_diagrams_are_svg_with_the_expected_nodes(example: Path,
                                                  walk: dict[str, Any]) -> None:
    catalog = check_catalog(example).catalog
    services = catalog.typed(Service)
    dependants: dict[str, set[str]] = {}
    for service in services.values():
        for name in service.depends_on:
            dependants.setdefault(name, set()).add(service.name)
    pages = walk["pages"]
    for path, scan in pages.items():
        assert all(scan["svgs"]), f"{path}: a diagram that is not an SVG"
    for name, service in sorted(services.items()):
        scan = pages[site(example) / "services" / f"{name}.html"]
        assert scan["svgs"] == [True]
        assert set(scan["nodes"]) == {name, *service.depends_on, *dependants.get(name, ())}
    for name, workflow in sorted(catalog.typed(Workflow).items()):
        scan = pages[site(example) / "workflows" / f"{name}.html"]
        expected = set(workflow.state_names)
        if any("*" in t.sources for t in workflow.transitions):
            expected.add("*")
        assert scan["svgs"] == [True] and set(scan["nodes"]) == expected, name


def test_a_script_in_a_description_stays_text(example: Path, page: Any) -> None:
    page.goto((site(example) / "services" / "probe.html").as_uri())
    assert page.evaluate("() => window.__xss") is None
    assert "<script>window.__xss = 1</script>" in page.locator(".lead").inner_text()
    assert page.locator("h1").inner_text() == "Probe <b>bold</b>"
    scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.getAttribute('src'))")
    assert scripts == ["../assets/search.js"]
    page.locator(".top-search input").fill("probes")
    page.locator(".top-search .results a", has_text="Probe <b>bold</b>").wait_for(timeout=5000)
    assert page.evaluate("() => window.__xss") is None


def test_screenshot_of_a_service_page(example: Path, page: Any) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name in ("vpn", "erp"):
        page.goto((site(example) / "services" / f"{name}.html").as_uri())
        page.screenshot(path=str(ARTEFACTS / f"site-service-{name}.png"), full_page=True)
    page.goto((site(example) / "workflows" / "incident-standard.html").as_uri())
    page.screenshot(path=str(ARTEFACTS / "site-workflow.png"), full_page=True)
    page.goto((site(example) / "index.html").as_uri())
    page.screenshot(path=str(ARTEFACTS / "site-index.png"), full_page=True)
    assert (ARTEFACTS / "site-service-vpn.png").stat().st_size > 10_000


def test_index_is_interactive_quickly(example: Path, page: Any) -> None:
    page.goto((site(example) / "index.html").as_uri())
    timing = page.evaluate(
        "() => performance.getEntriesByType('navigation')[0].domInteractive")
    assert timing < 1000
