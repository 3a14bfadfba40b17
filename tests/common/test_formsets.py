"""Every formset refuses a forged row count at once, saying why, and saves nothing (issue 12, 6).

A POST claiming TOTAL_FORMS=1000000 used to build and render up to the cap (60 treatment forms:
over 2 s and 440 kB; 2,000 forms on an admin inline). Now no form is built.
"""

import pytest
from django.urls import reverse

from common.formsets import TOO_MANY_ROWS
from patients.models import PriorTreatment, Relapse
from rules.models import DiseaseIndication

from ..factories import PatientFactory, disease, therapy
from ..html_forms import as_post_data, form_fields

pytestmark = pytest.mark.django_db
FORGED = "1000000"
MAX_QUERIES = 20  # the page's own reads; the forged count must not add any


def refused(response, limit) -> str:
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert TOO_MANY_ROWS % {"num": limit} in html
    assert len(response.content) < 100_000
    return html


def test_the_treatments_page_refuses_a_forged_count(
    client_for, clinician, centre, django_assert_max_num_queries
):
    patient = PatientFactory(centre=centre)
    data = {
        "treatments-TOTAL_FORMS": FORGED,
        "treatments-INITIAL_FORMS": "0",
        "treatments-0-therapy": str(therapy("glatiramer").pk),
        "treatments-0-start_date": "2019-01-01",
    }
    client = client_for(clinician)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.post(reverse("patients:treatments", args=[patient.public_id]), data)
    refused(response, 60)
    assert response.context["formset"].forms == []
    assert not PriorTreatment.objects.exists()


def test_the_relapses_page_refuses_a_forged_count(
    client_for, clinician, centre, django_assert_max_num_queries
):
    patient = PatientFactory(centre=centre, disease=disease("ms_rr"))
    data = {
        "relapses-TOTAL_FORMS": FORGED,
        "relapses-INITIAL_FORMS": "0",
        "relapses-0-onset": "2023-02-10",
    }
    client = client_for(clinician)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.post(reverse("patients:relapses", args=[patient.public_id]), data)
    refused(response, 100)
    assert response.context["formset"].forms == []
    assert not Relapse.objects.exists()


def test_the_rule_set_admins_indication_inline_refuses_a_forged_count(client_for, criteria_admin):
    from rules import services
    from rules.models import RuleSet

    draft = services.ruleset_clone(ruleset=RuleSet.objects.active())
    before = DiseaseIndication.objects.filter(ruleset=draft).count()
    client = client_for(criteria_admin)
    url = reverse("admin:rules_ruleset_change", args=[draft.pk])
    fields = form_fields(client.get(url).content.decode(), "ruleset_form")
    [total] = [name for name, _ in fields if name.endswith("-TOTAL_FORMS")]
    response = client.post(url, as_post_data(fields, notes="forged", **{total: FORGED}))
    html = refused(response, 300)
    assert "Please correct the error" in html
    draft.refresh_from_db()
    assert draft.notes != "forged"
    assert DiseaseIndication.objects.filter(ruleset=draft).count() == before


def test_every_admin_inline_has_the_cap(rf, criteria_admin):
    """A new inline in any admin gets the same refusal, not Django's 2,000 forms."""
    from django.contrib import admin

    from common.formsets import CappedFormSetMixin

    request = rf.get("/admin/")
    request.user = criteria_admin
    inlines = [
        inline(model_admin.model, admin.site)
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    ]
    assert inlines
    for inline in inlines:
        formset = inline.get_formset(request)
        assert issubclass(formset, CappedFormSetMixin), inline
        assert formset.absolute_max <= 300, inline
