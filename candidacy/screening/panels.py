"""The screening's parts of the patient page (registered with patients.panels)."""

from __future__ import annotations

from rules.engine import DECEASED_NOT_SCREENED

from .models import Screening
from .presenters import screening_context
from .selectors import previous_screening, result_of, screening_changes
from .services import NOT_SCREENED_YET
from .staleness import staleness_of


def current_screening_context(patient, *, printable: bool = False) -> dict:
    """The patient's current stored screening, explained, with what changed since the last."""
    if patient.is_deceased:
        return {"result": None, "screening_missing_reason": DECEASED_NOT_SCREENED}
    current = Screening.objects.of_patient(patient.pk)
    if current is None:
        return {"result": None, "screening_missing_reason": NOT_SCREENED_YET}
    context = screening_context(result_of(current), patient)
    context["screening"] = current
    context["staleness"] = staleness_of(current, patient)
    context["changes"] = screening_changes(current, previous_screening(current))
    context["printable"] = printable
    return context


def screening_panel(request, patient) -> dict:
    return current_screening_context(patient)


def print_button(request, patient) -> dict:
    return {"patient": patient}
