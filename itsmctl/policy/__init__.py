"""Organisation policies: the resolved documents they see, their evaluation with waivers,
and the unit tests that `itsmctl policy test` runs."""
