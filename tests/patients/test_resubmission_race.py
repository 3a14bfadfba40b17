"""The same assessment form submitted twice at once (two connections): one row, one answer."""

import threading
import uuid

import pytest
from django.db import connection, connections

from patients import services
from patients.models import Assessment

from ..clock import days_ago
from ..factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submits_of_one_form_at_once_store_one_assessment(migration_data, centre):
    if connection.vendor != "postgresql":
        pytest.skip("a race between two connections needs PostgreSQL: run with DATABASE_URL")
    patient = PatientFactory(centre=centre)
    key = uuid.uuid4()
    start = threading.Barrier(2)
    stored: list = []

    def submit():
        try:
            start.wait()
            stored.append(
                services.assessment_record(
                    patient=patient, taken_on=days_ago(1), values={"lvef": 55}, submission_key=key
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(stored) == 2 and stored[0].pk == stored[1].pk  # both answered with the same row
    assert Assessment.objects.filter(patient=patient).count() == 1
