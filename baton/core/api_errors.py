"""The API's error contract, in one place.

- 401 ``{"detail"}``: no token, an unknown or revoked token, or an inactive user.
- 404 ``{"detail"}``: the record does not exist *or* the caller may not see it (never say which).
- 409 ``{"detail", "current_version"?}``: a stale ``version`` (ConflictError) or a domain rule that
  refused the write (ServiceError, e.g. converting a lead twice); ``{"detail", "matches"}`` when a new
  record looks like existing ones (DuplicateError; send ``allow_duplicate: true`` to create it).
- 413 ``{"detail"}``: a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``.
- 422 ``{"detail", "errors": {field: [message, ...]}}``: anything wrong with the input: malformed
  JSON, unknown fields, ill-typed values (Pydantic), and Django ValidationErrors from the services.

Every other exception becomes a logged 500 with a JSON body and the request id, never a traceback.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from baton.core.services import ConflictError, DuplicateError, ServiceError

logger = logging.getLogger("baton.api")

# Model field names as the services report them -> the names the API takes in its bodies.
FIELD_ALIASES = {
    "owner": "owner_id",
    "account": "account_id",
    "contact": "contact_id",
    "primary_contact": "primary_contact_id",
    "campaign": "campaign_id",
    "parent": "parent_id",
    "stage": "stage_id",
    "pipeline": "stage_id",
    "lost_reason": "lost_reason_id",
}

# Request locations Ninja puts in front of a field's path; our clients only care about the field.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form"}


class ErrorOut(Schema):
    detail: str


class DuplicateMatchOut(Schema):
    """An existing record the new one may duplicate. ``id``, ``name``, ``url`` and ``owner`` are
    null when the caller may not read it: then only its team and the evidence are told."""

    kind: str
    visible: bool
    id: int | None
    name: str | None
    url: str | None
    owner: str | None
    team: str | None
    score: int
    reasons: list[str]
    reason_labels: list[str]


class ConflictOut(Schema):
    detail: str
    current_version: int | None = None
    matches: list[DuplicateMatchOut] | None = None


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


ERROR_RESPONSES: dict[int, Any] = {
    401: ErrorOut,
    404: ErrorOut,
    409: ConflictOut,
    413: ErrorOut,
    422: ValidationErrorOut,
}


class MalformedBody(ValueError):
    """The request body is not a JSON document we accept."""


def _reject_constant(name: str) -> Any:
    raise MalformedBody(f"{name} is not allowed in JSON")


class StrictJSONParser(Parser):
    """Plain JSON, with exact decimals (no binary floats for money) and no NaN/Infinity."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body, parse_float=Decimal, parse_constant=_reject_constant)
        except RecursionError:
            raise MalformedBody("The JSON document is nested too deeply.") from None


def _field_key(loc: tuple | list, param_names: set[str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        location = parts.pop(0)
        # Ninja names the whole body after the view's argument ("payload"); strip it.
        if location == "body" and parts and parts[0] in param_names:
            parts.pop(0)
        if not parts:
            return location
    return ".".join(parts) or "body"


def _pydantic_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "missing":
        return "This field is required."
    msg = str(error.get("msg", "Invalid value."))
    return msg if msg.endswith(".") else msg + "."


def _printable(text: str, limit: int) -> str:
    # Keys and messages can echo client input (an unknown field's name); a lone surrogate in it
    # would make the UTF-8 response itself fail.
    return text[:limit].encode("utf-8", "replace").decode("utf-8")


def validation_response(
    api: NinjaAPI, request: HttpRequest, errors: dict[str, list[str]], detail: str = ""
) -> HttpResponse:
    clean: dict[str, list[str]] = {}
    for key, messages in list(errors.items())[:50]:
        clean.setdefault(_printable(key, 100), []).extend(_printable(m, 500) for m in messages)
    return api.create_response(
        request, {"detail": detail or "The input is not valid.", "errors": clean}, status=422
    )


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    raw = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    result: dict[str, list[str]] = {}
    for key, messages in raw.items():
        result.setdefault(FIELD_ALIASES.get(key, key), []).extend(str(m) for m in messages)
    return result


def install_error_handlers(api: NinjaAPI) -> None:
    body_params = {"payload", "body", "data"}

    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            key = _field_key(error.get("loc", ()), body_params)
            errors.setdefault(key, []).append(_pydantic_message(error))
        return validation_response(api, request, errors)

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return validation_response(api, request, django_errors(exc))

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request,
            {"detail": "Authentication required: send a valid API token as 'Authorization: Bearer <token>'."},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="baton"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:
            # Ninja wraps a body that does not parse; it is invalid input like any other.
            reason = str(exc.__cause__)[:200] if isinstance(exc.__cause__, ValueError) else "not JSON"
            return validation_response(
                api,
                request,
                {"body": [f"Malformed JSON body: {reason}"]},
                "The request body is not valid JSON.",
            )
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "Not found."}, status=404)

    def on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        return api.create_response(
            request, {"detail": str(exc), "current_version": exc.current_version}, status=409
        )

    def on_duplicate(request: HttpRequest, exc: DuplicateError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc), "matches": exc.matches}, status=409)

    def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=409)

    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.warning("API integrity error: %s", exc)
        return api.create_response(
            request, {"detail": "The write conflicts with existing data; nothing was saved."}, status=409
        )

    def on_data_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A safety net: schemas bound lengths and ranges, so reaching this is a gap worth logging.
        logger.warning("API input reached the database out of range: %s", exc)
        return validation_response(
            api, request, {"__all__": ["A value is too long or out of range."]}, "The input is not valid."
        )

    def on_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return api.create_response(
            request,
            {"detail": f"The request body is too large (at most {limit} bytes)."},
            status=413,
        )

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error")
        request_id = getattr(request, "request_id", "")
        return api.create_response(
            request,
            {"detail": f"Internal error; quote request id {request_id} when reporting it."},
            status=500,
        )

    handlers: list[tuple[type[Exception], Any]] = [
        (NinjaValidationError, on_ninja_validation),
        (DjangoValidationError, on_django_validation),
        (AuthenticationError, on_auth),
        (HttpError, on_http_error),
        (Http404, on_404),
        (PermissionDenied, on_forbidden),
        (ConflictError, on_conflict),
        (DuplicateError, on_duplicate),
        (ServiceError, on_service_error),
        (RequestDataTooBig, on_too_large),
        (IntegrityError, on_integrity),
        (DataError, on_data_error),
        (OverflowError, on_data_error),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
