"""The one vocabulary of labels: every code has words, and a code means one thing."""

import pytest

from common import labels
from common.vocabulary import MALIGNANCY_CODES
from rules import scales, specs
from rules.facts import FRESHNESS_CLASSES
from rules.facts_treatment import SAA_PATHWAYS

# Every table of codes the pages may meet, with where its words live.
CODE_TABLES = [
    *((name, codes, None) for name, codes in labels.LABELLED_CODES.items()),
    ("rule set diseases", specs.DISEASES + (specs.ALL_DISEASES,), labels.RULE_DISEASE_LABELS),
    ("transplant types", specs.TRANSPLANT_TYPES, labels.TRANSPLANT_TYPE_LABELS),
    ("categories and pathways", specs.CATEGORIES, labels.CATEGORY_LABELS),
    ("aplastic anaemia pathways", SAA_PATHWAYS, labels.CATEGORY_LABELS),
    ("criterion kinds", specs.KINDS, labels.KIND_LABELS),
    ("domains", specs.DOMAINS, labels.DOMAIN_LABELS),
    ("outcomes", specs.OUTCOMES, labels.OUTCOME_LABELS),
    ("evidence marks", specs.EVIDENCE, labels.EVIDENCE_LABELS),
    ("evidence meanings", specs.EVIDENCE, labels.EVIDENCE_MEANINGS),
    ("freshness windows", FRESHNESS_CLASSES, labels.FRESHNESS_LABELS),
    ("malignancy", tuple(MALIGNANCY_CODES.values()), labels.MALIGNANCY_LABELS),
    ("Camitta grades", scales.CAMITTA_GRADES, labels.CAMITTA_LABELS),
]


@pytest.mark.parametrize("name, codes, table", CODE_TABLES, ids=[t[0] for t in CODE_TABLES])
def test_every_code_has_words(name, codes, table):
    for code in codes:
        words = labels.label(code) if table is None else table.get(code)
        assert words, f"{name}: {code!r} has no label"
        assert code in labels._ALL or table is not None, f"{name}: {code!r} is not in a table"
        if "_" in code or ":" in code:
            assert "_" not in words and code not in words, f"{name}: {code!r} reads {words!r}"


def test_a_code_means_the_same_in_every_table():
    seen: dict[str, str] = {}
    for table in labels.TABLES:
        for code, words in table.items():
            assert seen.setdefault(code, words) == words, f"{code!r}: {seen[code]!r} or {words!r}"


def test_the_words_the_brief_names():
    assert labels.disease_label("ms:rr") == "relapsing-remitting MS"
    assert labels.label("allo_sibling") == "allogeneic, matched sibling donor"
    assert labels.label("workup") == "work-up" and labels.label("core") == "guideline checklist"
    assert labels.label("not_applicable") == "does not apply"
    assert labels.label("very_severe") == "very severe"
    assert labels.label("GNR") == "generally not recommended"


def test_an_unknown_code_is_spelled_out_rather_than_shown():
    assert labels.label("some_new_code") == "some new code"
    assert labels.disease_label("ms:xx") == "ms xx"


@pytest.mark.parametrize(
    "codes, words",
    [
        (("all",), "every disease"),
        (("ms",), "multiple sclerosis"),
        (("ms:sp", "ms:pp"), "secondary progressive MS and primary progressive MS"),
        (
            ("sle", "ra", "crohns"),
            "systemic lupus erythematosus, rheumatoid arthritis and Crohn's disease",
        ),
        # every group but one reads as an exception, not a list of eleven
        (
            (
                "ms",
                "sle",
                "crohns",
                "ra",
                "vasculitis",
                "myositis",
                "cidp",
                "nmosd",
                "mg",
                "t1d",
                "aa",
            ),
            "every disease except systemic sclerosis",
        ),
    ],
)
def test_a_criterions_diseases_in_words(codes, words):
    assert labels.diseases_text(codes) == words


@pytest.mark.parametrize(
    "text, plain",
    [
        (
            "Seeded default. Clinical thresholds cite their source and evidence mark "
            "(../shared/clinical/criteria-sources.md); weights are local policy.",
            "Seeded default. Clinical thresholds cite their source and evidence mark; "
            "weights are local policy.",
        ),
        (
            "Standard CIDP immunotherapy: IVIg, corticosteroids, plasma exchange "
            "(criteria-sources.md section 5)",
            "Standard CIDP immunotherapy: IVIg, corticosteroids, plasma exchange",
        ),
        ("See scoring-model.md for why", "See for why"),
        ("BEAT-MS: each failure after >= 3 months", "BEAT-MS: each failure after ≥ 3 months"),
        ("HCT-CI <= 2", "HCT-CI ≤ 2"),
        # what is not a file or an operator stays as written
        (
            "London criteria (aimscharity.org/uk-criteria)",
            "London criteria (aimscharity.org/uk-criteria)",
        ),
        ("doi:10.1038/s41409-025-02695-y", "doi:10.1038/s41409-025-02695-y"),
        ("mPAP > 25 mmHg", "mPAP > 25 mmHg"),
    ],
)
def test_free_text_drops_file_paths_and_code_operators(text, plain):
    assert labels.plain(text) == plain


def test_the_record_models_use_the_same_words():
    from patients.models import Patient, PriorTreatment, Therapy

    for code, name in Therapy.TherapyClass.choices:
        assert labels.THERAPY_CLASS_LABELS[code].lower() == name.lower()
    for code, name in PriorTreatment.Outcome.choices:
        assert labels.TREATMENT_OUTCOME_LABELS[code].lower() == name.lower()
    for code, words in labels.COMORBIDITY_LABELS.items():
        assert words.endswith(str(Patient._meta.get_field(code).verbose_name))


def test_templates_read_the_same_words_through_filters():
    from django.template import Context, Template

    page = Template(
        "{% load words %}{{ t|label }} | {{ d|disease_label }} | {{ ds|diseases_text }} | "
        "{{ c|plain }} | {{ none|label }}"
    ).render(
        Context(
            {
                "t": "allo_sibling",
                "d": "ms:rr",
                "ds": ["all"],
                "c": "HCT-CI >= 3 (see criteria-sources.md)",
                "none": None,
            }
        )
    )
    assert page == (
        "allogeneic, matched sibling donor | relapsing-remitting MS | every disease | "
        "HCT-CI ≥ 3 (see) | "
    )
