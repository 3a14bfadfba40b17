"""A handful of decided reviews across three centres, for the concordance tests.

The user's centres are ``centre`` (ntc) and ``second`` (srh); ``other`` (far) is not theirs.
Each review is decided at local noon, ``days`` days before the frozen clock, unless
``decided_at`` says otherwise. Departures from the band: referring a patient the score did
not call a candidate, declining or deferring a Strong candidate (services.departs_from_band).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from candidacy.reviews.models import Review
from patients.models import Patient
from rules.specs import EXCLUDED, POSSIBLE, STRONG, UNLIKELY

from ..clock import days_ago
from ..factories import PatientFactory, disease
from ..factories_candidacy import ReviewFactory, ScreeningFactory

State = Review.State
FEMALE, MALE = Patient.Sex.FEMALE, Patient.Sex.MALE
MS = "Multiple sclerosis, relapsing-remitting"
SSC = "Systemic sclerosis"
SLE = "Systemic lupus erythematosus"
CROHNS = "Crohn's disease"
FORMULA_REASON = '=HYPERLINK("http://evil") Lupus nephritis improving on treatment'


def local_noon(days: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(days_ago(days), datetime.time(12)))


def born_aged(age: int, days: int) -> datetime.date:
    """A birth date that makes the patient ``age`` on the day (1 January: the cases are in March)."""
    return datetime.date(days_ago(days).year - age, 1, 1)


def decided(
    centre,
    *,
    band: str,
    decision: str,
    days: int = 5,
    version: str = "2",
    reason: str = "",
    sex: str = FEMALE,
    age: int = 40,
    disease_key: str = "ms_rr",
    decided_at: datetime.datetime | None = None,
    born: datetime.date | None = None,
    mrn: str | None = None,
) -> Review:
    """A review decided on the band ``band`` ("" for no screening at the time)."""
    patient = PatientFactory(
        centre=centre,
        sex=sex,
        birth_date=born or born_aged(age, days),
        disease=disease(disease_key),
        **({"mrn": mrn} if mrn else {}),
    )
    screening = ScreeningFactory(patient=patient, band=band or STRONG)
    return ReviewFactory(
        flag_screening=screening,
        state=decision,
        decision_band=band,
        decision_ruleset_version=version if band else "",
        decision_reason=reason,
        decided_at=decided_at or local_noon(days),
    )


@dataclass
class Cases:
    agree: list[Review]
    depart: list[Review]
    elsewhere: Review
    still_open: Review


def make_cases(centre, second, other) -> Cases:
    """Eight decisions in the user's centres, four of them departures; one elsewhere; one open."""
    ntc_agree = [
        decided(centre, band=STRONG, decision=State.REFERRED, days=8, age=34, mrn="A-1"),
        decided(centre, band=POSSIBLE, decision=State.REFERRED, days=7, version="1", age=45),
        decided(
            centre, band=EXCLUDED, decision=State.DECLINED, days=6, sex=MALE, reason="Excluded"
        ),
    ]
    ntc_depart = [
        decided(
            centre,
            band=STRONG,
            decision=State.DECLINED,
            days=4,
            sex=MALE,
            age=60,
            disease_key="ssc",
            reason="Patient prefers to wait",
            mrn="D-1",
        ),
        decided(
            centre,
            band=UNLIKELY,
            decision=State.REFERRED,
            days=3,
            age=70,
            disease_key="sle",
            reason=FORMULA_REASON,
            mrn="D-2",
        ),
    ]
    srh_agree = [decided(second, band=POSSIBLE, decision=State.DEFERRED, days=5, age=30)]
    srh_depart = [
        decided(
            second,
            band=STRONG,
            decision=State.DEFERRED,
            days=2,
            version="1",
            age=50,
            reason="Awaiting MRI",
            mrn="D-3",
        ),
        decided(
            second,
            band="",
            decision=State.REFERRED,
            days=1,
            disease_key="crohns",
            reason="Screening pending, urgent",
            mrn="D-4",
        ),
    ]
    elsewhere = decided(
        other, band=STRONG, decision=State.DECLINED, reason="Far away reason", mrn="FAR-1"
    )
    still_open = ReviewFactory(
        flag_screening=ScreeningFactory(patient=PatientFactory(centre=centre), band=STRONG)
    )
    return Cases(ntc_agree + srh_agree, ntc_depart + srh_depart, elsewhere, still_open)
