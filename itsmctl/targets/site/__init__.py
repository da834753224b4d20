"""`build --target docs`: the catalog as a static site that works from the file system,
with no network: no CDN, no server (docs/site.md)."""

from __future__ import annotations

from itsmctl.targets.base import BuildInput, Output
from itsmctl.targets.site.pages import Site, search_files
from itsmctl.targets.site.render import ASSETS, asset

NAME = "docs"
DESCRIPTION = "the catalog as a static HTML site (index.html, a page per service, ...)"


def build(job: BuildInput) -> Output:
    site = Site(job)
    pages = [site.index(), site.categories_page(), site.change_calendar(), *site.lists()]
    pages += [site.service(s) for s in site.services]
    pages += [site.team(t) for t in site.teams.values()]
    pages += [site.sla(s) for s in site.slas.values()]
    pages += [site.calendar(c) for c in site.calendars.values()]
    pages += [site.item(i) for i in site.items.values()]
    pages += [site.workflow(w) for w in site.workflows.values()]
    pages += [site.template(t) for t in site.templates.values()]
    files = {page.path: page.html.encode() for page in pages}
    files.update({f"assets/{name}": asset(name) for name in ASSETS})
    files.update(search_files(site))
    return Output(files)
