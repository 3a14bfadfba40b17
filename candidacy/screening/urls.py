from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("screening/jobs/<int:pk>/", views.rescreen_job, name="job"),
    path(
        "screening/jobs/<int:pk>/chunks/<int:index>/retry/",
        views.rescreen_chunk_retry,
        name="chunk_retry",
    ),
    path(
        "screening/rulesets/<int:ruleset_id>/progress/",
        views.rescreen_progress,
        name="ruleset_progress",
    ),
    path("patients/<uuid:public_id>/print/", views.patient_print, name="patient_print"),
]
