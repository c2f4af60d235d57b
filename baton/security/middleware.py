"""Response headers (Content-Security-Policy, Permissions-Policy), tracked sessions and the
two-factor enrolment the policy requires, and bidi control characters stripped from input."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse

from baton.security import services

# Scripts only from our own static files, and no eval: Alpine is its CSP build (components registered
# by name in baton/static/baton/*.js) and htmx runs with allowEval false (no hx-on, no js: values, no
# trigger filters). No inline <script> or on*= handler is allowed.
# Styles may be inline: Bootstrap's components and htmx's indicator set style attributes.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.BATON_CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        if header not in response:
            response[header] = CONTENT_SECURITY_POLICY
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# --- sessions ------------------------------------------------------------------------------------

TOUCH_EVERY_SECONDS = 300


class SessionGuardMiddleware:
    """Keeps "last seen" of tracked sessions fresh (one UPDATE every few minutes at most) and sends a
    user the policy requires to set up a second factor to the setup page until they have."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.path.startswith(("/api/", "/" + settings.STATIC_URL.lstrip("/")))
            and request.user.is_authenticated
        ):
            session = request.session
            if session.get(services.ENROL_KEY) and not self._may_pass(request):
                if request.headers.get("HX-Request"):
                    # A fragment (the bell, a filter) must not swap the setup page into itself.
                    return HttpResponse(status=403)
                return HttpResponseRedirect(reverse("security:two_factor_setup"))
            seen = session.get(services.SEEN_KEY)
            if isinstance(seen, int) and time.time() - seen > TOUCH_EVERY_SECONDS:
                services.touch_session(request)
        return self.get_response(request)

    @staticmethod
    def _may_pass(request: HttpRequest) -> bool:
        allowed = (
            reverse("security:two_factor_setup"),
            reverse("logout"),
            reverse("core:set_language"),
        )
        return request.path in allowed


# --- bidi controls -------------------------------------------------------------------------------

# U+202A..U+202E (embeddings, overrides), U+2066..U+2069 (isolates), LRM, RLM and ALM: they make a
# name or a file name display differently from what it is ("invoice\u202ecod.exe").
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BIDI_IN_JSON = re.compile(
    rb"\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c|\\u(?:20[0-9a-fA-F]{2}|061[cC])"
)


def strip_bidi(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return strip_bidi(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


class StripBidiControlsMiddleware:
    """Removes bidi control characters from submitted form fields, uploaded file names and JSON bodies,
    so no name, title or file name stored by any form or API operation can carry them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH"):
            content_type = request.content_type or ""
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                self._clean_form(request)
            elif content_type == "application/json":
                self._clean_json(request)
        return self.get_response(request)

    @staticmethod
    def _clean_form(request: HttpRequest) -> None:
        post = request.POST
        if any(
            BIDI_CONTROLS.search(k) or any(BIDI_CONTROLS.search(v) for v in post.getlist(k)) for k in post
        ):
            cleaned = QueryDict(mutable=True)
            for key in post:
                cleaned.setlist(strip_bidi(key), [strip_bidi(v) for v in post.getlist(key)])
            cleaned._mutable = False
            request.POST = cleaned  # type: ignore[assignment]
        for key in request.FILES:
            for upload in request.FILES.getlist(key):
                if upload.name:
                    upload.name = strip_bidi(upload.name)

    @staticmethod
    def _clean_json(request: HttpRequest) -> None:
        body = request.body
        if not _BIDI_IN_JSON.search(body):
            return
        try:
            data = json.loads(body)
        except ValueError:
            return  # the API answers malformed JSON itself
        request._body = json.dumps(_clean(data), ensure_ascii=False).encode()  # type: ignore[attr-defined]
