"""Policies in `check`: context, locations, sandbox, limits and waivers (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from itsmctl.policy import sandbox as expressions
from tests.helpers import NOW


def policy(name: str, assertion: str, kinds: str = "[Service]", when: str | None = None,
           message: str = "{{ entity.metadata.name }} fails", severity: str = "error",
           path: str | None = None) -> str:
    match = f"  match:\n    kinds: {kinds}\n" + (f"    when: {json.dumps(when)}\n" if when else "")
    item = (f"    - that: {json.dumps(assertion)}\n      path: {path}\n" if path
            else f"    - {json.dumps(assertion)}\n")
    return (f"apiVersion: itsmctl/v1\nkind: Policy\nmetadata: {{name: {name}}}\nspec:\n"
            f"  severity: {severity}\n{match}  assert:\n{item}"
            f"  message: {json.dumps(message)}\n")


def findings(run, repo: Path, *extra: str) -> tuple[int, list[dict]]:
    code, out, err = run("--repo", str(repo), "check", "--now", NOW, "--format", "json", *extra)
    assert err == ""
    return code, [d for d in json.loads(out) if d["rule"] != "policy/windowed"]


def test_finding_is_located_at_the_entity_field_with_policy_severity(run, make_repo) -> None:
    repo = make_repo({"policies/p.yaml": policy(
        "short-sla", "entity.spec.sla.spec.targets.P1.resolution | minutes < 60",
        path="spec.sla", severity="warning",
        message="{{ entity.metadata.name }} resolves P1 in "
                "{{ entity.spec.sla.spec.targets.P1.resolution }}")})
    code, found = findings(run, repo)
    assert code == 0  # warnings only
    assert [(d["path"], d["line"], d["column"], d["severity"], d["message"], d["rule"])
            for d in found] == [
        ("catalog/base.yaml", 72, 8, "warning", "mail resolves P1 in 4h", "policy/short-sla"),
        ("catalog/base.yaml", 83, 8, "warning", "web resolves P1 in 4h", "policy/short-sla")]
    assert found[0]["jsonPath"] == "$.spec.sla" and found[0]["kind"] == "Service"


def test_context_resolves_references_through_cycles_and_sees_catalog_and_now(
        run, make_repo) -> None:
    checks = [
        # owner -> team document; team -> members; SLA -> calendar document
        "entity.spec.owner.metadata.name == 'ops' and entity.spec.owner.spec.members | length == 2",
        "entity.spec.sla.spec.calendar.spec.timezone == 'Europe/Berlin'",
        # dependsOn -> service -> owner: the same shared document, however deep
        "entity.spec.dependsOn | map(attribute='spec.owner.metadata.name') | list == ['ops']",
        "catalog.Service.mail.spec.tier == 1 and catalog['Team']['ops'].kind == 'Team'",
        "today | string == '2026-11-21' and now.year == 2026",
        "entity | referenced_by('CatalogItem') | length == 0",
        "catalog.Service.mail | referenced_by('Service') | map(attribute='metadata.name') "
        "| list == ['web']",
        "entity.spec.supportGroup.metadata.name == 'ops'",  # a derived default, resolved
    ]
    files = {f"policies/p{i}.yaml": policy(f"p{i}", check, when="entity.metadata.name == 'web'")
             for i, check in enumerate(checks)}
    code, found = findings(run, make_repo(files))
    assert (code, found) == (0, [])


def test_tojson_of_a_cyclic_document_is_a_finding_not_a_crash(run, make_repo) -> None:
    # The team is referenced by the service and (through the catalog) references back.
    repo = make_repo({"policies/p.yaml": policy(
        "dump", "entity | tojson | length > 0", when="entity.metadata.name == 'web'")})
    code, found = findings(run, repo)
    assert code in (0, 1) and all(d["rule"] == "policy/dump" for d in found)


def test_an_assertion_that_fails_on_every_document_is_one_error_at_the_policy(
        run, make_repo) -> None:
    repo = make_repo({"policies/p.yaml": policy(
        "typo", "entity.spec.sla.spec.targts.P1 is defined and entity.spec.tier + 'x'",
        path="spec.sla")})
    code, found = findings(run, repo)
    assert code == 1
    assert [(d["path"], d["line"], d["column"], d["rule"]) for d in found] == [
        ("policies/p.yaml", 9, 13, "policy-invalid")]
    assert found[0]["message"] == (
        "policy 'typo': `entity.spec.sla.spec.targts.P1 is defined and entity.spec.tier + 'x'` "
        "cannot be evaluated on any of the 2 documents (Service/mail, Service/web): 'dict "
        "object' has no attribute 'targts'")


def test_an_assertion_that_fails_on_some_documents_is_a_finding_on_each(run, make_repo) -> None:
    repo = make_repo({"policies/p.yaml": policy(
        "windows", "entity.spec.maintenanceWindows | length > 0",
        path="spec.maintenanceWindows")})
    code, found = findings(run, repo)
    assert code == 1
    assert [(d["path"], d["line"], d["rule"]) for d in found] == [
        ("catalog/base.yaml", 81, "policy/windows")]
    assert found[0]["message"] == (
        "policy 'windows' could not evaluate `entity.spec.maintenanceWindows | length > 0` "
        "on Service/web: 'dict object' has no attribute 'maintenanceWindows'")


def test_a_typo_in_match_when_is_one_error_at_the_expression(run, make_repo) -> None:
    repo = make_repo({"policies/p.yaml": policy("w", "true", when="entity.spec.slaa.spec")})
    code, found = findings(run, repo)
    assert code == 1
    assert [(d["path"], d["line"], d["column"], d["rule"]) for d in found] == [
        ("policies/p.yaml", 8, 11, "policy-invalid")]
    assert found[0]["message"] == (
        "policy 'w': match.when cannot be evaluated on 2 documents (Service/mail, Service/web): "
        "'dict object' has no attribute 'slaa'")


def test_type_error_and_broken_message(run, make_repo) -> None:
    repo = make_repo({
        "policies/a.yaml": policy("add", "entity.spec.tier + 'x'"),
        "policies/b.yaml": policy("msg", "false", message="{{ entity.nope }}")})
    _code, found = findings(run, repo)
    messages = {d["rule"]: d["message"] for d in found}
    assert "TypeError" in messages["policy-invalid"]
    assert "message template failed: 'dict object' has no attribute 'nope'" in \
        messages["policy/msg"]


def test_syntax_error_is_reported_at_the_policy_and_the_run_goes_on(run, make_repo) -> None:
    repo = make_repo({
        "policies/bad.yaml": policy("bad", "entity.spec.tier ==", path="spec.tier"),
        "policies/unknown.yaml": policy("unknown", "entiy.spec.tier == 1"),
        "policies/good.yaml": policy("good", "entity.spec.tier > 1")})
    code, found = findings(run, repo)
    assert code == 1
    by_rule = {(d["rule"], d["path"], d["line"], d["column"]): d["message"] for d in found}
    assert ("policy-invalid", "policies/bad.yaml", 9, 13) in by_rule
    assert "did you mean 'entity'" in by_rule[("policy-invalid", "policies/unknown.yaml", 9, 7)]
    assert ("policy/good", "catalog/base.yaml", 66, 1) in by_rule  # mail is tier 1


SANDBOX_ESCAPES = [
    "''.__class__.__mro__[1].__subclasses__() | length > 0",
    "cycler.__init__.__globals__.os is defined",
    "lipsum.__globals__['os'] is defined",
    "joiner.__init__.__globals__ is defined",
    "namespace.__init__.__globals__ is defined",
    "entity['__class__'] is defined",
    "range(10) | list | length > 0",
    "self.__init__.__globals__ is defined",
]


@pytest.mark.parametrize("source", SANDBOX_ESCAPES)
def test_known_sandbox_escapes_are_refused_before_running(source: str, run, make_repo) -> None:
    code, found = findings(run, make_repo({"policies/p.yaml": policy("escape", source)}))
    assert code == 1
    assert [(d["rule"], d["path"], d["line"]) for d in found] == [
        ("policy-unsafe", "policies/p.yaml", 9)]
    assert "Policy 'escape'" in found[0]["message"]


@pytest.mark.parametrize("source", [
    "entity.metadata.name['_' ~ '_class__'] is defined",
    "entity | attr('__' ~ 'class__') is defined",
    "entity.metadata.name | map(attribute='_' ~ '_class__') | list | length > 0",
    "'{0.__class__}'.format(entity) | length > 0",
])
def test_runtime_escape_attempts_stop_the_policy(source: str, run, make_repo) -> None:
    code, found = findings(run, make_repo({"policies/p.yaml": policy("escape", source)}))
    assert code == 1
    assert [(d["rule"], d["path"]) for d in found] == [("policy-unsafe", "policies/p.yaml")]
    assert "policy 'escape' was stopped" in found[0]["message"]


@pytest.mark.parametrize("template", [
    "{% include 'secrets.txt' %}", "{% import 'x' as y %}", "{% extends 'base' %}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{% set x = 'a' %}{{ x }}", "{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}",
])
def test_templates_cannot_read_files_or_recurse(template: str, run, make_repo) -> None:
    _code, found = findings(run, make_repo(
        {"policies/p.yaml": policy("tpl", "false", message=template)}))
    assert [d["rule"] for d in found] == ["policy-unsafe"]
    assert "message template is unsafe" in found[0]["message"]


@pytest.mark.parametrize("source", [
    "('x' * 1000000) | length > 0",
    "([1] * 200000) | length > 0",
    "(2 ** 100000000) > 0",
    "'x'.ljust(1000000000) | length > 0",
    "'x' | replace('x', 'yyyyyyyyyy') | replace('y', 'zzzzzzzzzzzzzzzzzzzz') | length > 0"
    " and ('a' * 50000) | replace('a', 'bbbbbbbbbb') | length > 0",
])
def test_oversized_values_are_refused(source: str, run, make_repo) -> None:
    _code, found = findings(run, make_repo({"policies/p.yaml": policy("big", source)}))
    assert [(d["rule"], d["path"]) for d in found] == [("policy-limit", "policies/p.yaml")]


def test_printf_formatting_of_strings_is_refused(run, make_repo) -> None:
    _code, found = findings(run, make_repo(
        {"policies/p.yaml": policy("fmt", "('%0999999999d' % 1) | length > 0")}))
    assert [d["rule"] for d in found] == ["policy-unsafe"]


def test_a_policy_that_runs_too_long_is_stopped(run, make_repo, monkeypatch) -> None:
    monkeypatch.setattr(expressions, "TIME_LIMIT", 0.2)
    loops = ("{% for a in [1] * 500 %}{% for b in [1] * 500 %}{% for c in [1] * 500 %}"
             "{% endfor %}{% endfor %}{% endfor %}")
    files = {"policies/slow.yaml": policy("slow", "false", message=loops),
             "policies/fine.yaml": policy("fine", "entity.spec.tier > 1")}
    _code, found = findings(run, make_repo(files))
    rules = sorted(d["rule"] for d in found)
    assert rules == ["policy-limit", "policy/fine"]
    stopped = next(d for d in found if d["rule"] == "policy-limit")
    assert "time limit exceeded" in stopped["message"]


def test_policies_skip_documents_that_failed_earlier_stages(run, make_repo) -> None:
    repo = make_repo({
        "policies/p.yaml": policy("all", "false", kinds="[Service]"),
        "catalog/broken.yaml": "apiVersion: itsmctl/v1\nkind: Service\nmetadata: {name: x}\n"
                               "spec: {owner: nobody}\n"})
    _code, found = findings(run, repo)
    on = {d["name"] for d in found if d["rule"] == "policy/all"}
    assert on == {"mail", "web"}  # not x, which has an unknown reference


def test_match_without_kinds_applies_to_every_kind(run, make_repo) -> None:
    repo = make_repo({"policies/p.yaml": (
        "apiVersion: itsmctl/v1\nkind: Policy\nmetadata: {name: titled}\nspec:\n"
        "  severity: info\n  assert: [entity.metadata.title is defined]\n"
        "  message: \"{{ entity.kind }}/{{ entity.metadata.name }} has no title\"\n")})
    code, found = findings(run, repo)
    kinds = {d["kind"] for d in found}
    assert {"Team", "Service", "Calendar", "Policy", "Waiver"} <= kinds and code == 0


WAIVER = ("apiVersion: itsmctl/v1\nkind: Waiver\nmetadata: {{name: {name}}}\nspec:\n"
          "  policy: {policy}\n  entities: {entities}\n  reason: Agreed with the owner.\n"
          "  expires: \"{expires}\"\n")


def test_waiver_suppresses_in_every_format_and_counts_in_text(run, make_repo) -> None:
    repo = make_repo({
        "policies/p.yaml": policy("tiered", "entity.spec.tier > 2"),
        "policies/w.yaml": WAIVER.format(name="w", policy="tiered", entities="[Service/mail]",
                                         expires="2027-01-31")})
    code, found = findings(run, repo)
    state = {d["name"]: d.get("suppressed", False) for d in found}
    assert state == {"mail": True, "web": False} and code == 1
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW)
    assert out.splitlines()[-1] == "1 error, 2 waived in 6 files, 20 documents"
    assert "mail fails" not in out and "web fails" in out
    code, out, _ = run("--repo", str(repo), "check", "--now", NOW, "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    waived = [r for r in results if r.get("suppressions")]
    assert len(waived) == 2 and all(r["suppressions"][0]["kind"] == "external" for r in waived)


def test_expired_waiver_reactivates_the_finding(run, make_repo) -> None:
    repo = make_repo({
        "policies/p.yaml": policy("tiered", "entity.spec.tier > 1"),
        "policies/w.yaml": WAIVER.format(name="w", policy="tiered", entities="[Service/mail]",
                                         expires="2026-11-20")})
    code, found = findings(run, repo)
    assert code == 1
    assert sorted((d["rule"], d.get("suppressed", False)) for d in found) == [
        ("policy/tiered", False), ("waiver-expired", False)]
    # the last day of a waiver still counts
    code, found = findings(run, repo.parent / repo.name, "--now", "2026-11-20")
    assert [d.get("suppressed") for d in found if d["rule"] == "policy/tiered"] == [True]


def test_unused_waiver_entries_are_warnings_at_the_entry(run, make_repo) -> None:
    repo = make_repo({
        "policies/p.yaml": policy("tiered", "entity.spec.tier > 1"),
        "policies/w.yaml": WAIVER.format(name="w", policy="tiered",
                                         entities="[Service/mail, Service/web]",
                                         expires="2027-01-31")})
    code, found = findings(run, repo)
    unused = [d for d in found if d["rule"] == "waiver-unused"]
    assert [(d["path"], d["line"], d["column"], d["severity"]) for d in unused] == [
        ("policies/w.yaml", 6, 28, "warning")]
    assert "Service/web" in unused[0]["message"] and code == 0


def test_now_option_is_what_policies_see(run, make_repo) -> None:
    repo = make_repo({"policies/p.yaml": policy(
        "new-year", "now.month != 1", message="{{ now.isoformat() }}")})
    _code, found = findings(run, repo, "--now", "2027-01-02T10:00:00+01:00")
    assert {d["message"] for d in found} == {"2027-01-02T10:00:00+01:00"}


@pytest.mark.parametrize(("assertion", "message"), [
    ("entity.metadata.name | centre", "uses unknown filter 'centre' (did you mean 'percent'?)"),
    ("entity.metadata.name | center", "uses filter 'center', which is not available in "
                                      "policies"),
    ("entity.metadata.name is strng", "uses unknown test 'strng' (did you mean 'string'?)"),
])
def test_unknown_filters_and_tests_are_reported_at_the_policy(assertion: str, message: str,
                                                              run, make_repo) -> None:
    repo = make_repo({"policies/p.yaml": policy("f", assertion)})
    code, found = findings(run, repo)
    assert code == 1
    assert [(d["path"], d["rule"]) for d in found] == [("policies/p.yaml", "policy-invalid")]
    assert message in found[0]["message"]
