"""The criteria page in plain words, its search, and the version comparison for criteria admins."""

import re

import pytest
from django.urls import reverse

from rules import services
from rules.models import RuleSet
from tests.words import forbidden_codes, internal_strings, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def active():
    return RuleSet.objects.active()


def criteria_of(*rulesets):
    return [(c.key, c.label) for r in rulesets for c in r.criteria.all()]


def words(html):
    """The page's text with its white space closed up."""
    return " ".join(page_text(html).split())


def page(client, name="rules:active", **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response.content.decode()


# --- The checker itself -------------------------------------------------------------------------

CRITERIA = [
    ("pregnancy", "Pregnancy"),
    ("hct_ci_low", "HCT-CI below 3"),
    ("hct_ci_high_review", "HCT-CI 3 or more"),
]


@pytest.mark.parametrize(
    "html, found",
    [
        ("<td>lvef_pct &lt; 45</td>", ["lvef_pct"]),
        ("<td>HCT-CI >= 3</td>", [">="]),
        (
            "<td>aa allo_sibling first_line_transplant</td>",
            ["aa", "allo_sibling", "first_line_transplant"],
        ),
        (
            "<li>out of date for hct_ci_high_review, hct_ci_low</li>",
            ["hct_ci_high_review", "hct_ci_low"],
        ),
        ("<p>ms:rr and ibd</p>", ["ibd", "ms:rr"]),
        (
            '<span title="see ../shared/clinical/criteria-sources.md">V</span>',
            ["../shared", "criteria-sources.md"],
        ),
        ("<td>edss 6.0</td>", ["edss"]),
        # words a clinician writes are not codes
        ("<td>Pregnancy: yes. Rapidly evolving MS; EDSS 6.0; CRP above 10 mg/L</td>", []),
        (
            "<td>Crohn's disease, systemic vasculitis, a biologic, Karnofsky, malignancy: past</td>",
            [],
        ),
    ],
)
def test_the_checker_finds_codes_and_leaves_words_alone(html, found):
    assert internal_strings(html, CRITERIA) == found


def test_the_forbidden_codes_come_from_the_codes_own_tables(active):
    codes = forbidden_codes(criteria_of(active))
    assert {"lvef_pct", "allo_sibling", "ms:rr", "hct_ci_low", "ibd", "edss", "kps"} <= codes
    assert not {"pregnancy", "pregnant", "disease", "malignancy", "biologic", "met"} & codes


# --- The criteria page --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clinician", "coordinator", "criteria_admin"])
@pytest.mark.parametrize("query", ["", "LVEF", "lupus", "nothing matches this"])
def test_the_criteria_page_shows_no_internal_key_code_or_path(
    request, client_for, active, role, query
):
    html = page(client_for(request.getfixturevalue(role)), q=query)
    assert internal_strings(html, criteria_of(active)) == []


def test_a_criterion_reads_in_words_with_what_it_does(client_for, clinician):
    text = page_text(page(client_for(clinician)))
    assert "LVEF below 45%" in text and "lvef_pct" not in text
    assert "EDSS 6.0 to 6.5" in text or "EDSS not raised by a recent relapse: 6.0 to 6.5" in text
    assert "Karnofsky 60% or less" in text
    assert "Possible candidate at best while met" in text
    assert "Gives Trial only when not met" in text  # a core criterion's band when not met
    assert "Allogeneic, matched sibling donor" in text and "Relapsing-remitting MS" in text
    assert "Transplant first, from a matched sibling donor" in text  # an aplastic anaemia pathway


def test_the_rule_column_uses_no_comparison_signs(client_for, clinician):
    html = page(client_for(clinician))
    tables = re.findall(
        r'<table class="table table-sm small criteria"[^>]*>(.*?)</table>', html, re.S
    )
    rules = [
        rule
        for table in tables
        for rule in re.findall(r"<tr[^>]*>\s*<td>.*?</td>\s*<td>(.*?)</td>", table, re.S)
    ]
    assert len(rules) == RuleSet.objects.active().criteria.count()
    assert "LVEF below 45%" in rules
    for rule in rules:
        assert not set(rule) & set("<>≤≥"), rule


def test_the_evidence_marks_are_explained(client_for, clinician):
    html = page(client_for(clinician))
    text = page_text(html)
    for mark, meaning in [
        ("V", "Read in the source itself."),
        ("V2", "Read in a secondary copy of the source"),
        ("UNVERIFIED", "Not yet confirmed against its source; shown so until it is."),
        ("local policy", "The centre's own choice"),
    ]:
        assert mark in text and meaning in text
    assert 'title="V2: Read in a secondary copy' in html  # each row's mark says what it means


def test_weights_band_cut_offs_and_freshness_windows_read_in_words(client_for, clinician):
    text = page_text(page(client_for(clinician)))
    assert "Disease severity weighs 40 of 100" in text
    assert "Strong candidate from a score of 70" in text and "Unlikely below 40" in text
    assert "Labs (blood tests): usable for 90 days (about 3 months)" in text
    assert "How a screening is read" in text


def test_criteria_are_grouped_by_the_diseases_they_apply_to(client_for, clinician):
    html = page(client_for(clinician))
    headings = re.findall(r'<h3 class="h6" id="group-\d+">(.*?)</h3>', html)
    assert headings[:3] == [
        "Every disease",
        "Every disease except systemic sclerosis",
        "Multiple sclerosis",
    ]
    assert "Systemic sclerosis" in headings and "Aplastic anaemia" in headings


@pytest.mark.parametrize(
    "query, present, absent",
    [
        ("lvef", ["LVEF 50% or less", "LVEF below 45% (SSc)"], ["EDSS below 6.0"]),
        ("LVEF SSc", ["LVEF below 45% (SSc)"], ["LVEF 50% or less"]),
        ("lupus", ["SLEDAI-2K recorded"], ["EDSS below 6.0", "CDAI 250 or more"]),  # a disease
        ("ASTIC", ["CDAI 250 or more", "Surgery not an option"], ["EDSS below 6.0"]),  # a source
    ],
)
def test_the_search_keeps_criteria_by_label_disease_or_source(
    client_for, clinician, query, present, absent
):
    html = page(client_for(clinician), q=query)
    assert f'value="{query}"' in html
    for label in present:
        assert label in html
    for label in absent:
        assert label not in html


def test_a_search_that_finds_nothing_says_so(client_for, clinician):
    text = page_text(page(client_for(clinician), q="zzz"))
    assert "No criterion matches “zzz”" in text


def test_file_paths_in_notes_are_not_shown(client_for, clinician, active):
    RuleSet.objects.filter(pk=active.pk).update(
        notes="Sources: (../shared/clinical/criteria-sources.md); weights are local policy."
    )
    text = page_text(page(client_for(clinician)))
    assert "Sources:; weights are local policy." in text and "shared" not in text


def test_only_criteria_admins_are_offered_the_comparison(client_for, clinician, criteria_admin):
    assert reverse("rules:diff") not in page(client_for(clinician))
    assert reverse("rules:diff") in page(client_for(criteria_admin))


# --- Comparing versions -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
def test_only_criteria_admins_may_compare_versions(request, client_for, role):
    response = client_for(request.getfixturevalue(role)).get(reverse("rules:diff"))
    assert response.status_code == 403


def test_the_comparison_starts_from_the_active_version_and_the_one_it_replaced(
    client_for, criteria_admin, active
):
    html = page(client_for(criteria_admin), "rules:diff")
    text = words(html)
    assert "From EBMT-aligned autoimmune HSCT screen v1, version 1 to EBMT-aligned" in text
    assert (
        "Active infection Was an exclusion (switched off), now a review capped at Unlikely" in text
    )
    assert "EDSS below 6.0 (new): adds 2 points to disease severity" in text
    assert "EDSS 2.0 to 6.0 (removed): no longer adds 2 points to disease severity" in text
    for section in ("Criteria added", "Criteria removed", "Criteria changed", "Rule set settings"):
        assert section in text
    assert internal_strings(html, criteria_of(*RuleSet.objects.all())) == []


def test_the_comparison_defaults_to_a_draft_against_the_active_version(
    client_for, criteria_admin, active
):
    draft = services.ruleset_clone(ruleset=active)
    draft.criteria.filter(key="lvef_review").update(thresholds=[45], operator="<")
    text = words(page(client_for(criteria_admin), "rules:diff"))
    assert (
        f"version {active.version} to EBMT-aligned autoimmune HSCT screen v2, version {draft.version}"
        in text
    )
    assert "LVEF 50% or less Rule changed from “LVEF 50% or less” to “LVEF below 45%”" in text


def test_a_version_compared_with_itself_shows_no_changes(client_for, criteria_admin, active):
    text = page_text(page(client_for(criteria_admin), "rules:diff", a=active.pk, b=active.pk))
    assert "No differences" in text


def test_an_unknown_version_is_an_error_beside_the_field(client_for, criteria_admin, active):
    html = page(client_for(criteria_admin), "rules:diff", a=active.pk, b=999999)
    assert "Please correct the following" in html and "No differences" not in html
