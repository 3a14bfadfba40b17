"""A screening out of date says so wherever it is shown; a coordinator confirms to decide on it."""

import pytest
from django.urls import reverse

from candidacy.interop import cds, fhir
from candidacy.interop.stale_card import CARD_OUT_OF_DATE, card_out_of_date
from candidacy.reviews.models import Review
from candidacy.screening.models import Screening
from candidacy.screening.staleness import MUST_CONFIRM_STALE, RULESET_RETIRED, staleness_of
from rules import services as rules_services
from rules.models import RuleSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_version():
    """A version published whose re-screen has not run yet (no commit in these tests)."""
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active(), version="3")
    return rules_services.ruleset_publish(ruleset=draft, by=None)


def retired_message(version="2"):
    return RULESET_RETIRED.format(version=version)


def test_a_screening_of_the_active_version_is_not_stale(strong_ms_patient):
    assert staleness_of(Screening.objects.of_patient(strong_ms_patient.pk)) is None


def test_the_patient_page_says_the_rule_set_is_no_longer_active(
    strong_ms_patient, new_version, client_for, clinician
):
    url = reverse("patients:detail", args=[strong_ms_patient.public_id])
    page = client_for(clinician).get(url).content.decode()
    assert 'id="screening-stale"' in page and retired_message() in page


def test_the_worklist_row_says_so(strong_ms_patient, new_version, client_for, clinician):
    page = client_for(clinician).get(reverse("worklist:list")).content.decode()
    assert "Rule set v2 no longer active" in page


def test_the_fhir_export_leads_its_notes_with_it(
    strong_ms_patient, new_version, client_for, clinician
):
    url = reverse("interop:fhir_screening", args=[strong_ms_patient.public_id])
    resource = client_for(clinician).get(url, HTTP_ACCEPT=fhir.FHIR_JSON).json()
    assert resource["note"][0]["text"] == f"Out of date: {retired_message()}"


def test_the_cds_card_leads_with_it_as_a_warning(strong_ms_patient, new_version):
    screening = Screening.objects.of_patient(strong_ms_patient.pk)
    from candidacy.screening.selectors import result_of

    card = cds.screening_card(
        result_of(screening), as_of=screening.as_of, card_uuid="u", patient_url="/"
    )
    card = card_out_of_date(card, str(staleness_of(screening)))
    assert card["indicator"] == "warning" and card["summary"].startswith(CARD_OUT_OF_DATE)
    assert card["detail"].startswith("**Out of date.** Rule set version 2 is no longer active")


def test_a_coordinator_confirms_before_deciding_on_a_stale_screening(
    strong_ms_patient, coordinator, client_for
):
    review = Review.objects.get(patient=strong_ms_patient)  # flagged as a strong candidate
    Review.objects.filter(pk=review.pk).update(state=Review.State.IN_REVIEW, assignee=coordinator)
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active(), version="3")
    rules_services.ruleset_publish(ruleset=draft, by=None)
    client = client_for(coordinator)
    page = client.get(reverse("reviews:detail", args=[strong_ms_patient.public_id]))
    assert retired_message() in page.content.decode() and "confirm_stale" in page.content.decode()
    url = reverse("reviews:decide", args=[strong_ms_patient.public_id])
    refused = client.post(url, {"review": review.pk, "decision": "referred"})
    assert refused.status_code == 400 and MUST_CONFIRM_STALE in refused.content.decode()
    review.refresh_from_db()
    assert review.state == Review.State.IN_REVIEW
    decided = client.post(url, {"review": review.pk, "decision": "referred", "confirm_stale": "on"})
    assert decided.status_code == 302
    review.refresh_from_db()
    assert review.state == Review.State.REFERRED


@pytest.fixture
def changed_since(strong_ms_patient):
    """An assessment recorded after the screening; its re-screen is queued on a commit that
    never comes in these tests, so the screening stays as it was."""
    from patients import services as patient_services

    patient_services.assessment_record(
        patient=strong_ms_patient,
        taken_on=strong_ms_patient.assessments.first().taken_on,
        values={"lvef": 40},
    )
    strong_ms_patient.refresh_from_db()
    return strong_ms_patient


def test_a_record_changed_after_its_screening_says_so_on_the_patient_page(
    changed_since, client_for, clinician
):
    screening = Screening.objects.of_patient(changed_since.pk)
    stale = staleness_of(screening, changed_since)
    assert stale is not None and stale.record_changed and stale.retired_version is None
    url = reverse("patients:detail", args=[changed_since.public_id])
    page = client_for(clinician).get(url).content.decode()
    assert 'id="screening-stale"' in page and "after this screening: a re-screen is queued" in page


def test_and_on_the_worklist_row(changed_since, client_for, clinician):
    page = client_for(clinician).get(reverse("worklist:list")).content.decode()
    assert "re-screen queued" in page and "Record changed" in page


def test_the_reconciler_rescreens_a_record_changed_after_its_screening(changed_since):
    from candidacy.screening import tasks

    before = Screening.objects.of_patient(changed_since.pk)
    assert tasks.reconcile() == 1
    screening = Screening.objects.of_patient(changed_since.pk)
    assert screening.record_version == changed_since.record_version
    assert staleness_of(screening, changed_since) is None
    assert screening.pk != before.pk and screening.band != before.band  # LVEF 40 counts now
    assert tasks.reconcile() == 0
