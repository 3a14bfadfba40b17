from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("patients/", include("patients.urls")),
    path("criteria/", include("rules.urls")),
    path("reviews/", include("candidacy.review_urls")),
    path("", include("candidacy.worklist_urls")),
    path("", include("candidacy.fhir_urls")),
    path("screening/jobs/<int:pk>/", views.rescreen_job, name="rescreen_job"),
    path("screening/rulesets/<int:ruleset_id>/progress/", views.rescreen_progress, name="rescreen_progress"),
    path("patients/<uuid:public_id>/print/", views.patient_print, name="patient_print"),
    path("admin/", admin.site.urls),
]
