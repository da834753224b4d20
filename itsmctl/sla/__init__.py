"""The SLA capability: terms from the catalog, due times, and replays of historic tickets
(docs/sla-clock.md). The arithmetic itself is itsmctl.timecalc's."""
