"""`build --target rt`: mapping.json in the documented shape, RT's configuration for
lifecycles, SLAs and business hours, the objects, and an `rt-approximation` warning for
each fact RT cannot hold exactly. Deterministic like every target."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from itsmctl.targets.rt.perl import literal, string
from tests.helpers import GOLDEN, NOW, ROOT

APPROXIMATIONS = GOLDEN / "rt-approximations.txt"


def build(run: Any, repo: Path, out: Path) -> tuple[int, str, str]:
    return run("--repo", str(repo), "build", "--target", "rt", "--out", str(out), "--now", NOW)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from itsmctl.cli.main import main

    out = tmp_path_factory.mktemp("rt")
    assert main(["--repo", str(ROOT), "build", "--target", "rt", "--out", str(out),
                 "--now", NOW]) == 0
    folder = out / "rt"
    return {"folder": folder, **{name: json.loads((folder / f"{name}.json").read_text())
                                 for name in ("mapping", "config", "objects")}}


def test_files_are_written_and_byte_identical(run, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert build(run, ROOT, one)[0] == 0
    assert build(run, ROOT, two)[0] == 0
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert [str(p) for p in files] == [
        "rt/RT_SiteConfig.d/80-itsmctl.pm", "rt/config.json", "rt/mapping.json",
        "rt/objects.json", "rt/scrips/sla-level.commit.pl",
        "rt/scrips/sla-level.condition.pl"]
    for path in files:
        assert (one / path).read_bytes() == (two / path).read_bytes(), path


def test_mapping_has_the_documented_shape(example: dict[str, Any]) -> None:
    mapping = example["mapping"]
    assert set(mapping) == {"services", "lifecycles"}
    assert mapping["services"]["erp"] == {
        "queue": "Business Applications", "sla": "gold",
        "levels": {"P1": "gold-P1", "P2": "gold-P2", "P3": "gold-P3", "P4": "gold-P4"}}
    assert mapping["lifecycles"] == {name: name for name in (
        "change-normal", "incident-standard", "problem-standard", "request-standard")}
    assert all(set(s) == {"queue", "sla", "levels"} for s in mapping["services"].values())
    # production and retiring services are offered; retired ones are not
    assert "legacy-intranet" in mapping["services"]
    assert "fax-gateway" not in mapping["services"]


def test_every_offered_service_is_a_value_on_its_queue(example: dict[str, Any]) -> None:
    fields = {cf["key"]: cf for cf in example["objects"]["customFields"]}
    service = fields["service"]
    assert [v["name"] for v in service["values"]] == sorted(example["mapping"]["services"])
    queues = {q["key"]: q["name"] for q in example["objects"]["queues"]}
    assert {queues[k] for k in service["queues"]} == \
        {s["queue"] for s in example["mapping"]["services"].values()}
    category = [v["name"] for v in fields["category"]["values"]]
    assert category[:5] == ["access", "access-request", "account-locked", "password-reset",
                            "business-apps"]  # each parent, then its children


def test_queues_groups_users_and_rights(example: dict[str, Any]) -> None:
    objects = example["objects"]
    queue = next(q for q in objects["queues"] if q["key"] == "network-ops")
    assert queue == {"key": "network-ops", "name": "Network Operations",
                     "description": "Tickets for the services Network Operations supports "
                                    "[itsmctl team/network-ops]",
                     "lifecycle": "incident-standard"}
    group = next(g for g in objects["groups"] if g["key"] == "cab")
    assert group["members"] == ["jweber", "klange", "lmeyer", "mschneider"]
    user = next(u for u in objects["users"] if u["key"] == "lmeyer")
    assert user == {"key": "lmeyer", "email": "lmeyer@northwind.example",
                    "real_name": "Laura Meyer", "comments": "[itsmctl user/lmeyer]"}
    rights = {(r["principal"], r["object"]): r["rights"] for r in objects["rights"]}
    assert "OwnTicket" in rights[("group:network-ops", "queue:network-ops")]
    assert rights[("everyone", "queue:network-ops")] == ["CreateTicket", "ReplyToTicket",
                                                         "SeeQueue"]
    assert rights[("role:Requestor", "queue:network-ops")] == ["ShowTicket"]
    assert rights[("everyone", "customfield:service")] == ["ModifyCustomField",
                                                           "SeeCustomField"]


def test_lifecycles_from_workflows(example: dict[str, Any]) -> None:
    lifecycles = example["config"]["Lifecycles"]
    change = lifecycles["change-normal"]
    assert change["initial"] == ["draft"]
    assert change["inactive"] == ["closed", "rejected"]
    assert change["transitions"][""] == ["draft"]
    assert change["transitions"]["authorisation"] == ["scheduled", "rejected"]
    assert change["rights"] == {"authorisation -> scheduled": "ApproveCab"}
    assert change["defaults"] == {"on_create": "draft"}
    assert change["ManagedBy"] == "itsmctl"
    request = lifecycles["request-standard"]
    # "Withdraw" goes from any state: every other state may move to rejected
    assert all("rejected" in request["transitions"][s] for s in request["transitions"]
               if s not in ("", "rejected"))
    assert "rejected" not in request["transitions"].get("rejected", [])
    incident = lifecycles["incident-standard"]
    assert incident["actions"][:2] == ["new -> triaged", {"label": "Triage"}]
    assert incident["active"] == ["triaged", "in-progress", "awaiting-user", "awaiting-vendor"]


def test_service_levels(example: dict[str, Any]) -> None:
    levels = example["config"]["ServiceAgreements"]["Levels"]
    assert len(levels) == 16
    gold = levels["gold-P1"]
    assert gold["BusinessHours"] == "us-business-hours"
    assert gold["Timezone"] == "America/New_York"
    assert gold["Response"] == {"BusinessMinutes": 15, "ExcludeTimeOnIgnoredStatuses": 1,
                                "IgnoreOnStatuses": ["awaiting-user", "awaiting-vendor"]}
    assert levels["platinum-P2"]["Resolve"]["RealMinutes"] == 480  # 24x7: real time
    assert "BusinessHours" not in levels["platinum-P2"]
    # 2w of EU business time (49 h a week) would end beyond RT's 30-day search
    silver = levels["silver-P4"]["Resolve"]
    assert silver["RealMinutes"] % (7 * 24 * 60) == 0
    weeks = silver["RealMinutes"] // (7 * 24 * 60)
    assert silver["BusinessMinutes"] + weeks * 49 * 60 == 14 * 24 * 60


def test_business_hours(example: dict[str, Any]) -> None:
    hours = example["config"]["ServiceBusinessHours"]
    assert "always-on" not in hours
    desk = hours["service-desk-hours"]
    assert desk["1"] == {"Name": "Monday", "Start": "07:00", "End": "19:00",
                         "Breaks": [{"Start": "12:00", "End": "13:00"}]}
    assert desk["6"] == {"Name": "Saturday", "Start": "09:00", "End": "13:00"}
    assert "0" not in desk
    sun = hours["follow-the-sun"]["0"]
    assert (sun["Start"], sun["End"]) == ("22:00", "24:00")
    eu = hours["eu-business-hours"]["holidays"]
    assert "2026-12-24" in eu and "2026-12-25" in eu  # company and public holidays
    assert "2028-12-25" in eu and not any(d.startswith("2029") for d in eu)
    assert example["config"]["horizon"] == {"from": "2026-01-01", "to": "2028-12-31"}


def test_priorities_per_queue(example: dict[str, Any]) -> None:
    priorities = example["config"]["PriorityAsString"]
    assert priorities["Service Desk"] == ["P1", 30, "P2", 20, "P3", 10, "P4", 0]
    assert set(priorities) == {q["name"] for q in example["objects"]["queues"]}


def test_scrip_maps_services_to_levels(example: dict[str, Any]) -> None:
    commit = (example["folder"] / "scrips/sla-level.commit.pl").read_text()
    assert "    'erp' => 'gold',\n" in commit
    assert "    'silver-P4',\n" in commit
    assert example["objects"]["scrip"]["description"].endswith("[itsmctl scrip/sla-level]")


def test_approximations_of_the_example(run, tmp_path: Path) -> None:
    code, _, err = build(run, ROOT, tmp_path)
    assert code == 0
    lines = "".join(line + "\n" for line in err.splitlines() if "[rt-approximation]" in line)
    if os.environ.get("UPDATE_GOLDEN"):
        APPROXIMATIONS.write_text(lines)
    assert lines == APPROXIMATIONS.read_text()


def test_small_catalog(run, make_repo, tmp_path: Path) -> None:
    code, _, err = build(run, make_repo(), tmp_path)
    assert code == 0
    mapping = json.loads((tmp_path / "rt/mapping.json").read_text())
    assert mapping["services"]["mail"] == {"queue": "ops", "sla": "std",
                                           "levels": {"P1": "std-P1", "P2": "std-P2"}}
    assert "request item 'new-laptop' is not compiled" in err
    assert "escalations (50% → ops) are not configured" in err


PERL_DUMP = r"""
use strict; use warnings; use JSON::PP;
my %options;
sub Set(\[$@%]@) { my ($ref, @rest) = @_; $options{$main::name} = {@rest}; }
my $file = shift;
open(my $in, '<', $file) or die $!;
my $code = do { local $/; <$in> };
$code =~ s/^Set\(%(\w+),/\$main::name = '$1'; Set(%$1,/mg;
our $name;
my (%Lifecycles, %ServiceAgreements, %ServiceBusinessHours, %PriorityAsString);
eval $code; die $@ if $@;
print JSON::PP->new->canonical->encode(\%options);
"""


@pytest.mark.skipif(shutil.which("perl") is None, reason="perl is not installed")
def test_site_config_is_perl_holding_the_same_configuration(example: dict[str, Any]) -> None:
    folder = example["folder"]
    done = subprocess.run(["perl", "-e", PERL_DUMP,
                           str(folder / "RT_SiteConfig.d/80-itsmctl.pm")],
                          capture_output=True, text=True, check=True)
    config = dict(example["config"])
    config.pop("horizon")
    assert json.loads(done.stdout) == json.loads(json.dumps(config))


@pytest.mark.skipif(shutil.which("perl") is None, reason="perl is not installed")
def test_scrip_code_compiles(example: dict[str, Any], tmp_path: Path) -> None:
    for part in ("condition", "commit"):
        code = (example["folder"] / f"scrips/sla-level.{part}.pl").read_text()
        wrapper = tmp_path / f"{part}.pl"
        wrapper.write_text("use strict; use warnings;\nsub scrip { my $self = shift;\n"
                           f"{code}}}\n1;\n")
        done = subprocess.run(["perl", "-c", str(wrapper)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_perl_literals_escape_quotes_and_backslashes() -> None:
    assert string("it's a \\ path") == "'it\\'s a \\\\ path'"
    assert literal({"a": [1, "b"], "c": {"d": None}}) == \
        "{\n    'a' => [1, 'b'],\n    'c' => {\n        'd' => undef,\n    },\n}"
    assert literal([]) == "[]" and literal({}) == "{}" and literal(True) == "1"
