"""``manage.py reconcile``: once by hand, and the plan of its query."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from candidacy.screening.models import Screening

pytestmark = pytest.mark.django_db


def test_reconcile_screens_whoever_has_no_current_screening(make_patient):
    patient = make_patient("ms_rr", age=34, screen=False)
    out = io.StringIO()
    call_command("reconcile", stdout=out)
    assert "Queued 1 patient(s)" in out.getvalue()
    assert Screening.objects.current().filter(patient=patient).exists()


def test_explain_prints_the_plan_and_changes_nothing(make_patient):
    patient = make_patient("ms_rr", age=34, screen=False)
    out = io.StringIO()
    call_command("reconcile", "--explain", stdout=out)
    if connection.vendor == "postgresql":
        assert "Anti Join" in out.getvalue()
    assert not Screening.objects.filter(patient=patient).exists()
