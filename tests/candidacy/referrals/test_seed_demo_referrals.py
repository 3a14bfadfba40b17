"""The demo gets two referrals from Southside to North, once."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from candidacy.referrals.models import Referral

pytestmark = pytest.mark.django_db


def run(command, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_the_demo_referrals_come_after_seed_demo_and_only_once():
    with pytest.raises(CommandError, match="Run seed_demo first."):
        run("seed_demo_referrals")
    as_of = datetime.date(2025, 6, 30).isoformat()
    run("seed_demo", "--patients", "12", "--seed", "7", "--as-of", as_of, "--allow-without-debug")
    assert "2 demo referrals from Southside" in run("seed_demo_referrals")
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == [Referral.Status.RECEIVED, Referral.Status.WORKUP]
    assert {r.referred_by.username for r in Referral.objects.all()} == {"clinician-srh"}
    assert "exist already" in run("seed_demo_referrals")
    assert Referral.objects.count() == 2
