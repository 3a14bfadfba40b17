"""Two clinicians save the same record at the same instant: one is saved, the other is warned,
and neither change is lost. Two threads, two database connections, the real views."""

import threading
import time

from django.db import connections
from django.test import Client
from django.urls import reverse

from common.concurrency import EDITED_MEANWHILE
from patients.models import Patient

from ..conftest import _member
from ..factories import PatientFactory
from ..html_forms import as_post_data, form_fields
from .harness import FIGURES, Figures


def test_two_simultaneous_edits_save_one_and_warn_the_other(services_required, migration_data):
    from patients.permissions import CLINICIAN

    from ..factories import CentreFactory

    centre = CentreFactory(code="ntc")
    patient = PatientFactory(centre=centre, cardiac=False, cirrhosis=False)
    url = reverse("patients:update", args=[patient.public_id])
    clients = []
    for name in ("first", "second"):
        client = Client()
        client.force_login(_member(CLINICIAN, centre, username=name))
        clients.append(client)
    forms = [form_fields(c.get(url).content.decode(), "patient-form") for c in clients]
    changes = [{"cardiac": "true"}, {"cirrhosis": "true"}]
    start, answers = threading.Barrier(2), [None, None]

    def save(n):
        try:
            start.wait()
            answers[n] = clients[n].post(url, as_post_data(forms[n], **changes[n]))
        finally:
            connections.close_all()

    began = time.monotonic()
    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 302]  # one saved, one shown the form again
    warned = next(a for a in answers if a.status_code == 200)
    assert EDITED_MEANWHILE in warned.content.decode()
    patient = Patient.objects.get(pk=patient.pk)
    saved_first = answers[0].status_code == 302
    assert (patient.cardiac, patient.cirrhosis) == (saved_first, not saved_first)  # nothing lost
    FIGURES.append(Figures("concurrent edits", 1, time.monotonic() - began, 0, 0, 0))
