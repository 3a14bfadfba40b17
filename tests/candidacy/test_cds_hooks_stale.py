"""A CDS Hooks call for a patient whose screening is out of date gets a card that leads with it."""

import pytest

from candidacy.interop.stale_card import CARD_OUT_OF_DATE
from rules import services as rules_services
from rules.models import RuleSet

from .test_cds_hooks import base_url, call, ec_key, ehr, strong_ehr_patient, token  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_card_of_a_stale_screening_leads_with_why(ehr, ec_key, strong_ehr_patient):  # noqa: F811
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active(), version="3")
    rules_services.ruleset_publish(ruleset=draft, by=None)  # its re-screen has not run yet
    [card] = call(token(ec_key)).json()["cards"]
    assert card["summary"].startswith(CARD_OUT_OF_DATE) and card["indicator"] == "warning"
    assert "Rule set version 2 is no longer active" in card["detail"]
    body = str(card)
    assert strong_ehr_patient.mrn not in body  # still no name or MRN
