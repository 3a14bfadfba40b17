"""Redis down while clinicians save: every save succeeds without waiting on the broker, and
every changed patient is re-screened once Redis is back (the reconciler finds them by their
record version)."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from candidacy.screening import publisher
from candidacy.screening.models import Screening
from patients.models import Patient
from rules.models import RuleSet

from ..conftest import _member
from ..html_forms import as_post_data, form_fields
from .harness import FIGURES, Figures, consistency, stale_count, wait_until

SAVES = 50


def save_many(patients) -> list[tuple[int, float]]:
    """Each patient gets an assessment through the real form: (status, seconds) per save."""
    from patients.permissions import CLINICIAN

    answers = []
    for patient in patients:
        client = Client()
        client.force_login(_member(CLINICIAN, patient.centre, username=f"c{patient.pk}"))
        url = reverse("patients:assessment_create", args=[patient.public_id])
        form = form_fields(client.get(url).content.decode(), "assessment-form")
        began = time.monotonic()
        status = client.post(url, as_post_data(form, lvef="38")).status_code
        answers.append((status, time.monotonic() - began))
    return answers


@pytest.mark.parametrize("fault", ["cut", "pause"])
def test_saves_with_the_broker_away_succeed_and_are_rescreened_when_it_returns(
    fault, population, web_broker, redis_proxy, start_service
):
    start_service("worker", "w1")
    start_service("beat", "b1")
    patients = list(Patient.objects.filter(pk__in=population[:SAVES]).select_related("centre"))
    getattr(redis_proxy, fault)()  # down (refused), or hung (connected, silent)
    answers = save_many(patients)
    assert [status for status, _ in answers] == [302] * len(patients)  # every save stored
    assert stale_count() == len(patients)  # saved, not yet re-screened: the broker is away
    publisher.drain(timeout=60)
    redis_proxy.restore()
    back_at = time.monotonic()
    wait_until(lambda: stale_count() == 0, "every changed patient re-screened")
    counts = consistency(RuleSet.objects.active())
    slowest = max(seconds for _, seconds in answers)
    FIGURES.append(
        Figures(
            f"broker {'down' if fault == 'cut' else 'hung'} during {SAVES} saves",
            len(population),
            time.monotonic() - back_at,
            **counts,
            note=f"(slowest save {slowest:.2f} s)",
        )
    )
    assert counts == {"lost": 0, "stale": 0, "duplicates": 0}
    changed = Screening.objects.current().filter(patient__in=patients).select_related("patient")
    assert all(s.record_version == s.patient.record_version for s in changed)
