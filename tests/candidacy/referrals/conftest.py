"""A referring hospital, its clinician and their patient, and the transplant centre's people.

The transplant centre is ``centre`` (North Transplant Centre) with its coordinator; the
referring hospital is ``other_centre`` made a referring hospital, with ``other_clinician``.
"""

import pytest

from candidacy.referrals import services
from patients.models import Centre
from rules.specs import STRONG

from ...conftest import _member
from ...factories import CentreFactory, PatientFactory
from ...factories_candidacy import ScreeningFactory


@pytest.fixture
def hospital(other_centre):
    other_centre.kind = Centre.Kind.REFERRING
    other_centre.save(update_fields=["kind"])
    return other_centre


@pytest.fixture
def referring_clinician(hospital, other_clinician):
    return other_clinician


@pytest.fixture
def hospital_patient(hospital):
    patient = PatientFactory(centre=hospital, given_name="Robin", family_name="Referred")
    ScreeningFactory(patient=patient, band=STRONG, score=82)
    return patient


@pytest.fixture
def neighbour(hospital):
    """Another patient of the referring hospital, never referred."""
    return PatientFactory(centre=hospital, given_name="Sam", family_name="Neighbour")


@pytest.fixture
def third_clinician(db):
    from patients.permissions import CLINICIAN

    return _member(
        CLINICIAN, CentreFactory(code="third", name="Third Transplant Centre"), username="third"
    )


@pytest.fixture
def referral(hospital_patient, centre, referring_clinician, coordinator):
    return services.referral_create(
        patient=hospital_patient,
        to_centre=centre,
        message="Highly active RRMS despite two DMTs; please assess for aHSCT.",
        by=referring_clinician,
    )
