from typing import cast

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import views

# Criteria admins work here; "View site" opens the published criteria, the face of that work
# (the site's "/" would only bring a criteria admin back to the admin).
admin.site.site_header = "Candidacy administration"
admin.site.site_title = "Candidacy administration"
admin.site.index_title = "Rule sets and users"
admin.site.site_url = cast(str, reverse_lazy("rules:active"))  # a str once rendered

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/", include("config.mfa.urls")),
    path("patients/", include("patients.urls")),
    path("criteria/", include("rules.urls")),
    path("reviews/", include("candidacy.reviews.urls")),
    path("", include("candidacy.worklist.urls")),
    path("", include("candidacy.screening.urls")),
    path("", include("candidacy.interop.urls")),
    path("audit/", include("patients.audit.urls")),
    path("admin/", admin.site.urls),
]
