"""A stored screening as a FHIR R4B RiskAssessment, built from the stored result only.

Choices, so that a receiving system reads it honestly (docs/fhir-export.md says the same):
- ``method`` names the rule set: its version is the code (versions are unique), its name
  and version the display and text.
- ``prediction[0]``: the band as ``outcome`` and ``qualitativeRisk`` (text), and the score
  as ``probabilityDecimal`` = score / 100. The score is a weighted share of criteria met,
  not a calibrated probability; ``rationale`` says so, and the integer score is also in an
  extension. ``relativeRisk`` would be worse: it would read as "62 times the population's".
- ``basis``: the patient, then one display-only reference per input fact the engine used.
  We do not keep the ids of the resources an input was imported from, so we do not invent
  references; the display says the value came from the Candidacy record.
- ``note``: one Annotation per criterion ("label: value (date) — outcome; citation [mark]"),
  one per band reason, and the decision-support sentence.
- ``subject``: a logical reference by identifier: the id of the EHR's Patient resource it
  was imported from when known, else the patient's public UUID.
"""

from __future__ import annotations

import re
from decimal import Decimal

from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.riskassessment import RiskAssessment

from common.labels import EVIDENCE_LABELS, plain
from common.links import absolute_url
from patients.models import Patient
from rules.facts import FACTS, MISSING
from rules.result import (
    DECISION_SUPPORT,
    OUTCOME_PHRASES,
    Line,
    Result,
    display_value,
    format_date,
    reason_text,
)
from rules.specs import LOCAL_POLICY

from ..screening.models import Screening

FHIR_JSON = "application/fhir+json"
URI_SYSTEM = "urn:ietf:rfc:3986"  # FHIR's system for identifiers that are URIs (urn:uuid:...)
ASSESSMENT_TEXT = (
    "Screening for autologous haematopoietic stem cell transplantation in severe autoimmune disease"
)
PERFORMER_DISPLAY = "Candidacy rule-based screening"
SCORE_RATIONALE = (
    "Candidacy score {score} of 100: the weighted share of the rule set's criteria met. "
    "probabilityDecimal is this score divided by 100; it is not a calibrated probability. "
) + DECISION_SUPPORT
BAND_REASON_NOTE = "Band reason: {reason}"
OUT_OF_DATE_NOTE = "Out of date: {reason}"
INPUT_DISPLAY = "{name}: {value} (as recorded in Candidacy{when})"
NO_SCREENING = "This patient has no current screening."
NOT_FOUND = "No such patient."


def _fhir_base() -> str:
    return absolute_url("/fhir")


def screening_id_system() -> str:
    return _fhir_base() + "/sid/screening"


def source_patient_id_system() -> str:
    """Identifier system for Patient.fhir_id: the id of the EHR Patient it was imported from."""
    return _fhir_base() + "/sid/source-patient-id"


def ruleset_system() -> str:
    return _fhir_base() + "/CodeSystem/ruleset"


def score_extension_url() -> str:
    return _fhir_base() + "/StructureDefinition/candidacy-score"


def patient_reference(patient: Patient) -> dict:
    if patient.fhir_id:
        identifier = {"system": source_patient_id_system(), "value": patient.fhir_id}
    else:
        identifier = {"system": URI_SYSTEM, "value": f"urn:uuid:{patient.public_id}"}
    return {"type": "Patient", "identifier": identifier}


def value_with_unit(line: Line) -> str:
    unit = FACTS[line.fact].unit if line.fact in FACTS else ""
    return (
        f"{display_value(line)} {unit}".strip()
        if line.value_status != MISSING
        else display_value(line)
    )


def criterion_note(line: Line) -> str:
    """label: value (date) — outcome; citation [evidence mark in words]."""
    when = f" ({format_date(line.value_on)})" if line.value_on else ""
    # The mark in words ("[read in the source]"), the citation without the project's file paths.
    mark = EVIDENCE_LABELS.get(line.evidence, line.evidence)
    source = LOCAL_POLICY if line.evidence == LOCAL_POLICY else f"{plain(line.citation)} [{mark}]"
    return f"{line.label or line.key}: {value_with_unit(line)}{when} — {OUTCOME_PHRASES[line.outcome]}; {source}"


def _first_clause(description: str) -> str:
    """A fact's description up to its first full stop or semicolon: the name, not the notes."""
    return re.split(r"[.;](?:\s|$)", description, maxsplit=1)[0]


def input_references(result: Result) -> list[dict]:
    """One display-only reference per fact the criteria read and found a value for."""
    refs, seen = [], set()
    for line in result.lines:
        if line.fact in seen or line.value_status == MISSING:
            continue
        seen.add(line.fact)
        name = _first_clause(FACTS[line.fact].description) if line.fact in FACTS else line.fact
        when = f", {format_date(line.value_on)}" if line.value_on else ""
        refs.append(
            {"display": INPUT_DISPLAY.format(name=name, value=value_with_unit(line), when=when)}
        )
    return refs


def risk_assessment(
    screening: Screening, result: Result, patient: Patient, stale: str = ""
) -> RiskAssessment:
    """The screening as a RiskAssessment; the model class validates it (pydantic) as it is built.

    ``stale`` says why the screening is out of date (candidacy.screening.staleness): it is
    the first note, so an EHR that shows notes shows it before the result.
    """
    method_text = f"{result.ruleset_name}, version {screening.ruleset_version}"
    notes = [OUT_OF_DATE_NOTE.format(reason=stale)] if stale else []
    notes += [criterion_note(line) for line in result.lines]
    notes += [BAND_REASON_NOTE.format(reason=reason_text(r)) for r in result.reasons]
    notes.append(DECISION_SUPPORT)
    prediction: dict = {
        "outcome": {"text": screening.band},
        "qualitativeRisk": {"text": screening.band},
    }
    extensions = []
    if screening.score is not None:
        # A gated band (Not indicated, Trial only, Excluded) carries no score and no probability.
        prediction["probabilityDecimal"] = Decimal(screening.score) / 100
        prediction["rationale"] = SCORE_RATIONALE.format(score=screening.score)
        extensions.append({"url": score_extension_url(), "valueInteger": screening.score})
    # Built from FHIR JSON, which model_validate takes as it is; the constructor's parameters
    # are typed as the nested model classes.
    return RiskAssessment.model_validate(
        {
            "identifier": [{"system": screening_id_system(), "value": str(screening.pk)}],
            **({"extension": extensions} if extensions else {}),
            "status": "final",
            "code": {"text": ASSESSMENT_TEXT},
            "method": {
                "coding": [
                    {
                        "system": ruleset_system(),
                        "code": screening.ruleset_version,
                        "display": method_text,
                    }
                ],
                "text": method_text,
            },
            "subject": patient_reference(patient),
            "occurrenceDateTime": screening.as_of.isoformat(),
            "performer": {"display": PERFORMER_DISPLAY},
            "basis": [patient_reference(patient), *input_references(result)],
            "prediction": [prediction],
            "note": [{"text": text} for text in notes],
        }
    )


def operation_outcome(code: str, message: str) -> OperationOutcome:
    return OperationOutcome.model_validate(
        {"issue": [{"severity": "error", "code": code, "diagnostics": message}]}
    )
