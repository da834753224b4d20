"""GitHub's REST API, the little the review needs: a pull request, its issue comments
(listed page by page through `Link` headers), creating and updating one comment.

Every failure is one clear line (exit 2): the network, bad credentials, missing rights,
rate limits (primary, from the `x-ratelimit-*` headers, and secondary), a pull request
that does not exist, a comment GitHub rejects (422), an answer that is not what GitHub
sends. What the API says is shown printable and cut short. The token goes only to the
API's origin: a redirect to another scheme, host or port is refused, not followed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from itsmctl import __version__
from itsmctl.errors import FatalError
from itsmctl.review.reviews import review_of, shown

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100
MAX_PAGES = 100
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="([^"]+)"')
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_TOKEN = re.compile(r"[\x21-\x7e]+")  # what an HTTP header can carry: visible ASCII
MAX_REDIRECTS = 5


def _origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; ValueError for anything else."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    return scheme, parts.hostname.lower(), parts.port or (443 if scheme == "https" else 80)


class _Redirected(Exception):
    """A redirect to another origin than the API's, not followed."""

    def __init__(self, code: int, target: str) -> None:
        super().__init__(target)
        self.code, self.target = code, target


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within the API's origin (the request carries the token);
    one to another scheme, host or port is refused."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, origin: tuple[str, str, int]) -> None:
        self.origin = origin

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        try:
            target = _origin(newurl)
        except ValueError:
            target = None
        if target != self.origin:
            fp.close()
            raise _Redirected(code, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    data: Any


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def next_page(link: str | None) -> str | None:
    """The URL a `Link` header gives for rel="next"."""
    for url, rel in _LINK.findall(link or ""):
        if rel == "next":
            return str(url)
    return None


def _number(headers: dict[str, str], name: str, digits: int = 9) -> int | None:
    """A header that must be a plain count of seconds or requests (None: not one)."""
    value = headers.get(name, "").strip()
    return int(value) if re.fullmatch(rf"[0-9]{{1,{digits}}}", value) else None


def _reset(headers: dict[str, str]) -> str:
    reset = _number(headers, "x-ratelimit-reset", 12)
    if reset is None:
        return ""
    try:
        when = dt.datetime.fromtimestamp(reset, dt.timezone.utc)
    except (ValueError, OverflowError, OSError):  # beyond the year 9999: no time to say
        return ""
    return f"; it resets at {when:%Y-%m-%d %H:%M:%S} UTC"


def _count(headers: dict[str, str], name: str) -> str:
    number = _number(headers, name)
    return "?" if number is None else str(number)


def _message(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    text = str(data.get("message") or "")
    errors = data.get("errors")
    if isinstance(errors, list):
        details = [str(e.get("message") or e.get("code") or "") if isinstance(e, dict)
                   else str(e) for e in errors]
        text += ": " + "; ".join(d for d in details if d) if any(details) else ""
    return shown(" ".join(text.split()))


def _failure(method: str, path: str, response: Response) -> FatalError:
    status, headers, data = response.status, response.headers, response.data
    said = _message(data)
    what = f"GitHub API: {method} {shown(path)}"
    if status in (403, 429) and headers.get("x-ratelimit-remaining", "").strip() == "0":
        return FatalError(f"{what}: rate limit exceeded ({_count(headers, 'x-ratelimit-used')}"
                          f" of {_count(headers, 'x-ratelimit-limit')} requests used)"
                          f"{_reset(headers)}")
    if status in (403, 429) and ("secondary rate limit" in said.lower()
                                 or "retry-after" in headers):
        wait = _number(headers, "retry-after", 6)
        return FatalError(f"{what}: secondary rate limit ({said or 'too many requests'})"
                          + (f"; retry after {wait} s" if wait is not None
                             else "; retry in a minute"))
    if status == 401:
        return FatalError(f"{what}: bad credentials (401); check the token in GITHUB_TOKEN")
    if 300 <= status < 400:
        return FatalError(f"{what}: HTTP {status}, a redirect not followed (more than "
                          f"{MAX_REDIRECTS} in a row, or of a {method})")
    if status == 403:
        return FatalError(f"{what}: forbidden (403: {said or 'no message'}); the token needs "
                          "'pull-requests: write' (a workflow's permissions) on this repository")
    if status == 404:
        return FatalError(f"{what}: not found (404); check the repository and pull request "
                          "number, and that the token can see them")
    if status == 422:
        return FatalError(f"{what}: rejected (422: {said or 'validation failed'})")
    return FatalError(f"{what}: HTTP {status}" + (f" ({said})" if said else ""))


class GitHub:
    """A client for one repository."""

    def __init__(self, repository: str, token: str | None, api: str = DEFAULT_API,
                 timeout: float = 30.0) -> None:
        if not _REPOSITORY.fullmatch(repository):
            raise FatalError(f"'{shown(repository)}' is not a repository name (owner/name)")
        try:
            self.origin = _origin(api)
        except ValueError as error:
            raise FatalError(f"GITHUB_API_URL '{shown(api)}' is not an http(s) URL "
                             f"({shown(error)})") from error
        self.repository = repository
        self.token = token
        self.api = api.rstrip("/")
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_SameOrigin(self.origin))

    @classmethod
    def from_environment(cls, repository: str | None) -> GitHub:
        """The repository (default: GITHUB_REPOSITORY), the token in GITHUB_TOKEN (or
        GH_TOKEN) and the API at GITHUB_API_URL (GitHub Enterprise sets it)."""
        repository = repository or os.environ.get("GITHUB_REPOSITORY")
        if not repository:
            raise FatalError("no repository: give --repository OWNER/NAME (GitHub Actions sets "
                             "GITHUB_REPOSITORY)")
        variable = "GITHUB_TOKEN" if os.environ.get("GITHUB_TOKEN") else "GH_TOKEN"
        token = (os.environ.get(variable) or "").strip()
        if not token:
            raise FatalError("no token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: "
                             "${{ github.token }})")
        if not _TOKEN.fullmatch(token):  # never shown: it is a secret
            raise FatalError(f"{variable} is not a token: it holds spaces, control characters "
                             "or characters beyond ASCII")
        return cls(repository, token, os.environ.get("GITHUB_API_URL") or DEFAULT_API)

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else \
            f"{self.api}/repos/{self.repository}{path}"

    def request(self, method: str, path: str, body: Any = None) -> Response:
        url = self._url(path)
        try:
            same = _origin(url) == self.origin
        except ValueError:
            same = False
        if not same:
            raise FatalError("GitHub API: refusing to follow a link to another origin: "
                             f"{shown(url)}")
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
                   "User-Agent": f"itsmctl/{__version__}"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data, headers, method=method)
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                response = Response(answer.status, _lower(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            response = Response(error.code, _lower(error.headers), error.read())
        except _Redirected as error:
            raise FatalError(f"GitHub API: {method} {shown(path)} answered a redirect (HTTP "
                             f"{error.code}) to {shown(error.target)}, another origin than "
                             f"the API's ({shown(self.api)}): not followed, the request "
                             "carries the token") from error
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise FatalError(f"GitHub API: cannot reach {shown(self.api)}: "
                             f"{shown(reason)}") from error
        try:
            parsed = json.loads(response.data) if response.data else None
        except (ValueError, RecursionError) as error:
            if response.status >= 400:  # the status says what went wrong
                raise _failure(method, path, Response(response.status, response.headers,
                                                      None)) from error
            raise FatalError(f"GitHub API: {method} {shown(path)} answered HTTP "
                             f"{response.status} with something that is not JSON") from error
        result = Response(response.status, response.headers, parsed)
        if not 200 <= result.status < 300:
            raise _failure(method, path, result)
        return result

    def pages(self, path: str) -> Iterator[Any]:
        """Every item of a listing, following `Link: <…>; rel="next"`."""
        url: str | None = f"{path}{'&' if '?' in path else '?'}per_page={PER_PAGE}"
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.request("GET", url)
            if not isinstance(response.data, list):
                raise FatalError(f"GitHub API: GET {path} did not answer a list")
            yield from response.data
            url = next_page(response.headers.get("link"))
        raise FatalError(f"GitHub API: GET {path} has more than {MAX_PAGES} pages")

    def pull(self, number: int) -> dict[str, Any]:
        data = self.request("GET", f"/pulls/{number}").data
        if not isinstance(data, dict):
            raise FatalError(f"GitHub API: pull request #{number} is not an object")
        return data

    def reviews(self, number: int) -> list[Any]:
        """The pull request's reviews, every page, as GitHub lists them; each must be a
        review object as `itsmctl review --reviews` reads them (else exit 2)."""
        path = f"/pulls/{number}/reviews"
        items = list(self.pages(path))
        for index, item in enumerate(items):
            review_of(item, f"GitHub API: GET {path} answered a list whose review "
                            f"{index + 1}", strict=True)
        return items

    def comments(self, number: int) -> Iterator[dict[str, Any]]:
        for item in self.pages(f"/issues/{number}/comments"):
            if isinstance(item, dict):
                yield item

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        data = self.request("POST", f"/issues/{number}/comments", {"body": body}).data
        return data if isinstance(data, dict) else {}

    def update_comment(self, comment_id: int, body: str) -> dict[str, Any]:
        data = self.request("PATCH", f"/issues/comments/{comment_id}", {"body": body}).data
        return data if isinstance(data, dict) else {}


def reviews_json(github: GitHub, number: int) -> str:
    """`itsmctl github reviews`: GitHub's review objects of every page, as one JSON list."""
    # ASCII: a review's body cannot drive the terminal (C1 controls, bidi overrides)
    return json.dumps(github.reviews(number), indent=2) + "\n"
