"""Generate a large, valid synthetic catalog: N services with everything else in proportion.

    python bench/generate.py OUT_DIR [--services 5000]

One document per file (so other tools can read it too); ~7,000 files at N = 5,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

H = "apiVersion: itsmctl/v1\n"
LEVELS = ["P1", "P2", "P3", "P4"]


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def generate(root: Path, services: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    n_teams, n_slas, n_cals = max(8, services // 50), max(3, services // 250), max(3, services // 500)
    n_parents, n_children = max(4, services // 100), max(12, services // 12)
    n_items, n_std, n_windows = max(6, services // 6), max(6, services // 12), max(3, services // 250)
    files = 0
    write(root, "catalog/priority-matrix.yaml", H + """kind: PriorityMatrix
metadata: {name: default}
spec:
  levels: [{name: P1}, {name: P2}, {name: P3}, {name: P4}]
  impact: [high, medium, low]
  urgency: [high, medium, low]
  matrix:
    high: {high: P1, medium: P2, low: P3}
    medium: {high: P2, medium: P3, low: P4}
    low: {high: P3, medium: P4, low: P4}
""")
    files += 1
    for t in range(n_teams):
        members = "".join(
            f"    - name: Person {t}-{m}\n      email: p{t}x{m}@example.com\n      handle: p{t}x{m}\n"
            for m in range(4))
        write(root, f"catalog/teams/team-{t}.yaml", H + f"""kind: Team
metadata:
  name: team-{t}
  title: Team {t}
spec:
  email: team-{t}@example.com
  chat: "#team-{t}"
  forgeTeam: "@example/team-{t}"
  lead: p{t}x0
  members:
{members}""")
        files += 1
    zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
    for c in range(n_cals):
        if c == 0:
            body = "  timezone: UTC\n  always: true\n"
        else:
            days = "".join(f'    {d}: ["08:00-12:00", "13:00-18:00"]\n'
                           for d in ("mon", "tue", "wed", "thu", "fri"))
            body = (f"  timezone: {zones[c % len(zones)]}\n  hours:\n{days}"
                    f"  holidays:\n    - {{date: \"2026-12-24\", name: Christmas Eve}}\n")
        write(root, f"catalog/calendars/cal-{c}.yaml", H + f"kind: Calendar\nmetadata:\n  name: cal-{c}\nspec:\n{body}")
        files += 1
    for s in range(n_slas):
        targets = "".join(f"    {lvl}: {{response: {15 * (i + 1)}m, resolution: {4 * (i + 1)}h}}\n"
                          for i, lvl in enumerate(LEVELS))
        write(root, f"catalog/slas/sla-{s}.yaml", H + f"""kind: SLA
metadata:
  name: sla-{s}
spec:
  calendar: cal-{s % n_cals}
  appliesTo: [incident, request]
  targets:
{targets}  escalations:
    - {{at: 50%, notify: team-{s % n_teams}}}
    - {{at: 90%, notify: team-{(s + 1) % n_teams}}}
""")
        files += 1
    for ticket in ("incident", "request", "problem", "change"):
        for v in range(max(1, services // 500)):
            write(root, f"catalog/workflows/{ticket}-{v}.yaml", H + f"""kind: Workflow
metadata:
  name: {ticket}-{v}
spec:
  appliesTo: {ticket}
  states:
    - {{name: new, category: new, initial: true}}
    - {{name: active, category: active}}
    - {{name: waiting, category: pending}}
    - {{name: resolved, category: resolved}}
    - {{name: closed, category: closed}}
    - {{name: cancelled, category: cancelled}}
  transitions:
    - {{from: [new, waiting], to: active}}
    - {{from: [active], to: waiting}}
    - {{from: [active], to: resolved}}
    - {{from: [resolved], to: closed}}
    - {{from: ["*"], to: cancelled}}
""")
            files += 1
    for p in range(n_parents):
        write(root, f"catalog/categories/parent-{p}.yaml", H + f"""kind: Category
metadata:
  name: parent-{p}
spec:
  appliesTo: [incident, request]
  assignmentGroup: team-{p % n_teams}
  defaultPriority: P3
""")
        files += 1
    for c in range(n_children):
        write(root, f"catalog/categories/child-{c}.yaml", H + f"""kind: Category
metadata:
  name: child-{c}
spec:
  parent: parent-{c % n_parents}
  defaultPriority: {LEVELS[c % 4]}
""")
        files += 1
    for w in range(n_windows):
        write(root, f"catalog/windows/window-{w}.yaml", H + f"""kind: MaintenanceWindow
metadata:
  name: window-{w}
spec:
  timezone: Europe/Berlin
  rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR={w % 24}
  duration: 2h
""")
        files += 1
    n_wf = max(1, services // 500)
    # Like a real catalog that its CI keeps compliant with the twenty benchmark policies
    # (see add_policies): tier-1 services run on a 24x7 SLA, commit to 99.95 % and depend
    # on tier-1/2 services only, with about one service in a hundred still in breach.
    always_slas = [s for s in range(n_slas) if s % n_cals == 0]
    for s in range(services):
        tier = 1 + s % 4
        breach = s % 97 == 0
        older = range(s) if tier > 1 or breach else [d for d in range(s) if d % 4 < 2]
        deps = sorted({older[rng.randrange(len(older))] for _ in range(min(len(older), 3))})
        sla = always_slas[s // 4 % len(always_slas)] if tier == 1 else s % n_slas
        target = 99.95 if tier == 1 and not breach else 99.5
        cats = sorted({rng.randrange(n_children) for _ in range(2)})
        write(root, f"catalog/services/d{s % 20}/service-{s}.yaml", H + f"""kind: Service
metadata:
  name: service-{s}
  title: Service {s}
  description: Synthetic service number {s}, with dependencies and workflows.
  labels: {{domain: d{s % 20}}}
spec:
  owner: team-{s % n_teams}
  supportGroup: team-{(s + 3) % n_teams}
  tier: {tier}
  lifecycle: production
  sla: sla-{sla}
  categories: [{", ".join(f"child-{c}" for c in cats)}]
  dependsOn: [{", ".join(f"service-{d}" for d in deps)}]
  workflows:
    incident: incident-{s % n_wf}
    request: request-{s % n_wf}
    change: change-{s % n_wf}
  maintenanceWindows: [window-{s % n_windows}]
  availabilityTarget: {target}
""")
        files += 1
    for i in range(n_items):
        write(root, f"catalog/items/item-{i}.yaml", H + f"""kind: CatalogItem
metadata:
  name: item-{i}
  title: Item {i}
spec:
  service: service-{i % services}
  category: child-{i % n_children}
  fulfillmentGroup: team-{i % n_teams}
  approvals: [manager]
  form:
    - {{name: reason, label: Why?, type: longtext, required: true}}
    - {{name: model, type: choice, options: [a, b, c]}}
    - {{name: needed_by, type: date}}
""")
        files += 1
    review_by = (dt.date.today() + dt.timedelta(days=200)).isoformat()
    for i in range(n_std):
        write(root, f"catalog/standard-changes/std-{i}.yaml", H + f"""kind: StandardChange
metadata:
  name: std-{i}
spec:
  owner: team-{i % n_teams}
  services: [service-{i % services}, service-{(i * 7 + 1) % services}]
  implementationPlan: Apply the change with the usual automation.
  backoutPlan: Revert with the same automation.
  testPlan: Run the smoke tests.
  maxDuration: 1h
  reviewBy: "{review_by}"
""")
        files += 1
    return files


EXAMPLE_POLICIES = Path(__file__).resolve().parent.parent / "policies"
# Five more, so that the benchmark runs twenty: the example pack has fifteen.
EXTRA_POLICIES = [
    ("service-titled", "[Service]", None, "entity.metadata.title is defined"),
    ("service-categorised", "[Service]", 'entity.spec.lifecycle == "production"',
     "entity.spec.categories | default([]) | length > 0"),
    ("item-has-form", "[CatalogItem]", None, "entity.spec.form | default([]) | length > 0"),
    ("p1-response-1h", "[SLA]", None, "entity.spec.targets.P1.response | minutes <= 60"),
    ("calendar-holidays", "[Calendar]", "not entity.spec.always | default(false)",
     "entity.spec.holidays is defined or entity.spec.publicHolidays is defined"),
]


def add_policies(root: Path) -> int:
    """The example repository's policy pack plus five more; returns how many policies."""
    count = 0
    for path in sorted(EXAMPLE_POLICIES.glob("*.yaml")):
        text = path.read_text()
        if "kind: Policy" in text:
            write(root, f"policies/{path.name}", text)
            count += text.count("kind: Policy")
    for name, kinds, when, check in EXTRA_POLICIES:
        match = f"  match:\n    kinds: {kinds}\n" + (f"    when: '{when}'\n" if when else "")
        write(root, f"policies/{name}.yaml", H + f"kind: Policy\nmetadata: {{name: {name}}}\n"
              f"spec:\n  severity: warning\n{match}  assert: ['{check}']\n"
              f"  message: '{{{{ entity.metadata.name }}}} fails {name}'\n")
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--policies", action="store_true", help="Add twenty policies.")
    args = parser.parse_args()
    files = generate(args.out, args.services)
    policies = add_policies(args.out) if args.policies else 0
    print(f"{files} catalog files and {policies} policies in {args.out}")


if __name__ == "__main__":
    main()
