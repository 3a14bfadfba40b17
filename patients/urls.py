from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("import/", views.fhir_import, name="import"),
    path("import/<int:pk>/", views.fhir_import_run, name="import_run"),
    path("<uuid:public_id>/", views.patient_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.patient_update, name="update"),
    path("<uuid:public_id>/assessments/new/", views.assessment_create, name="assessment_create"),
    path(
        "<uuid:public_id>/assessments/<int:assessment_id>/entered-in-error/",
        views.assessment_mark_in_error,
        name="assessment_mark_in_error",
    ),
    path("<uuid:public_id>/treatments/", views.treatments_edit, name="treatments"),
    path("<uuid:public_id>/relapses/", views.relapses_edit, name="relapses"),
]
