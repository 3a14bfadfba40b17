"""The code tables and the pure readers of the FHIR importer: no database."""

import pytest
from fhir.resources.R4B.codeableconcept import CodeableConcept

from patients.fhir import mapping as m
from patients.fhir.datatypes import to_date
from patients.fhir.imported import Order
from patients.fhir.treatments import _outcome, merge_orders


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
        # the NMOSD targeted therapies, matched by name (no RxNorm ingredient code confirmed)
        ("eculizumab-aagh 10 MG/ML Injectable Solution [Epysqli]", "eculizumab"),
        ("ravulizumab-cwvz 100 MG/ML Injection", "ravulizumab"),
        ("Inebilizumab 100 MG in 10 ML Injection", "inebilizumab"),
        ("satralizumab-mwge 120 MG/ML Prefilled Syringe", "satralizumab"),
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


@pytest.mark.parametrize(
    "code, disease, comorbidities",
    [
        # Written without the dot (or in lower case), a code still meets the exceptions of codes.md.
        ("M311", None, []),  # thrombotic microangiopathy is not systemic vasculitis
        ("M3110", None, []),
        ("m31.1", None, []),
        ("M31.10", None, []),
        ("M317", "vasculitis", []),
        ("I341", None, []),  # mitral valve prolapse is not heart valve disease
        ("I34.1", None, []),
        ("I350", None, ["heart_valve_disease"]),
        ("D619", "aa", []),
        ("D61.9", "aa", []),
        ("D6101", None, []),  # constitutional
        ("D61810", None, []),  # pancytopenia
        ("D6189", "aa", []),
        ("G35", "ms", []),
        ("g350", "ms", []),
        ("C449", None, []),  # non-melanoma skin cancer
        ("C3490", None, ["prior_solid_tumour"]),
        (" M32.14 ", "sle", ["rheumatologic"]),
    ],
)
def test_icd10_codes_are_normalised_before_the_prefixes_and_exceptions(
    code, disease, comorbidities
):
    assert m.disease_for(m.ICD10[1], code) == disease
    assert m.comorbidities_for(m.ICD10[1], code) == comorbidities


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Treatment failure", "inadequate_response"),
        ("therapeutic failure after 6 months", "inadequate_response"),
        ("Failure to respond", "inadequate_response"),
        ("patient failed to respond", "inadequate_response"),
        ("Lack of efficacy", "inadequate_response"),
        ("not effective", "inadequate_response"),
        ("Ineffective", "inadequate_response"),
        ("inadequate response", "inadequate_response"),
        ("No response at 12 weeks", "inadequate_response"),
        ("no adverse events; lack of efficacy", "inadequate_response"),
        ("Stopped without adverse effects: treatment failure", "inadequate_response"),
        ("Adverse reaction: hepatotoxicity", "intolerance"),
        ("drug intolerance", "intolerance"),
        ("side effects", "intolerance"),
        ("Side-effect: nausea", "intolerance"),
        ("toxicity", "intolerance"),
        ("adverse reaction after treatment failure", "intolerance"),
        ("no adverse events", None),
        ("no serious adverse events", None),
        ("without side effects", None),
        ("stopped due to renal failure", None),
        ("Heart failure", None),
        ("stopped: acute kidney failure", None),
        ("failure", None),
        ("patient preference", None),
        ("", None),
    ],
)
def test_status_reason_texts_give_an_outcome_only_when_they_say_so(text, expected):
    reason = (
        CodeableConcept(text=text)
        if text
        else CodeableConcept(coding=[{"system": m.SNOMED, "code": "1"}])
    )
    assert _outcome([reason])[0] == expected


def test_a_later_order_silent_about_its_outcome_keeps_the_earlier_one():
    day = to_date
    orders = [
        Order(
            "methotrexate",
            day("2018-01-01"),
            day("2018-01-01"),
            False,
            "intolerance",
            "Adverse reaction: nausea",
        ),
        Order("methotrexate", day("2018-03-01"), day("2018-03-01"), False, "unknown"),
        Order("azathioprine", day("2018-01-01"), day("2018-01-01"), False, "intolerance", "rash"),
        Order("azathioprine", day("2018-03-01"), None, True, "ongoing"),
        Order(
            "rituximab",
            day("2018-01-01"),
            day("2018-01-01"),
            False,
            "intolerance",
            "infusion reaction",
        ),
        Order("rituximab", day("2018-03-01"), day("2018-03-01"), False, "inadequate_response"),
    ]
    lines = {li.therapy: li for li in merge_orders(orders, today=day("2026-01-01"))}
    assert (
        lines["methotrexate"].outcome,
        lines["methotrexate"].stop_reason,
        lines["methotrexate"].end,
    ) == ("intolerance", "Adverse reaction: nausea", day("2018-03-01"))
    assert (lines["azathioprine"].outcome, lines["azathioprine"].stop_reason) == (
        "ongoing",
        "",
    )  # started again
    # A later known outcome wins, with its own reason (none), not the earlier one's.
    assert (lines["rituximab"].outcome, lines["rituximab"].stop_reason) == (
        "inadequate_response",
        "",
    )
