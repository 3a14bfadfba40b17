"""Every page, for every band, in a clinician's words (issue #13, UI.md "Words a clinician
uses, never the code's").

The demo population (``seed_demo``, screened) gives patients of every band and disease. Each
page a clinician, a coordinator or a criteria admin opens for them, the CSV, the print view,
the coordinators' email and the CDS card is read as a person reads it (text, tooltips and
screen-reader names; not URLs or form field names) and must hold no rule key, internal code,
code operator or file path. The forbidden strings come from the code's own tables
(tests/words.py): the rule set's criterion keys, the vocabulary, the facts and the specs.
"""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from candidacy.interop.cds import screening_card
from candidacy.reviews import flags
from candidacy.reviews.models import Review
from candidacy.screening import services as screening
from candidacy.screening.models import Screening
from candidacy.screening.selectors import result_of
from rules.models import RuleSet
from rules.specs import BANDS

from ..clock import TODAY
from ..words import internal_strings

pytestmark = pytest.mark.django_db

DEMO_PATIENTS = 300


@pytest.fixture
def demo():
    """The demo centres, users and patients, screened."""
    call_command(
        "seed_demo",
        "--patients",
        str(DEMO_PATIENTS),
        "--allow-without-debug",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    ruleset = RuleSet.objects.active()
    ids = list(screening.screenable_patient_ids())
    for chunk in screening.chunks(ids, 100):
        screening.screenings_record_many(patient_ids=chunk, ruleset=ruleset)
    return ruleset


def _criteria():
    return [(c.key, c.label) for r in RuleSet.objects.all() for c in r.criteria.all()]


def _one_per_band_and_disease(centre_code="ntc"):
    """A patient of the centre for each (band, disease) the demo gives."""
    found = {}
    current = Screening.objects.current().select_related("patient__disease", "patient__centre")
    for s in current.filter(patient__centre__code=centre_code).order_by("pk"):
        key = (s.band, s.patient.disease.group if s.patient.disease_id else None)
        found.setdefault(key, s)
    return found


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def _leaks(client, urls, criteria) -> dict[str, list[str]]:
    out = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = internal_strings(_text(response), criteria)
        if found:
            out[url] = found
    return out


def _login(client, username):
    from config.mfa.policy import mfa_due

    from ..conftest import pass_second_step

    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    if mfa_due(user):  # criteria admins sign in with a second step
        pass_second_step(client, user)
    return client


def test_every_band_reads_in_words_on_the_patient_pages_the_fhir_notes_and_the_cds_card(
    demo, client
):
    criteria = _criteria()
    found = _one_per_band_and_disease()
    assert {band for band, _ in found} == set(BANDS)  # the demo gives every band
    urls = []
    for s in found.values():
        pid = s.patient.public_id
        urls += [f"/patients/{pid}/", f"/patients/{pid}/print/", f"/worklist/{pid}/why/"]
    assert _leaks(_login(client, "clinician-ntc"), urls, criteria) == {}
    client = _login(client, "clinician-ntc")
    for s in found.values():
        # The RiskAssessment sent back to the EHR: its notes are read there by clinicians.
        url = f"/fhir/Patient/{s.patient.public_id}/$screening"
        resource = json.loads(client.get(url, HTTP_ACCEPT="application/fhir+json").content)
        notes = "\n".join(n["text"] for n in resource.get("note", []))
        assert internal_strings(notes, criteria) == [], url
    for (band, _), s in found.items():
        card = screening_card(result_of(s), as_of=TODAY, card_uuid="x", patient_url="https://x/")
        assert internal_strings(f"{card['summary']}\n{card['detail']}", criteria) == [], band


def test_lists_csv_reviews_forms_criteria_and_emails_read_in_words(demo, client):
    criteria = _criteria()
    reviews = Review.objects.filter(patient__centre__code="ntc").select_related("patient")
    assert reviews.exists()  # the demo's candidates were flagged
    urls = [
        "/worklist/",
        "/worklist/?completeness=missing",
        "/worklist/export.csv",
        "/patients/",
        "/dashboard/",
        "/reviews/",
        "/criteria/",
    ] + [f"/reviews/{r.patient.public_id}/" for r in reviews[:10]]
    assert _leaks(_login(client, "coordinator-ntc"), urls, criteria) == {}
    assert _leaks(_login(client, "criteria-admin"), ["/criteria/"], criteria) == {}

    forms, diseases = ["/patients/new/"], set()
    for (_, disease), s in _one_per_band_and_disease().items():
        if disease not in diseases:
            diseases.add(disease)
            pid = s.patient.public_id
            forms += [
                f"/patients/{pid}/{page}/" for page in ("edit", "assessments/new", "treatments")
            ]
    assert _leaks(_login(client, "clinician-ntc"), forms, criteria) == {}

    get_user_model().objects.filter(username__startswith="coordinator").update(
        email="coordinator@example.org"
    )
    flags.notify_flagged(review_ids=list(Review.objects.values_list("pk", flat=True)))
    assert mail.outbox  # the coordinators were told of the flags
    for message in mail.outbox:
        assert internal_strings(f"{message.subject}\n{message.body}", criteria) == []
