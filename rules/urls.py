from django.urls import path

from . import views

app_name = "rules"

urlpatterns = [
    path("", views.active_ruleset, name="active"),
    path("compare/", views.ruleset_diff, name="diff"),
]
