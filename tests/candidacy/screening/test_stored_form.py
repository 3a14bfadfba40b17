"""The slim stored screening: it explains itself in the same words as the full result did.

A screening stores each line's outcome, value, date and points under its criterion's key;
the criterion comes from the rule set version, the input facts from a row shared by every
screening that saw the same facts.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidacy.screening.models import Screening, ScreeningInputs
from candidacy.screening.presenters import checklist_rows, explanation_rows, screening_context
from candidacy.screening.selectors import result_of
from candidacy.screening.services import screenable_patient_ids, screenings_record_many
from patients.models import Patient
from rules import loader
from rules import services as rules_services
from rules.engine import evaluate
from rules.models import RuleSet
from rules.result import Result, render_text
from rules.stored import is_slim

from ...clock import TODAY

pytestmark = pytest.mark.django_db

DEMO_PATIENTS = 120


@pytest.fixture
def caseload():
    """Demo patients of every disease, screened against the active rule set."""
    call_command(
        "seed_demo",
        "--patients",
        str(DEMO_PATIENTS),
        "--as-of",
        TODAY.isoformat(),
        "--allow-without-debug",
        stdout=io.StringIO(),
    )
    screenings_record_many(patient_ids=list(screenable_patient_ids()))
    return list(Screening.objects.current().select_related("patient__disease", "ruleset", "centre"))


def _full_result(screening: Screening) -> Result:
    """The result as the full form stored it: evaluated again, then through to_dict/from_dict."""
    ruleset = screening.ruleset
    record = loader.record_for(screening.patient, as_of=screening.as_of)
    result = evaluate(record, loader.compiled(ruleset), screening.as_of)
    return Result.from_dict(result.to_dict())


def test_a_spread_of_patients_reads_the_same_from_the_slim_and_the_full_form(caseload):
    bands = {s.band for s in caseload}
    diseases = {s.disease_key for s in caseload}
    assert len(bands) >= 4 and len(diseases) >= 6  # a spread, not one kind of patient
    assert {s.record_version for s in caseload} == {1}  # a seeded record is its first version
    for screening in caseload:
        full, slim = _full_result(screening), result_of(screening)
        assert slim == full  # every field, the input facts included
        assert render_text(slim) == render_text(full)
        assert explanation_rows(slim) == explanation_rows(full)
        assert checklist_rows(slim) == checklist_rows(full)
        patient = screening.patient
        assert screening_context(slim, patient) == screening_context(full, patient)


def test_a_stored_screening_keeps_no_criterion_text_and_no_input_facts(caseload):
    screening = caseload[0]
    stored = screening.result
    assert "facts" not in stored
    criterion = result_of(screening).lines[0].criterion
    assert criterion.label and criterion.label not in str(stored["lines"])
    assert ScreeningInputs.objects.get(pk=screening.inputs_id).facts  # the facts are apart


def test_a_row_stored_in_the_full_form_reads_the_same_on_every_page(caseload, client):
    # Rows written before the slim form keep their full result: the readers take both.
    client.force_login(get_user_model().objects.get(username="clinician-ntc"))
    ours = [s for s in caseload if s.centre.code == "ntc"]
    for screening in ours[:12]:
        patient_id = screening.patient.public_id
        pages = [
            reverse("worklist:why", args=[patient_id]),
            reverse("interop:fhir_screening", args=[patient_id]),
        ]
        slim_pages = [client.get(url).content for url in pages]
        full = _full_result(screening).to_dict()
        Screening.objects.filter(pk=screening.pk).update(result=full, inputs=None)
        assert [client.get(url).content for url in pages] == slim_pages
        stored = Screening.objects.get(pk=screening.pk)
        assert result_of(stored) == result_of(screening)


def test_a_new_rule_set_version_reuses_the_stored_inputs(caseload):
    inputs_before = ScreeningInputs.objects.count()
    active = RuleSet.objects.active()
    draft = rules_services.ruleset_clone(ruleset=active)
    rules_services.ruleset_publish(ruleset=draft, by=None)
    ids = list(screenable_patient_ids())
    assert screenings_record_many(patient_ids=ids) == len(ids)  # a new row per patient
    assert ScreeningInputs.objects.count() == inputs_before  # the facts did not change
    moved = Screening.objects.current().filter(ruleset=draft)
    assert moved.count() == len(ids)
    assert all(result_of(s) == _full_result(s) for s in moved[:20])


def test_a_batch_writes_with_the_same_number_of_queries_whatever_its_size(caseload):
    active = RuleSet.objects.active()
    draft = rules_services.ruleset_clone(ruleset=active)
    rules_services.ruleset_publish(ruleset=draft, by=None)
    ids = list(Patient.objects.living().order_by("pk").values_list("pk", flat=True))
    screenings_record_many(patient_ids=ids[:3])  # compiles the new version once per process
    counts = []
    for batch in (ids[3:8], ids[8:80]):
        with CaptureQueriesContext(connection) as queries:
            written = screenings_record_many(patient_ids=batch)
        assert written == len(batch)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_row_stored_in_full_is_kept_and_made_slim_when_nothing_changed(caseload):
    screening = caseload[0]
    full = _full_result(screening).to_dict()
    Screening.objects.filter(pk=screening.pk).update(result=full, inputs=None)
    rows = Screening.objects.count()
    assert screenings_record_many(patient_ids=[screening.patient_id]) == 0  # no new row
    kept = Screening.objects.get(pk=screening.pk)
    assert kept.is_current and Screening.objects.count() == rows
    assert is_slim(kept.result) and kept.inputs_id is not None
    assert result_of(kept) == result_of(screening)
