"""Reading RT's admin pages: form fields, the messages RT shows after a change, links.

RT's pages are Mason templates; only their form fields and result lists are read, never
their layout.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser


def is_login_page(text: str) -> bool:
    return 'id="login"' in text and 'name="pass"' in text


def is_denied_page(text: str) -> bool:
    """RT's error page for a user without the rights a page needs."""
    return "<title>RT Error</title>" in text and (
        "Permission Denied" in text or "only available to system administrators" in text)


def is_csrf_page(text: str) -> bool:
    return "Possible cross-site request forgery" in text


@dataclass
class Form:
    """The named fields of a page: text inputs and textareas (value), checkboxes and
    radios (whether checked), selects (the selected option's value)."""

    values: dict[str, str] = field(default_factory=dict)
    checked: dict[str, list[str]] = field(default_factory=dict)  # name -> checked values
    boxes: dict[str, list[str]] = field(default_factory=dict)  # name -> all checkbox values
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (value, label)
    results: list[str] = field(default_factory=list)  # RT's messages after a change
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    headings: list[tuple[str, str]] = field(default_factory=list)  # (pane id, h3 text)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.form = Form()
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: str | None = None
        self._selected = False
        self._buffer: list[str] = []
        self._in_results = 0
        self._item: list[str] | None = None
        self._pane: str | None = None
        self._heading: list[str] | None = None
        self._link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self.form.boxes.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.form.checked.setdefault(name, []).append(a.get("value", "on"))
                else:
                    self.form.checked.setdefault(name, [])
            else:
                self.form.values.setdefault(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._buffer = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            self._buffer = []
            self._selected = "selected" in a
            self._buffer = []
        elif tag == "ul" and "action-results" in a.get("class", ""):
            self._in_results += 1
        elif tag == "li" and self._in_results:
            self._item = []
        elif tag == "a" and a.get("href"):
            self._link = (a["href"], [])
        elif tag == "div" and re.fullmatch(r"acl-\d+", a.get("id", "")):
            self._pane = a["id"]
        elif tag == "h3" and self._pane is not None:
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.form.values.setdefault(self._textarea, "".join(self._buffer))
            self._textarea = None
        elif tag == "option" and self._select is not None:
            label = " ".join("".join(self._buffer).split())
            value = (self._option if self._option is not None else label).strip()
            self.form.options.setdefault(self._select, []).append((value, label))
            if self._selected:
                self.form.values[self._select] = value
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "a" and self._link is not None:
            href, text = self._link
            self.form.links.append((href, " ".join("".join(text).split())))
            self._link = None
        elif tag == "li" and self._item is not None:
            self.form.results.append(" ".join("".join(self._item).split()))
            self._item = None
        elif tag == "ul" and self._in_results:
            self._in_results -= 1
        elif tag == "h3" and self._heading is not None and self._pane is not None:
            self.form.headings.append((self._pane, " ".join("".join(self._heading).split())))
            self._heading, self._pane = None, None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None or self._select is not None:
            self._buffer.append(data)
        if self._item is not None:
            self._item.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._link is not None:
            self._link[1].append(data)


def read_form(text: str) -> Form:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.form


def textareas(text: str, names: Iterable[str]) -> dict[str, str]:
    """The content of the named textareas, without parsing the whole page (RT's System
    Configuration page is half a megabyte)."""
    out = {}
    for name in names:
        pattern = r'<textarea\b[^>]*\bname="' + re.escape(name) + r'"[^>]*>(.*?)</textarea>'
        match = re.search(pattern, text, re.S)
        if match:
            out[name] = html.unescape(match.group(1))
    return out


def results(text: str) -> list[str]:
    """The messages RT shows after a change, without parsing the whole page."""
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split())
            for block in re.findall(r'<ul class="action-results">(.*?)</ul>', text, re.S)
            for item in re.findall(r"<li>(.*?)</li>", block, re.S)]
