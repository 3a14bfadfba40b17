from django.urls import path

from . import views

app_name = "worklist"

urlpatterns = [
    path("worklist/", views.worklist, name="list"),
    path("worklist/export.csv", views.worklist_export, name="export"),
    path("worklist/<uuid:public_id>/why/", views.worklist_why, name="why"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
