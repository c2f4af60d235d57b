"""The app's URLs plus two views that fail on purpose, for the 403 and 500 page tests."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from baton.urls import handler400, handler403, handler404, handler500
from baton.urls import urlpatterns as app_urlpatterns


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [*app_urlpatterns, path("test-403/", forbidden), path("test-500/", broken)]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
