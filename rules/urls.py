from django.urls import path

from . import views
from .previews import views as previews

app_name = "rules"

urlpatterns = [
    path("", views.active_ruleset, name="active"),
    path("compare/", views.ruleset_diff, name="diff"),
    path("versions/<int:pk>/previews/", previews.ruleset_previews, name="previews"),
    path("versions/<int:pk>/preview/", previews.preview_start, name="preview_start"),
    path("previews/<int:pk>/", previews.preview_detail, name="preview"),
    path(
        "previews/<int:pk>/patients/<uuid:public_id>/",
        previews.preview_patient,
        name="preview_patient",
    ),
]
