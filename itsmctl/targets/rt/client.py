"""A small client for a live Request Tracker 5: REST2 for objects, RT's own admin pages
for what REST2 does not offer (configuration kept in RT's database, lifecycles, rights,
scrips). Standard library only (urllib); credentials come from the environment only.

REST2 answers 200 to changes RT refused (the body lists RT's messages), so callers read
back what they wrote; `Response.messages` gives those messages.
"""

from __future__ import annotations

import base64
import http.cookiejar
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from itsmctl import __version__
from itsmctl.errors import FatalError
from itsmctl.targets.rt import html

REST = "/REST/2.0"
PAGE_SIZE = 100
FormData = Sequence[tuple[str, str]]


class Refused(Exception):
    """RT did not make a change it was asked for (or it changed underneath): apply stops."""


@dataclass(frozen=True)
class Credentials:
    token: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Credentials:
        """RT_TOKEN, or RT_USER and RT_PASSWORD (never from the command line)."""
        env = os.environ if env is None else env
        if env.get("RT_TOKEN"):
            return cls(token=env["RT_TOKEN"])
        if env.get("RT_USER") and env.get("RT_PASSWORD"):
            return cls(user=env["RT_USER"], password=env["RT_PASSWORD"])
        raise FatalError("no credentials for Request Tracker",
                         "set RT_TOKEN (an auth token), or RT_USER and RT_PASSWORD, in the "
                         "environment")

    def header(self) -> str:
        if self.token is not None:
            return f"token {self.token}"
        pair = f"{self.user}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode()


def rt_url(option: str | None, env: Mapping[str, str] | None = None) -> str:
    """The RT base URL from --url, else RT_URL."""
    env = os.environ if env is None else env
    url = option or env.get("RT_URL")
    if not url:
        raise FatalError("no Request Tracker URL", "pass --url or set RT_URL")
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise FatalError(f"--url: '{url}' is not an http(s) URL")
    return url.rstrip("/")


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")

    @property
    def messages(self) -> list[str]:
        """RT's messages in a REST2 answer (a list of strings, or {"message": ...})."""
        data = self.json()
        if isinstance(data, list):
            return [str(m) for m in data if m]
        if isinstance(data, dict) and data.get("message"):
            return [str(data["message"])]
        return []


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    def __init__(self, url: str, credentials: Credentials, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.requests = 0
        self._jar = http.cookiejar.CookieJar()
        self._web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._jar))
        self._rest = urllib.request.build_opener(_NoRedirect())
        self._logged_in = False
        self.version: str | None = None

    # -- plumbing -----------------------------------------------------------------------

    def _send(self, opener: urllib.request.OpenerDirector, request: urllib.request.Request
              ) -> Response:
        self.requests += 1
        request.add_header("User-Agent", f"itsmctl/{__version__}")
        try:
            with opener.open(request, timeout=self.timeout) as answer:
                return Response(answer.status, dict(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers.items()), error.read())
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            raise FatalError(f"cannot reach Request Tracker at {self.url}: {reason}") from None

    def _check_auth(self, response: Response) -> Response:
        if response.status == 401:
            raise FatalError(f"Request Tracker at {self.url} refused the credentials",
                             "check RT_TOKEN, or RT_USER and RT_PASSWORD")
        return response

    # -- REST2 --------------------------------------------------------------------------

    def rest(self, method: str, path: str, body: object = None, params: Mapping[str, Any]
             | None = None, if_match: str | None = None) -> Response:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{REST}{path}{query}", data=data,
                                         method=method)
        request.add_header("Authorization", self.credentials.header())
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json; charset=utf-8")
        if if_match is not None:
            request.add_header("If-Match", if_match)
        return self._check_auth(self._send(self._rest, request))

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Response:
        response = self.rest("GET", path, params=params)
        if response.status != 200:
            raise FatalError(f"RT: GET {path}: HTTP {response.status} "
                             f"{' '.join(response.messages)}".strip())
        return response

    def search(self, collection: str, query: list[dict[str, Any]] | None = None,
               fields: Sequence[str] = (), disabled: bool = True) -> list[dict[str, Any]]:
        """Every item of a REST2 collection search (all pages), with `fields` inline."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, Any] = {"per_page": PAGE_SIZE, "page": page}
            if fields:
                params["fields"] = ",".join(fields)
            if disabled:
                params["find_disabled_rows"] = 1
            if query is None:
                response = self.rest("GET", collection, params=params)
            else:
                response = self.rest("POST", collection, body=query, params=params)
            if response.status != 200:
                raise FatalError(f"RT: search {collection}: HTTP {response.status} "
                                 f"{' '.join(response.messages)}".strip())
            data = response.json()
            items += data.get("items", [])
            if page >= int(float(data.get("pages") or 0)):
                return items
            page += 1

    def connect(self) -> str:
        """RT's version; fails clearly when this is not a reachable RT 5."""
        response = self.rest("GET", "/rt")
        data = response.json()
        if response.status != 200 or not isinstance(data, dict) or "Version" not in data:
            raise FatalError(f"{self.url} does not answer like Request Tracker's REST2 API "
                             f"(HTTP {response.status})")
        self.version = str(data["Version"])
        if not self.version.startswith("5."):
            raise FatalError(f"Request Tracker {self.version} at {self.url}: itsmctl needs "
                             "RT 5")
        return self.version

    # -- RT's web pages -----------------------------------------------------------------

    def login(self) -> None:
        if self._logged_in:
            return
        if self.credentials.token is None:
            form = urllib.parse.urlencode({"user": self.credentials.user or "",
                                           "pass": self.credentials.password or ""}).encode()
            request = urllib.request.Request(f"{self.url}/NoAuth/Login.html", data=form,
                                             method="POST")
            request.add_header("Referer", f"{self.url}/NoAuth/Login.html")
            self._send(self._web, request)
            probe = urllib.request.Request(f"{self.url}/Helpers/RightsInspector/Search?"
                                           "right=ItsmctlLogin")
            probe.add_header("Referer", f"{self.url}/")
            if html.is_login_page(self._send(self._web, probe).text):
                raise FatalError(f"Request Tracker at {self.url} refused the credentials "
                                 "for its web pages", "check RT_USER and RT_PASSWORD")
        self._logged_in = True

    def page(self, path: str, params: Mapping[str, Any] | Sequence[tuple[str, Any]]
             | None = None, form: FormData | None = None) -> str:
        """An admin page's HTML: GET with `params`, or POST `form` (with the same-origin
        Referer RT's CSRF protection asks for)."""
        self.login()
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        data = urllib.parse.urlencode(list(form)).encode() if form is not None else None
        request = urllib.request.Request(f"{self.url}{path}{query}", data=data,
                                         method="POST" if data is not None else "GET")
        request.add_header("Referer", f"{self.url}{path}")
        if self.credentials.token is not None:
            request.add_header("Authorization", self.credentials.header())
        response = self._send(self._web, request)
        text = response.text
        if response.status == 403 or html.is_login_page(text) or html.is_denied_page(text):
            raise FatalError(f"Request Tracker refused {path}: the credentials need the "
                             "SuperUser right", "itsmctl apply manages configuration, "
                             "rights and scrips, which only a SuperUser can change")
        if html.is_csrf_page(text):
            raise FatalError(f"Request Tracker refused a form on {path} as a possible "
                             "cross-site request", f"use RT's own URL ($WebBaseURL) as "
                             f"--url, or list {self.url} in RT's $ReferrerWhitelist")
        if response.status >= 400:
            raise FatalError(f"RT: {path}: HTTP {response.status}")
        return text

    def reload(self) -> None:
        """One plain web request: the worker that serves it reloads the configuration and
        lifecycles kept in RT's database (REST2 requests do not)."""
        self.page("/Helpers/RightsInspector/Search", {"right": "ItsmctlReload"})
