"""Screening services: run the engine for a patient against the active rule set."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from patients.models import Patient
from rules import loader
from rules.engine import NotScreenable, evaluate
from rules.models import RuleSet
from rules.result import Result

NO_ACTIVE_RULESET = "No rule set is published yet: a criteria admin publishes one in Admin."
DECEASED_NOT_SCREENED = "Deceased patients are not screened."
NOT_SCREENED_YET = "Not screened yet: a screening is queued whenever the record changes."


class ScreeningUnavailable(Exception):
    """The patient cannot be screened now; the message says why, for the page."""


def screening_evaluate(*, patient: Patient, as_of: date | None = None, ruleset: RuleSet | None = None) -> Result:
    """Evaluate one patient against a rule set (the active one by default). Saves nothing."""
    ruleset = ruleset or RuleSet.objects.active()
    if ruleset is None:
        raise ScreeningUnavailable(NO_ACTIVE_RULESET)
    if patient.is_deceased:
        raise ScreeningUnavailable(DECEASED_NOT_SCREENED)
    as_of = as_of or timezone.localdate()
    try:
        return evaluate(loader.record_for(patient, as_of=as_of), loader.compiled(ruleset), as_of)
    except NotScreenable as error:
        raise ScreeningUnavailable(str(error)) from error
