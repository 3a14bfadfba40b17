from django.urls import path

from . import worklist_views as views

urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("worklist/export.csv", views.worklist_export, name="worklist_export"),
    path("worklist/<uuid:public_id>/why/", views.worklist_why, name="worklist_why"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
