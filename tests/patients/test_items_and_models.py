"""Values a clinician enters are checked against each scale's own range and steps."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from common.vocabulary import (
    COMORBIDITY_ITEMS,
    MEASUREMENT_ITEMS,
    THERAPY_CLASSES,
    TREATMENT_OUTCOMES,
)
from patients.items import ITEMS, SECTIONS, display_value, sections_for
from patients.models import Patient, PriorTreatment, Therapy

from ..clock import days_ahead
from ..factories import PatientFactory, PriorTreatmentFactory

CASES = [
    # Kurtzke EDSS: 0 to 10 in 0.5 steps, but no 0.5 step
    ("edss", 0, True),
    ("edss", 3.5, True),
    ("edss", 10, True),
    ("edss", 0.5, False),
    ("edss", 3.25, False),
    ("edss", 10.5, False),
    ("edss", -1, False),
    # Karnofsky: 0 to 100 in tens
    ("karnofsky", 70, True),
    ("karnofsky", 75, False),
    ("karnofsky", 110, False),
    # ECOG: 0 to 5
    ("ecog", 0, True),
    ("ecog", 5, True),
    ("ecog", 6, False),
    ("ecog", 1.5, False),
    # SLEDAI-2K: 0 to 105
    ("sledai_2k", 105, True),
    ("sledai_2k", 106, False),
    # mRSS: 17 areas x 0-3 = 0 to 51
    ("mrss", 51, True),
    ("mrss", 52, False),
    # physiologic ranges
    ("lvef", 58, True),
    ("lvef", 95, False),
    ("lvef", 2, False),
    ("haemoglobin", 30, False),
    ("bmi", 5, False),
    # yes / no items
    ("pregnant", 1, True),
    ("pregnant", 0, True),
    ("pregnant", 2, False),
    ("edss_relapse_related", 1, True),
    ("surgery_not_an_option", 0.5, False),
    # malignancy: a coded answer, 0 none, 1 past, 2 active, and nothing else
    ("malignancy", 0, True),
    ("malignancy", 1, True),
    ("malignancy", 2, True),
    ("malignancy", 3, False),
    ("malignancy", 1.5, False),
    # lesion counts are whole numbers
    ("new_t2_lesions_12m", 4, True),
    ("gd_lesions_12m", 1.5, False),
    # Camitta's residual fraction and the PNH clone are shares, 0 to 100 %
    ("marrow_residual_haematopoietic_pct", 30, True),
    ("marrow_residual_haematopoietic_pct", 101, False),
    ("pnh_clone_pct", 0, True),
    ("pnh_clone_pct", -1, False),
]


@pytest.mark.parametrize("item, value, accepted", CASES)
def test_each_item_accepts_only_values_its_scale_allows(item, value, accepted):
    assert (ITEMS[item].validate(value) is None) is accepted


def test_the_catalogue_covers_every_item_the_rules_engine_reads():
    assert set(ITEMS) == set(MEASUREMENT_ITEMS)


def test_each_item_is_in_exactly_one_section():
    keys = [item.key for section in SECTIONS for item in section.items]
    assert len(keys) == len(set(keys))


def test_a_coded_answer_is_shown_as_its_word():
    assert display_value("malignancy", 0.0) == "none"
    assert display_value("malignancy", 2.0) == "active"
    assert ITEMS["malignancy"].range_text == "none, past or active"
    assert ITEMS["malignancy"].validate(3) == "Choose one of: none, past, active."


@pytest.mark.parametrize(
    "disease, items",
    [
        ("ms", {"edss_relapse_related", "new_t2_lesions_12m", "gd_lesions_12m"}),
        ("ms", {"ms_rapidly_evolving"}),
        ("sle", {"sledai_2k", "active_despite_standard_therapy"}),
        ("ra", {"active_despite_standard_therapy"}),
        ("vasculitis", {"active_despite_standard_therapy"}),
        ("myositis", {"active_despite_standard_therapy"}),
        ("nmosd", {"active_despite_standard_therapy"}),
        ("cidp", {"active_despite_standard_therapy"}),
        ("crohns", {"cdai", "surgery_not_an_option"}),
        ("aa", {"marrow_residual_haematopoietic_pct", "pnh_clone_pct"}),
        ("aa", {"abnormal_cytogenetics", "inherited_marrow_failure"}),
        ("t1d", {"malignancy", "active_infection"}),  # General, open for everyone
    ],
)
def test_each_disease_opens_the_sections_with_the_items_it_needs(disease, items):
    open_items = {
        item.key for section, is_open in sections_for(disease) if is_open for item in section.items
    }
    assert items <= open_items


def test_the_activity_answer_is_not_opened_for_diseases_with_their_own_scores():
    opened = {s.key for s, is_open in sections_for("ms") if is_open}
    assert "activity" not in opened and "aa_workup" not in opened


def test_the_record_names_match_the_rules_engine_vocabulary():
    assert {c.value for c in Therapy.TherapyClass} == set(THERAPY_CLASSES)
    assert {c.value for c in PriorTreatment.Outcome} == set(TREATMENT_OUTCOMES)
    assert set(COMORBIDITY_ITEMS) <= {f.name for f in Patient._meta.get_fields()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"birth_date": days_ahead(1)}, "birth_date"),
        ({"birth_date": datetime.date(1890, 1, 1)}, "birth_date"),
        ({"diagnosis_date": datetime.date(1980, 1, 1)}, "diagnosis_date"),  # before birth
        ({"death_date": days_ahead(3)}, "death_date"),
    ],
)
def test_implausible_patient_dates_are_refused_on_the_field(changes, field):
    patient = PatientFactory.build(centre=None, **changes)
    with pytest.raises(ValidationError) as error:
        patient.clean()
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_age_is_derived_from_the_date_of_birth():
    patient = PatientFactory(birth_date=datetime.date(2000, 6, 15))
    assert patient.age_on(datetime.date(2026, 6, 14)) == 25
    assert patient.age_on(datetime.date(2026, 6, 15)) == 26


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        (
            {"start_date": datetime.date(2024, 1, 1), "end_date": datetime.date(2023, 1, 1)},
            "end_date",
        ),
        (
            {"start_date": days_ahead(10), "end_date": None},
            "start_date",
        ),
        ({"outcome": "ongoing", "end_date": datetime.date(2024, 1, 1)}, "outcome"),
    ],
)
def test_a_treatment_must_end_after_it_starts(changes, field):
    treatment = PriorTreatmentFactory.build(patient=None, **changes)
    with pytest.raises(ValidationError) as error:
        treatment.clean()
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_an_mrn_is_unique_within_its_centre_only(centre, other_centre):
    PatientFactory(centre=centre, mrn="X1")
    PatientFactory(centre=other_centre, mrn="X1")
    duplicate = PatientFactory.build(centre=centre, mrn="X1")
    with pytest.raises(ValidationError):
        duplicate.validate_constraints()


@pytest.mark.django_db
def test_the_reference_seed_adds_the_nmosd_targeted_therapies_to_an_existing_database():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("patients.migrations.0009_nmosd_therapies")
    keys = ["eculizumab", "ravulizumab", "inebilizumab", "satralizumab"]
    Therapy.objects.filter(key__in=keys).delete()  # as in a database made before them
    before = Therapy.objects.count()

    migration.seed(apps, None)
    migration.seed(apps, None)  # idempotent

    assert Therapy.objects.count() == before + 4
    added = Therapy.objects.filter(key__in=keys)
    assert {t.therapy_class for t in added} == {Therapy.TherapyClass.BIOLOGIC}
