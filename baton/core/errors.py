"""Error pages (400, 403, 404, 413, 500) in the app's layout and the reader's language, and the
middleware that turns a bad query parameter or an out-of-range id in a URL into one of them.

Signed-in readers get the page inside ``base.html`` (navigation, a way back); anyone else a plain
page with the same styles. The 500 page falls back to the plain page when the layout itself fails
(the database being down is a common reason for a 500).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from baton.core.params import MAX_INT, ParameterError

log = logging.getLogger("baton.errors")


def _messages_of(exception: BaseException | None) -> list[str]:
    if isinstance(exception, ValidationError):
        return [str(m) for m in exception.messages][:10]
    return []


def _back_url(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")[:2000]
    try:
        host = request.get_host()
    except Exception:  # the 400 page answers a disallowed Host header too
        return ""
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return referer
    return ""


def render_error(
    request: HttpRequest, status: int, *, details: list[str] | None = None, layout: bool = True
) -> HttpResponse:
    titles = {
        400: _("The request could not be understood"),
        403: _("You may not open this page"),
        404: _("Page not found"),
        413: _("The request is too large"),
        500: _("Something went wrong on our side"),
    }
    explanations = {
        400: _("A value in the address or the form is not valid. Check it and try again."),
        403: _("Your role does not give access to this page. Ask your manager or an administrator."),
        404: _("The page does not exist, or it is a record you may not see."),
        413: _("The data sent is larger than Baton accepts. Send less at a time or smaller files."),
        500: _("The error was logged. Try again in a moment; if it persists, quote the request id."),
    }
    if request.path.startswith("/api/"):
        # The API's clients read JSON errors (core/api_errors.py), also for what never reached it.
        return JsonResponse({"detail": str(titles[status]) + "."}, status=status)
    user = getattr(request, "user", None)
    signed_in = bool(layout and user is not None and user.is_authenticated)
    context: dict[str, Any] = {
        "status": status,
        "title": titles[status],
        "explanation": explanations[status],
        "details": details or [],
        "request_id": getattr(request, "request_id", ""),
        "back_url": _back_url(request),
        "layout": "base.html" if signed_in else "errors/plain.html",
    }
    try:
        body = render_to_string("errors/error.html", context, request=request)
    except Exception:
        if not signed_in:
            raise
        log.exception("the error page could not use the layout")
        context["layout"] = "errors/plain.html"
        body = render_to_string("errors/error.html", context, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return render_error(request, 413)
    return render_error(request, 400, details=_messages_of(exception))


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return render_error(request, 403)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return render_error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render_error(request, 500)


class ParameterErrorMiddleware:
    """A bad query parameter a view let through answers 400 with its message; an id in the URL
    too large for any database integer names no record (404) instead of overflowing the driver."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
                raise Http404("Not found")
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ParameterError):
            return render_error(request, 400, details=_messages_of(exception))
        return None
