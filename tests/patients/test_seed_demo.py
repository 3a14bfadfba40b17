"""``manage.py seed_demo``: demo centres and users, and realistic, repeatable synthetic patients."""

import datetime
import hashlib
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from patients.demo.centres import DEMO_PASSWORD, USERS
from patients.demo.generator import MRN_PREFIX, check_values, demo_mrn
from patients.items import ITEMS
from patients.models import (
    Assessment,
    AssessmentValue,
    Centre,
    Patient,
    PriorTreatment,
    Relapse,
)
from patients.permissions import CLINICIAN, COORDINATOR, CRITERIA_ADMIN
from patients.relapses import year_before

from ..clock import days_ahead

AS_OF = datetime.date(2025, 6, 30)
N = 300

pytestmark = pytest.mark.django_db


def seed(patients=N, seed_value="7", as_of=AS_OF, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "seed_demo",
        "--patients",
        str(patients),
        "--seed",
        seed_value,
        "--as-of",
        as_of.isoformat(),
        "--allow-without-debug",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def counts():
    return (
        Centre.objects.count(),
        get_user_model().objects.count(),
        Patient.objects.count(),
        Assessment.objects.count(),
        AssessmentValue.objects.count(),
        PriorTreatment.objects.count(),
        Relapse.objects.count(),
    )


def digest() -> str:
    """Everything seeded about every demo patient, ids and timestamps aside."""
    digest = hashlib.sha256()
    patients = (
        Patient.objects.filter(mrn__startswith=MRN_PREFIX)
        .select_related("centre", "disease")
        .prefetch_related(
            "assessments__values", "assessments__recorded_by", "treatments__therapy", "relapses"
        )
        .order_by("mrn")
    )
    for p in patients:
        digest.update(
            repr(
                (
                    p.mrn,
                    p.centre.code,
                    str(p.public_id),
                    p.given_name,
                    p.family_name,
                    p.birth_date,
                    p.sex,
                    p.death_date,
                    p.deceased,
                    p.disease.key,
                    p.diagnosis_date,
                    sorted(p.comorbidities().items()),
                )
            ).encode()
        )
        for a in sorted(p.assessments.all(), key=lambda a: (a.taken_on, a.note)):
            values = sorted((v.item, v.value) for v in a.values.all())
            digest.update(repr((a.taken_on, a.note, a.recorded_by.username, values)).encode())
        for t in sorted(p.treatments.all(), key=lambda t: (t.start_date, t.therapy.key)):
            digest.update(
                repr((t.therapy.key, t.start_date, t.end_date, t.outcome, t.stop_reason)).encode()
            )
        digest.update(repr(sorted(r.onset for r in p.relapses.all())).encode())
    return digest.hexdigest()


def fresh_digest(*args) -> str:
    """Seed an empty database, take the digest, and roll everything back."""
    with transaction.atomic():
        assert not Patient.objects.exists()
        seed(*args)
        value = digest()
        transaction.set_rollback(True)
    return value


def test_creates_the_centres_and_one_user_per_role_and_centre():
    seed(patients=0)

    assert {(c.code, c.name, c.kind) for c in Centre.objects.all()} == {
        ("ntc", "North Transplant Centre", Centre.Kind.TRANSPLANT),
        ("srh", "Southside Referring Hospital", Centre.Kind.REFERRING),
    }
    expected = {
        "clinician-ntc": (CLINICIAN, "ntc"),
        "clinician-srh": (CLINICIAN, "srh"),
        "coordinator-ntc": (COORDINATOR, "ntc"),
        "coordinator-srh": (COORDINATOR, "srh"),
        "criteria-admin": (CRITERIA_ADMIN, "ntc"),
    }
    assert {u.username for u in USERS} == set(expected)
    for username, (group, centre) in expected.items():
        user = get_user_model().objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert list(user.centres.values_list("code", flat=True)) == [centre]
        assert user.check_password(DEMO_PASSWORD)
        assert user.first_name and user.last_name
        assert user.is_staff == (username == "criteria-admin")
        assert not user.is_superuser


def test_creates_n_patients_across_both_centres():
    out, err = seed()

    assert Patient.objects.count() == N
    by_centre = Counter(Patient.objects.values_list("centre__code", flat=True))
    assert by_centre == {"ntc": 200, "srh": 100}
    assert set(Patient.objects.values_list("mrn", flat=True)) == {
        demo_mrn(i) for i in range(1, N + 1)
    }
    assert Patient.objects.get(mrn="DEMO-000001").centre.code == "ntc"
    assert "seeded 300 / 300 patients" in err
    assert "300 created, 0 already there" in out
    assert "patients/s" in out


def test_a_second_run_creates_nothing_and_keeps_changed_passwords():
    seed()
    before = counts()
    user = get_user_model().objects.get(username="clinician-ntc")
    user.set_password("changed-by-the-user")
    user.save()

    out, _ = seed()

    assert counts() == before
    assert "0 created, 300 already there" in out
    assert (
        get_user_model().objects.get(username="clinician-ntc").check_password("changed-by-the-user")
    )


def test_a_bigger_n_adds_only_the_missing_patients_and_matches_a_fresh_run():
    fresh = fresh_digest(N)

    seed(patients=120)
    out, _ = seed(patients=N)

    assert "180 created, 120 already there" in out
    assert Patient.objects.count() == N
    assert digest() == fresh


def test_the_same_seed_and_date_give_the_same_patients_whatever_the_chunk_size():
    first = fresh_digest(N, "7")
    second = fresh_digest(N, "7")
    small_chunks = fresh_digest(N, "7", AS_OF, "--chunk-size", "37")

    assert first == second == small_chunks


def test_another_seed_or_date_gives_other_patients():
    first = fresh_digest(N, "7")

    assert fresh_digest(N, "8") != first
    assert fresh_digest(N, "7", AS_OF - datetime.timedelta(days=1)) != first


def test_every_value_is_within_the_item_catalogue():
    seed()

    values = list(AssessmentValue.objects.select_related("assessment__patient"))
    assert len(values) > N * 10
    for value in values:
        assert ITEMS[value.item].validate(value.value) is None, (value.item, value.value)
    by_assessment = {}
    for value in values:
        by_assessment.setdefault(value.assessment_id, {})[value.item] = value.value
    for items in by_assessment.values():
        if "relapses_12m" in items:
            assert items["relapses_12m"] <= items["relapses_24m"]
        assert ("bilirubin_uln" in items) <= ("bilirubin" in items)
    pregnant_items = {v.assessment.patient.sex for v in values if v.item == "pregnant"}
    assert pregnant_items == {"female"}


def test_dates_and_treatments_are_consistent():
    seed()

    for patient in Patient.objects.prefetch_related("assessments", "treatments"):
        patient.clean()  # no future dates, nothing before birth
        end = patient.death_date or AS_OF
        assert patient.deceased == (patient.death_date is not None)
        for assessment in patient.assessments.all():
            assert patient.birth_date < assessment.taken_on <= end
            assert (
                end - assessment.taken_on
            ).days <= 400  # within about a year (of death, if died)
        for treatment in patient.treatments.all():
            treatment.clean()
            assert treatment.start_date <= end
            assert treatment.end_date is None or treatment.end_date <= end
            if treatment.outcome == PriorTreatment.Outcome.ONGOING:
                assert treatment.end_date is None
            else:
                assert treatment.end_date is not None and treatment.stop_reason


def test_the_records_look_like_a_real_caseload():
    seed()
    patients = list(
        Patient.objects.select_related("disease").prefetch_related(
            "assessments__values", "treatments"
        )
    )

    groups = Counter(p.disease.group for p in patients)
    assert len(groups) >= 8
    assert groups.most_common(1)[0][0] == "ms"
    assert {"ms", "ssc", "sle", "aa", "crohns"} <= set(groups)
    assert any(p.age_on(AS_OF) < 18 for p in patients)
    assert all(p.age_on(AS_OF) >= 6 for p in patients)
    assert any(p.death_date for p in patients)
    assert Counter(len(p.assessments.all()) for p in patients).keys() == {1, 2, 3}
    assert any((AS_OF - max(a.taken_on for a in p.assessments.all())).days > 182 for p in patients)

    core = {
        "lvef",
        "dlco",
        "fev1",
        "creatinine",
        "bilirubin",
        "alt",
        "ast",
        "bmi",
        "active_infection",
    }
    items = [{v.item for a in p.assessments.all() for v in a.values.all()} for p in patients]
    with_gaps = sum(1 for i in items if not core <= i or not {"karnofsky", "ecog"} & i)
    assert 0.08 * N < with_gaps < 0.35 * N

    comorbidities = [value for p in patients for value in p.comorbidities().values()]
    assert {True, False, None} <= set(comorbidities)
    assert Counter(comorbidities)[False] > Counter(comorbidities)[True]

    outcomes = Counter(t.outcome for p in patients for t in p.treatments.all())
    assert {"ongoing", "inadequate_response", "intolerance", "completed"} <= set(outcomes)
    aa_treated = [p for p in patients if p.disease.group == "aa" and p.treatments.exists()]
    aa_untreated = [p for p in patients if p.disease.group == "aa" and not p.treatments.exists()]
    assert aa_treated and aa_untreated


def test_relapse_dates_give_every_assessment_its_relapse_counts():
    seed()

    ms = Patient.objects.filter(disease__group="ms").prefetch_related(
        "assessments__values", "relapses"
    )
    compared = 0
    for patient in ms:
        onsets = [relapse.onset for relapse in patient.relapses.all()]
        for relapse in patient.relapses.all():
            relapse.full_clean()  # not in the future, not before birth or the diagnosis
        for assessment in patient.assessments.all():
            values = {v.item: v.value for v in assessment.values.all()}
            if "relapses_12m" not in values:
                continue
            day = assessment.taken_on
            in_year = sum(year_before(day) < onset <= day for onset in onsets)
            in_two = sum(year_before(year_before(day)) < onset <= day for onset in onsets)
            assert (in_year, in_two) == (values["relapses_12m"], values["relapses_24m"])
            compared += 1
    assert compared > 50
    assert Relapse.objects.exclude(patient__disease__group="ms").count() == 0


def test_the_generator_refuses_a_value_outside_the_catalogue():
    with pytest.raises(ValueError, match="edss"):
        check_values({"edss": 0.5})
    check_values({"edss": 1.0, "karnofsky": 70.0})


def test_the_as_of_date_cannot_be_in_the_future():
    with pytest.raises(CommandError, match="future"):
        seed(10, "7", days_ahead(2))


def test_it_refuses_to_create_demo_users_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo", "--patients", "1")
    assert not get_user_model().objects.exists()
