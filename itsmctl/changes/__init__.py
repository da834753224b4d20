"""Change enablement (docs/changes.md): the outcome of each change request, `changes list`,
the deployment gate and the change calendar. The judgement itself is a semantic check
(itsmctl.validate.change_requests); the time arithmetic is itsmctl.timecalc's."""
