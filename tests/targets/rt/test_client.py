"""The RT client's inputs (URL, credentials from the environment only), reading RT's
pages, and the plan's building blocks; plan/apply fail clearly (exit 2) without an RT."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from itsmctl.errors import FatalError
from itsmctl.targets.rt.client import Credentials, Response, rt_url
from itsmctl.targets.rt.desired import parse_marker, with_marker
from itsmctl.targets.rt.html import is_csrf_page, is_denied_page, is_login_page, read_form
from itsmctl.targets.rt.plan import Change, Diff, Plan, json_diffs, norm, set_path
from tests.helpers import ROOT


def test_credentials_come_from_the_environment_only() -> None:
    assert Credentials.from_env({"RT_TOKEN": "1-2-3", "RT_USER": "u", "RT_PASSWORD": "p"}) \
        == Credentials(token="1-2-3")
    both = Credentials.from_env({"RT_USER": "root", "RT_PASSWORD": "secret"})
    assert both.header() == "Basic cm9vdDpzZWNyZXQ="
    assert "secret" not in repr(both)
    assert Credentials(token="1-2-3").header() == "token 1-2-3"
    with pytest.raises(FatalError, match="no credentials"):
        Credentials.from_env({"RT_USER": "root"})


def test_url_from_option_or_environment() -> None:
    assert rt_url("http://rt.example/", {}) == "http://rt.example"
    assert rt_url(None, {"RT_URL": "https://rt.example/rt"}) == "https://rt.example/rt"
    with pytest.raises(FatalError, match="no Request Tracker URL"):
        rt_url(None, {})
    with pytest.raises(FatalError, match="is not an http"):
        rt_url("ftp://rt.example", {})


def test_rest2_messages() -> None:
    refused = Response(200, {}, b'["Ticket 1: You can\'t change status from \'new\' to \'x\'."]')
    assert refused.messages == ["Ticket 1: You can't change status from 'new' to 'x'."]
    assert Response(400, {}, b'{"message": "Invalid value"}').messages == ["Invalid value"]
    assert Response(201, {"ETag": '"7"'}, b'{"id": "3"}').etag == '"7"'


PAGE = """<html><body>
<ul class="action-results"><li>Lifecycle
  updated</li></ul>
<form>
<input type="text" name="Description" value="A &amp; B">
<input type="hidden" name="id" value="12">
<input type="checkbox" name="Enabled" value="1" checked>
<input type="checkbox" name="RemoveCustomField-3" value="7">
<textarea name="Config">{"type": "ticket"}</textarea>
<select name="ScripCondition"><option value="">-</option>
<option value="16" selected>User Defined</option></select>
</form>
<div id="acl-19"><h3> Requestor </h3></div>
<a href="/Admin/Scrips/Modify.html?id=4&amp;From=Global">On Create [itsmctl scrip/x]</a>
</body></html>"""


def test_reading_a_page() -> None:
    form = read_form(PAGE)
    assert form.values["Description"] == "A & B"
    assert form.values["Config"] == '{"type": "ticket"}'
    assert form.values["ScripCondition"] == "16"
    assert ("16", "User Defined") in form.options["ScripCondition"]
    assert form.checked["Enabled"] == ["1"] and form.boxes["RemoveCustomField-3"] == ["7"]
    assert form.results == ["Lifecycle updated"]
    assert form.headings == [("acl-19", "Requestor")]
    assert ("/Admin/Scrips/Modify.html?id=4&From=Global", "On Create [itsmctl scrip/x]") \
        in form.links
    assert not is_login_page(PAGE) and not is_csrf_page(PAGE)
    assert is_login_page('<form id="login"><input type="password" name="pass"></form>')
    assert is_denied_page("<title>RT Error</title><p>Permission Denied</p>")
    assert not is_denied_page("<title>RT Error</title><p>Invalid lifecycle</p>")


def test_markers() -> None:
    text = with_marker("Tickets for Ops", "team", "ops")
    assert text == "Tickets for Ops [itsmctl team/ops]"
    assert parse_marker(text) == ("team", "ops")
    assert parse_marker("Tickets for Ops") is None and parse_marker(None) is None


def test_json_diffs_by_path_and_numbers_as_rt_returns_them() -> None:
    before = {"a": {"b": [1, 2], "c": "5"}, "gone": 1}
    after = {"a": {"b": [1, 2, 3], "c": 5}, "new": True}
    assert json_diffs(before, after) == [Diff("a.b", [1, 2], [1, 2, 3]),
                                         Diff("gone", 1, None), Diff("new", None, True)]
    assert norm({"x": ["1", "a"]}) == {"x": [1, "a"]}
    tree = {"ServiceAgreements": {"Levels": {"a": 1}}}
    assert set_path(tree, ["ServiceAgreements", "Levels", "b"], 2) == \
        {"ServiceAgreements": {"Levels": {"a": 1, "b": 2}}}
    assert set_path(tree, ["ServiceAgreements", "Levels", "a"], None) == \
        {"ServiceAgreements": {"Levels": {}}}
    assert tree == {"ServiceAgreements": {"Levels": {"a": 1}}}


def test_a_saved_plan_reads_back(tmp_path: Path) -> None:
    plan = Plan("http://rt", "5.0.3", "sha256:x", [Change(
        "update", "queue", "ops", "Ops", [Diff("Name", "Op", "Ops")],
        {"id": 3, "etag": '"9"', "fields": {"Name": "Ops"}})], ["a note"], {"queue": {"ops": 3}})
    assert Plan.from_json(plan.to_json(), "plan.json") == plan
    with pytest.raises(FatalError, match="not a plan written by itsmctl"):
        Plan.from_json('{"format": "other"}', "plan.json")
    with pytest.raises(FatalError, match="not a plan written by itsmctl"):
        Plan.from_json("[", "plan.json")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(("env", "message"), [
    ({}, "no Request Tracker URL"),
    ({"RT_URL": "http://127.0.0.1:9"}, "no credentials for Request Tracker"),
])
def test_plan_cannot_run_without_url_or_credentials(run, monkeypatch: pytest.MonkeyPatch,
                                                    env: dict[str, str], message: str) -> None:
    for key in ("RT_URL", "RT_TOKEN", "RT_USER", "RT_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, out, err = run("--repo", str(ROOT), "plan", "--target", "rt")
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err


def test_plan_and_apply_cannot_reach_rt(run, monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    monkeypatch.setenv("RT_TOKEN", "1-2-3")
    url = f"http://127.0.0.1:{_closed_port()}"
    for command in (["plan"], ["apply", "--yes"]):
        code, _, err = run("--repo", str(ROOT), *command, "--target", "rt", "--url", url)
        assert code == 2
        assert f"cannot reach Request Tracker at {url}" in err
    broken = tmp_path / "plan.json"
    broken.write_text("{}")
    code, _, err = run("--repo", str(ROOT), "apply", "--target", "rt", "--url", url, "--plan",
                       str(broken))
    assert code == 2 and "not a plan written by itsmctl plan --out" in err
