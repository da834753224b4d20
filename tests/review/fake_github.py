"""A local stand-in for GitHub's REST API (it cannot run here), on 127.0.0.1: the pull
request and issue-comment endpoints the review uses, answering in GitHub's documented
formats — the objects' fields, `Link` pagination (with the /repositories/{id} URLs GitHub
gives), `x-ratelimit-*` headers on every answer, and its error bodies for 401, 403
(permissions, primary and secondary rate limits), 404 and 422 — so that the client is
tested against what GitHub sends, not against a mock of our own calls."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DOCS = "https://docs.github.com/rest"
REPO_ID = 1296269
BODY_LIMIT = 65_536


def user(login: str, kind: str = "User") -> dict[str, Any]:
    return {"login": login, "id": abs(hash(login)) % 10**7, "node_id": "MDQ6VXNlcjE=",
            "avatar_url": f"https://github.com/images/{login}.gif", "gravatar_id": "",
            "url": f"https://api.github.com/users/{login}",
            "html_url": f"https://github.com/{login}", "type": kind, "site_admin": False}


@dataclass
class Failure:
    status: int
    body: Any  # JSON, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class State:
    owner: str = "acme"
    name: str = "catalog"
    token: str = "ghs_test"
    bot: str = "github-actions[bot]"
    per_page_cap: int = 100
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    reviews: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    failures: list[tuple[str, str, Failure]] = field(default_factory=list)  # method, path re
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000
    remaining: int = 5000


class FakeGitHub:
    def __init__(self) -> None:
        self.state = State()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def full_name(self) -> str:
        return f"{self.state.owner}/{self.state.name}"

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # what a test sets up
    def open_pull(self, number: int, head: str, base: str, author: str = "octocat",
                  fork: str | None = None) -> None:
        repo = {"id": REPO_ID, "full_name": self.full_name, "name": self.state.name}
        head_repo = {"id": REPO_ID + 1, "full_name": fork, "name": self.state.name} \
            if fork else repo
        self.state.pulls[number] = {
            "url": f"{self.url}/repos/{self.full_name}/pulls/{number}", "id": 1000 + number,
            "number": number, "state": "open", "title": "A change",
            "html_url": f"https://github.com/{self.full_name}/pull/{number}",
            "user": user(author), "draft": False,
            "head": {"label": f"{author}:feature", "ref": "feature", "sha": head,
                     "user": user(author), "repo": head_repo},
            "base": {"label": f"{self.state.owner}:main", "ref": "main", "sha": base,
                     "user": user(self.state.owner, "Organization"), "repo": repo}}
        self.state.comments.setdefault(number, [])
        self.state.reviews.setdefault(number, [])

    def review(self, number: int, login: str, state: str, commit_id: str | None = None,
               submitted_at: str | None = "2026-11-20T09:00:00Z") -> None:
        """A review as GitHub lists it (a PENDING one has no submitted_at)."""
        self.state.next_id += 1
        rid = self.state.next_id
        pull = self.state.pulls[number]
        item = {"id": rid, "node_id": f"PRR_kwDO{rid}", "user": user(login),
                "body": "", "state": state,
                "html_url": f"https://github.com/{self.full_name}/pull/{number}"
                            f"#pullrequestreview-{rid}",
                "pull_request_url": pull["url"], "author_association": "MEMBER",
                "_links": {"html": {"href": f"https://github.com/{self.full_name}/pull/"
                                            f"{number}#pullrequestreview-{rid}"},
                           "pull_request": {"href": pull["url"]}},
                "commit_id": commit_id or pull["head"]["sha"]}
        if state != "PENDING":
            item["submitted_at"] = submitted_at
        self.state.reviews[number].append(item)

    def push(self, number: int, head: str) -> None:
        self.state.pulls[number]["head"]["sha"] = head

    def add_comment(self, number: int, login: str, body: str) -> dict[str, Any]:
        return self._create(number, login, body)

    def fail(self, method: str, path: str, failure: Failure) -> None:
        self.state.failures.append((method, path, failure))

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.state.requests if r[0] in ("POST", "PATCH")]

    def _create(self, number: int, login: str, body: str) -> dict[str, Any]:
        self.state.next_id += 1
        cid = self.state.next_id
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        comment = {
            "id": cid, "node_id": f"IC_kwDO{cid}",
            "url": f"{self.url}/repos/{self.full_name}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.full_name}/pull/{number}#issuecomment-{cid}",
            "body": body, "user": user(login, "Bot" if login.endswith("[bot]") else "User"),
            "created_at": now, "updated_at": now,
            "issue_url": f"{self.url}/repos/{self.full_name}/issues/{number}",
            "author_association": "NONE" if login.endswith("[bot]") else "MEMBER",
            "performed_via_github_app": None,
            "reactions": {"url": "", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
                          "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0}}
        self.state.comments[number].append(comment)
        return comment


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else \
                json.dumps(body).encode() if body is not None else b""
            state = fake.state
            state.remaining = max(0, state.remaining - 1)
            sent = {"Content-Type": "application/json; charset=utf-8",
                    "X-GitHub-Media-Type": "github.v3; format=json",
                    "x-ratelimit-limit": "5000", "x-ratelimit-remaining": str(state.remaining),
                    "x-ratelimit-reset": "1767225600",
                    "x-ratelimit-used": str(5000 - state.remaining),
                    "x-ratelimit-resource": "core", **(headers or {})}
            self.send_response(status)
            for key, value in sent.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str, doc: str, **extra: Any) -> None:
            self._send(status, {"message": message, "documentation_url": f"{DOCS}/{doc}",
                                "status": str(status), **extra})

        def _route(self, method: str) -> None:
            state = fake.state
            parts = urlsplit(self.path)
            state.requests.append((method, parts.path))
            for fail_method, pattern, failure in state.failures:
                if fail_method == method and re.fullmatch(pattern, parts.path):
                    self._send(failure.status, failure.body, failure.headers)
                    return
            auth = self.headers.get("Authorization", "")
            if auth not in (f"Bearer {state.token}", f"token {state.token}"):
                self._error(401, "Bad credentials", "overview/troubleshooting")
                return
            prefix = rf"/(?:repos/{state.owner}/{state.name}|repositories/{REPO_ID})"
            body: Any = None
            if method in ("POST", "PATCH"):
                length = int(self.headers.get("Content-Length", "0"))
                try:
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    self._error(400, "Problems parsing JSON", "overview/resources-in-the-rest-api")
                    return
            if (m := re.fullmatch(prefix + r"/pulls/(\d+)", parts.path)) and method == "GET":
                pull = state.pulls.get(int(m.group(1)))
                if pull is None:
                    self._error(404, "Not Found", "pulls/pulls#get-a-pull-request")
                else:
                    self._send(200, pull)
                return
            if (m := re.fullmatch(prefix + r"/pulls/(\d+)/reviews", parts.path)) \
                    and method == "GET":
                number = int(m.group(1))
                if number not in state.reviews:
                    self._error(404, "Not Found", "pulls/reviews#list-reviews-for-a-pull-request")
                else:
                    self._list(state.reviews[number], f"pulls/{number}/reviews", parts.query)
                return
            if m := re.fullmatch(prefix + r"/issues/(\d+)/comments", parts.path):
                number = int(m.group(1))
                if number not in state.comments:
                    self._error(404, "Not Found", "issues/comments")
                elif method == "GET":
                    self._list(state.comments[number], f"issues/{number}/comments",
                               parts.query)
                elif method == "POST":
                    self._write(number, None, body)
                return
            if (m := re.fullmatch(prefix + r"/issues/comments/(\d+)", parts.path)) \
                    and method == "PATCH":
                self._write(None, int(m.group(1)), body)
                return
            self._error(404, "Not Found", "")

        def _list(self, items: list[dict[str, Any]], path: str, query: str) -> None:
            params = parse_qs(query)
            per_page = min(int(params.get("per_page", ["30"])[0]), fake.state.per_page_cap)
            page = int(params.get("page", ["1"])[0])
            last = max(1, -(-len(items) // per_page))
            links = []
            base = f"{fake.url}/repositories/{REPO_ID}/{path}"
            if page < last:
                links.append(f'<{base}?per_page={per_page}&page={page + 1}>; rel="next"')
                links.append(f'<{base}?per_page={per_page}&page={last}>; rel="last"')
            if page > 1:
                links.insert(0, f'<{base}?per_page={per_page}&page={page - 1}>; rel="prev"')
                links.insert(1, f'<{base}?per_page={per_page}&page=1>; rel="first"')
            headers = {"Link": ", ".join(links)} if links else {}
            self._send(200, items[(page - 1) * per_page: page * per_page], headers)

        def _write(self, number: int | None, comment_id: int | None, body: Any) -> None:
            state = fake.state
            text = body.get("body") if isinstance(body, dict) else None
            if not isinstance(text, str):
                self._error(422, "Invalid request.\n\n\"body\" wasn't supplied.",
                            "issues/comments#create-an-issue-comment")
                return
            if len(text) > BODY_LIMIT:
                self._error(422, "Validation Failed", "issues/comments#create-an-issue-comment",
                            errors=[{"resource": "IssueComment", "code": "custom",
                                     "field": "body", "message": "body is too long (maximum "
                                     f"is {BODY_LIMIT} characters)"}])
                return
            if number is not None:
                comment = fake._create(number, state.bot, text)
                self._send(201, comment, {"Location": comment["url"]})
                return
            for comments in state.comments.values():
                for comment in comments:
                    if comment["id"] == comment_id:
                        if comment["user"]["login"] != state.bot:
                            self._error(403, "Resource not accessible by integration",
                                        "issues/comments#update-an-issue-comment")
                            return
                        comment["body"] = text
                        comment["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                              time.gmtime())
                        self._send(200, comment)
                        return
            self._error(404, "Not Found", "issues/comments#update-an-issue-comment")

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PATCH(self) -> None:
            self._route("PATCH")

    return Handler


RATE_LIMITED = Failure(403, {"message": "API rate limit exceeded for installation ID 4242.",
                             "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
                             "status": "403"},
                       {"x-ratelimit-remaining": "0", "x-ratelimit-used": "5000",
                        "x-ratelimit-limit": "5000", "x-ratelimit-reset": "1767225600"})
SECONDARY = Failure(403, {"message": "You have exceeded a secondary rate limit. Please wait a "
                          "few minutes before you try again.",
                          "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api"
                          "#about-secondary-rate-limits", "status": "403"},
                    {"retry-after": "60"})
FORBIDDEN = Failure(403, {"message": "Resource not accessible by integration",
                          "documentation_url": f"{DOCS}/issues/comments#create-an-issue-comment",
                          "status": "403"})
