"""The code tables and the pure readers of the FHIR importer: no database."""

import pytest

from patients.fhir import mapping as m
from patients.fhir.extract import Order, merge_orders, to_date


@pytest.mark.parametrize(
    "system, code, expected",
    [
        (m.SNOMED, "24700007", "ms"),
        (m.SNOMED, "426373005", "ms_rr"),
        (m.SNOMED, "200936003", "sle"),  # Synthea's lupus code (codes.md)
        (m.ICD10[1], "G35", "ms"),
        (m.ICD10[0], "M06.9", "ra"),
        (m.ICD10[1], "D61.9", "aa"),
        (m.ICD10[1], "D61.01", None),  # constitutional aplastic anaemia is not the acquired disease
        (m.ICD10[1], "D61.818", None),  # pancytopenia
        (m.ICD10[1], "M31.7", "vasculitis"),
        (m.ICD10[1], "M31.1", None),  # thrombotic microangiopathy (codes.md exception)
        (m.LOINC, "24700007", None),  # the system matters, not the code alone
    ],
)
def test_disease_codes_follow_codes_md(system, code, expected):
    assert m.disease_for(system, code) == expected


@pytest.mark.parametrize(
    "system, code, expected",
    [
        (m.SNOMED, "49436004", ["arrhythmia"]),
        (m.ICD10[1], "I25.10", ["cardiac"]),
        (m.ICD10[1], "C34.90", ["prior_solid_tumour"]),
        (m.ICD10[1], "C44.91", []),  # non-melanoma skin cancer does not count
        (m.ICD10[1], "I34.1", []),  # mitral valve prolapse does not count
        (m.ICD10[1], "I35.0", ["heart_valve_disease"]),
        (m.ICD10[1], "K26.9", ["peptic_ulcer"]),
    ],
)
def test_comorbidity_codes_follow_codes_md(system, code, expected):
    assert m.comorbidities_for(system, code) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("cycloSPORINE 50 MG Oral Capsule", "ciclosporin"),
        ("Methotrexate 10 MG Oral Tablet", "methotrexate"),
        ("Methylprednisolone 4 MG Oral Tablet", "methylprednisolone"),  # not prednisolone
        ("prednisoLONE 5 MG", "prednisolone"),
        ("Interferon beta-1a 30 MCG", "interferon_beta"),
        ("Paclitaxel 100 MG Injection", None),
    ],
)
def test_the_ingredient_name_matches_whole_words_in_any_case(text, expected):
    found = next((key for pattern, key in m.THERAPY_PATTERNS if pattern.search(text)), None)
    assert found == expected


def test_zero_width_spaces_are_stripped_from_texts():
    assert m.clean_text("Hemoglobin [Mass/\u200bvolume]") == "Hemoglobin [Mass/volume]"


def test_partial_dates_fall_on_the_first_day():
    assert str(to_date("1970")) == "1970-01-01"
    assert str(to_date("1970-05")) == "1970-05-01"


def test_renewed_orders_of_one_therapy_are_one_line_and_a_long_gap_starts_another():
    day = to_date
    orders = [
        Order("methotrexate", day("2015-01-01"), day("2015-01-01"), False, "unknown"),
        Order("methotrexate", day("2015-12-01"), None, True, "ongoing"),
        Order("methotrexate", day("2010-01-01"), day("2010-03-01"), False, "intolerance", "nausea"),
    ]
    lines = merge_orders(orders, today=day("2026-01-01"))
    assert [(str(li.start), li.end, li.outcome, li.orders) for li in lines] == [
        ("2010-01-01", day("2010-03-01"), "intolerance", 1),
        ("2015-01-01", None, "ongoing", 2),
    ]
