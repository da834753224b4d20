"""How results are shown: one registry of renderers per kind of report.

- check results: `reporters.check.REPORTERS` (text, json, github, sarif, junit);
- `sla due`: `reporters.sla_due.RENDERERS`; `sla replay`: `reporters.replay.RENDERERS`;
- `policy test`: `reporters.policy_test.RENDERERS`; `rules`: `reporters.rules.RENDERERS`.

A renderer takes the typed result of one core call and returns text; JSON is built from
the typed result, never read back from another format.
"""
