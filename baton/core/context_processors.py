from django.conf import settings
from django.http import HttpRequest


def baton(request: HttpRequest) -> dict:
    return {"DEMO_MODE": settings.DEMO_MODE, "DEFAULT_CURRENCY": settings.BATON_DEFAULT_CURRENCY}
