from django.urls import path

from . import views

app_name = "mfa"
urlpatterns = [
    path("", views.status, name="status"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("recovery-codes/", views.new_recovery_codes, name="new_recovery_codes"),
]
