"""Under /reviews/concordance/, namespaced ``reviews:concordance`` (the top bar tells it from the queue)."""

from django.urls import path

from . import views

app_name = "concordance"

urlpatterns = [
    path("", views.concordance, name="report"),
    path("departures.csv", views.departures_csv, name="departures_csv"),
    path("summary.csv", views.summary_csv, name="summary_csv"),
]
