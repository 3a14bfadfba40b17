"""What-if previews: a draft rule set run against every living patient, touching nothing."""
