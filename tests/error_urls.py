"""The site's URLs and one view that fails, to see the 500 page as users would."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def fails(request):
    raise RuntimeError("a bug, for the 500 page's test")


urlpatterns = [path("fails/", fails), *site_urlpatterns]
