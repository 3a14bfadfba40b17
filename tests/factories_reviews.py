"""Screenings and reviews, built directly (the screening service is tested on its own)."""

import datetime
import hashlib

import factory

from candidacy.models import BAND_RANK, Review, Screening, rank_key
from rules.models import RuleSet
from rules.ruleset import STRONG

from .factories import PatientFactory


class ScreeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screening

    patient = factory.SubFactory(PatientFactory)
    ruleset = factory.LazyFunction(lambda: RuleSet.objects.active())
    ruleset_version = factory.LazyAttribute(lambda o: o.ruleset.version)
    as_of = factory.LazyFunction(datetime.date.today)
    band = STRONG
    score = 80
    band_rank = factory.LazyAttribute(lambda o: BAND_RANK[o.band])
    rank_key = factory.LazyAttribute(lambda o: rank_key(o.band, o.score))
    completeness = 1.0
    result = factory.LazyFunction(dict)
    inputs_digest = factory.Sequence(lambda n: hashlib.sha256(f"inputs {n}".encode()).hexdigest())
    is_current = True
    centre = factory.LazyAttribute(lambda o: o.patient.centre)
    disease_key = factory.LazyAttribute(
        lambda o: o.patient.disease.key if o.patient.disease else ""
    )
    sort_name = factory.LazyAttribute(
        lambda o: f"{o.patient.family_name}, {o.patient.given_name}".lower()
    )
    birth_date = factory.LazyAttribute(lambda o: o.patient.birth_date)


def rescreen(
    patient, band, *, score=None, as_of=None, digest=None
) -> tuple[Screening, Screening | None]:
    """Store a new current screening as the screening service would: (new, previous current)."""
    previous = Screening.objects.filter(patient=patient, is_current=True).first()
    if previous is not None:
        Screening.objects.filter(pk=previous.pk).update(is_current=False)
    fields = {"patient": patient, "band": band, "as_of": as_of or datetime.date.today()}
    if score is not None:
        fields["score"] = score
    if digest is not None:
        fields["inputs_digest"] = digest
    return ScreeningFactory(**fields), previous


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    flag_screening = factory.SubFactory(ScreeningFactory)
    patient = factory.LazyAttribute(lambda o: o.flag_screening.patient)
    centre = factory.LazyAttribute(lambda o: o.patient.centre)
    state = Review.State.FLAGGED
