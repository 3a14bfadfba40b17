import datetime

import factory
from django.contrib.auth import get_user_model

from patients.models import (
    Assessment,
    AssessmentValue,
    Centre,
    Disease,
    Patient,
    PriorTreatment,
    Therapy,
)

from .clock import TODAY

DEFAULT_PASSWORD = "a-long-test-password"


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"c{n}")
    name = factory.LazyAttribute(lambda o: f"Centre {o.code}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.django.Password(DEFAULT_PASSWORD)


def disease(key: str) -> Disease:
    return Disease.objects.get(key=key)


def therapy(key: str) -> Therapy:
    return Therapy.objects.get(key=key)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    centre = factory.SubFactory(CentreFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    given_name = "Jordan"
    family_name = factory.Sequence(lambda n: f"Patient{n}")
    birth_date = datetime.date(1990, 3, 14)
    sex = Patient.Sex.FEMALE
    disease = factory.LazyFunction(lambda: disease("ms_rr"))
    diagnosis_date = datetime.date(2020, 6, 1)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    taken_on = TODAY

    @factory.post_generation
    def values(self, create, extracted, **kwargs):
        for item, value in (extracted or {}).items():
            AssessmentValue.objects.create(assessment=self, item=item, value=value)


class PriorTreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorTreatment

    patient = factory.SubFactory(PatientFactory)
    therapy = factory.LazyFunction(lambda: therapy("natalizumab"))
    start_date = datetime.date(2022, 1, 1)
    end_date = datetime.date(2024, 1, 1)
    outcome = PriorTreatment.Outcome.INADEQUATE_RESPONSE
