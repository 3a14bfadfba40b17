from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.access_log, name="log"),
    path("export.csv", views.access_log_csv, name="export"),
]
