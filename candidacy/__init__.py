"""The screening workflow: screenings, the worklist, coordinator reviews, FHIR and CDS Hooks."""
