"""Reviews are addressed by the patient's public id: the page shows the patient's latest review."""

from django.urls import include, path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("concordance/", include("candidacy.reviews.concordance.urls")),
    path("<uuid:public_id>/", views.review_detail, name="detail"),
    path("<uuid:public_id>/assign/", views.review_assign, name="assign"),
    path("<uuid:public_id>/start/", views.review_start, name="start"),
    path("<uuid:public_id>/decide/", views.review_decide, name="decide"),
    path("<uuid:public_id>/notes/", views.review_note, name="note"),
    path("<uuid:public_id>/reopen/", views.review_reopen, name="reopen"),
]
