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
    path("reviews/", include("candidacy.reviews.urls")),
    path("", include("candidacy.worklist.urls")),
    path("", include("candidacy.screening.urls")),
    path("", include("candidacy.interop.urls")),
    path("admin/", admin.site.urls),
]
