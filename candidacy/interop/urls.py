"""FHIR export and CDS Hooks, included at the site root (the paths the standards expect)."""

from django.urls import path

from . import views

app_name = "interop"

urlpatterns = [
    path(
        "fhir/Patient/<uuid:public_id>/$screening", views.patient_screening, name="fhir_screening"
    ),
    path("cds-services", views.cds_discovery, name="cds_discovery"),
    path("cds-services/candidacy-screen", views.cds_candidacy_screen, name="cds_screen"),
]
