"""Referrals are addressed by their own public id; a new one by the patient's."""

from django.urls import path

from . import files, views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_queue, name="queue"),
    path("mine/", views.referral_mine, name="mine"),
    path("new/<uuid:public_id>/", views.referral_new, name="new"),
    path("<uuid:referral_id>/", views.referral_detail, name="detail"),
    path("<uuid:referral_id>/step/", views.referral_step, name="step"),
    path("<uuid:referral_id>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("<uuid:referral_id>/letter/", views.referral_letter, name="letter"),
    path("<uuid:referral_id>/letter/fhir/", files.referral_letter_fhir, name="letter_fhir"),
    path("<uuid:referral_id>/attach/", files.referral_attach, name="attach"),
    path(
        "<uuid:referral_id>/files/<uuid:attachment_id>/",
        files.referral_attachment,
        name="attachment",
    ),
]
