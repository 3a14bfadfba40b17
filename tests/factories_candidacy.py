"""Screenings and reviews built directly, without running the engine.

The worklist, dashboard and review tests read stored rows only, so they set band, score,
completeness and the stored result's lines exactly as they need them (the screening
service is tested on its own).
"""

import datetime
import hashlib

import factory

from candidacy.reviews.models import Review
from candidacy.screening.models import BAND_RANK, Screening, rank_key
from rules.models import RuleSet
from rules.result import MET, NOT_EVALUABLE, NOT_MET
from rules.specs import STRONG

from .clock import FROZEN_NOW, TODAY
from .factories import PatientFactory

__all__ = [
    "MET",
    "NOT_EVALUABLE",
    "NOT_MET",
    "ReviewFactory",
    "ScreeningFactory",
    "exclusion_line",
    "rescreen",
    "result_dict",
]


def exclusion_line(key: str, label: str, outcome: str) -> dict:
    """A stored result line of kind "exclusion" (met = the contraindication is present)."""
    return {
        "key": key,
        "domain": "overall_health",
        "diseases": ["all"],
        "fact": "pregnant",
        "operator": "is true",
        "thresholds": [],
        "kind": "exclusion",
        "required": False,
        "criterion_points": 0,
        "label": label,
        "explanation": "{label}: {value}",
        "citation": "Test source 2026",
        "evidence": "V",
        "enabled": True,
        "value": outcome == MET if outcome != NOT_EVALUABLE else None,
        "value_on": None,
        "value_status": "ok" if outcome != NOT_EVALUABLE else "missing",
        "outcome": outcome,
        "points": 0,
        "points_possible": 0,
        "note": "",
    }


def result_dict(
    band: str, score: int, *, completeness: float = 1.0, lines=(), to_collect=(), as_of=None
) -> dict:
    """A stored engine result (what ``Result.to_dict`` writes) with just these parts."""
    return {
        "band": band,
        "score": score,
        "reasons": [],
        "lines": list(lines),
        "completeness": completeness,
        "to_collect": [
            {"item": item, "reason": "missing", "required": False, "criteria": ["x"]}
            for item in to_collect
        ],
        "review_marks": [],
        "domain_scores": {"severity": None, "failed_treatments": None, "overall_health": None},
        "indication": None,
        "ruleset_name": "Test rules",
        "ruleset_version": "1",
        "as_of": (as_of or TODAY).isoformat(),
        "disease": None,
        "disease_subtype": None,
        "facts": {},
    }


class ScreeningFactory(factory.django.DjangoModelFactory):
    """``ScreeningFactory(patient=p, band=STRONG, score=80, lines=[...], to_collect=["lvef"])``."""

    class Meta:
        model = Screening
        skip_postgeneration_save = True

    class Params:
        lines = ()
        to_collect = ()

    patient = factory.SubFactory(PatientFactory)
    ruleset = factory.LazyFunction(lambda: RuleSet.objects.active() or RuleSet.objects.first())
    ruleset_version = factory.LazyAttribute(lambda o: o.ruleset.version)
    as_of = TODAY
    band = STRONG
    score = 80
    score_upper = factory.LazyAttribute(lambda o: o.score)
    sort_score = factory.LazyAttribute(lambda o: -1 if o.score is None else o.score)
    band_rank = factory.LazyAttribute(lambda o: BAND_RANK[o.band])
    rank_key = factory.LazyAttribute(lambda o: rank_key(o.band, o.score))
    completeness = 1.0
    result = factory.LazyAttribute(
        lambda o: result_dict(
            o.band, o.score, completeness=o.completeness, lines=o.lines, to_collect=o.to_collect
        )
    )
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
    # As the screening service stores it: the state of the patient's latest review.
    review_state = factory.LazyAttribute(
        lambda o: (
            Review.objects.filter(patient=o.patient).newest_first().values_list("state", flat=True)
            or [""]
        )[0]
    )

    @factory.post_generation
    def screened_at(self, create, extracted, **kwargs):
        """created_at is auto_now_add: set it afterwards when a test needs a given time."""
        if extracted is not None:
            Screening.objects.filter(pk=self.pk).update(created_at=extracted)
            self.created_at = extracted


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    flag_screening = factory.SubFactory(ScreeningFactory)
    patient = factory.LazyAttribute(lambda o: o.flag_screening.patient)
    centre = factory.LazyAttribute(lambda o: o.patient.centre)
    state = Review.State.FLAGGED

    @factory.post_generation
    def flagged(self, create, extracted, **kwargs):
        if extracted is not None:
            Review.objects.filter(pk=self.pk).update(flagged_at=extracted)
            self.flagged_at = extracted
        # The services keep the current screening's copy of the latest review's state.
        latest = Review.objects.filter(patient_id=self.patient_id).newest_first().first()
        Screening.objects.filter(patient_id=self.patient_id, is_current=True).update(
            review_state=latest.state if latest else ""
        )


def rescreen(
    patient, band, *, score=None, as_of=None, digest=None
) -> tuple[Screening, Screening | None]:
    """Store a new current screening as the screening service would: (new, previous current)."""
    previous = Screening.objects.filter(patient=patient, is_current=True).first()
    if previous is not None:
        Screening.objects.filter(pk=previous.pk).update(is_current=False)
    fields = {"patient": patient, "band": band, "as_of": as_of or TODAY}
    if score is not None:
        fields["score"] = score
    if digest is not None:
        fields["inputs_digest"] = digest
    return ScreeningFactory(**fields), previous


def minutes_ago(minutes: int) -> datetime.datetime:
    return FROZEN_NOW - datetime.timedelta(minutes=minutes)
