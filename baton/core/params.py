"""Query parameters of pages, parsed by one validated path.

A page reads ``request.GET`` only through these helpers. Each returns a value of the right type and
range, ``None``/``""`` when the parameter is absent, or raises ``ParameterError`` (a Django
``ValidationError`` keyed by the parameter's name) for anything else: a number that does not fit a
database integer, an impossible date, a value outside its choices, text with NUL characters. A view
either lets the error through (the ``ParameterErrorMiddleware`` answers with the 400 page and the
message) or catches it to ignore that filter and tell the reader (``note_ignored``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

# Ids and counts must fit a signed 64-bit column (SQLite's INTEGER, PostgreSQL's bigint); a bigger
# number cannot name a row, and the database drivers raise on it instead of matching nothing.
MAX_INT = 2**63 - 1
# Dates the pages can compute with: a day added to 9999-12-31 overflows Python's date.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
MAX_TEXT = 200


class ParameterError(ValidationError):
    """A query parameter with a value the page cannot use."""

    def __init__(self, name: str, message: str):
        super().__init__({name: [message]})
        self.name = name


def _raw(params: Mapping[str, Any], name: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    raw = str(raw).strip()
    return raw or None


def _shown(raw: str) -> str:
    return raw[:40] + ("…" if len(raw) > 40 else "")


def int_param(
    params: Mapping[str, Any], name: str, *, minimum: int = -MAX_INT, maximum: int = MAX_INT
) -> int | None:
    raw = _raw(params, name)
    if raw is None:
        return None
    # int() also accepts "١٢" and "1_000"; a page parameter is plain ASCII digits.
    body = raw[1:] if raw[:1] in "+-" else raw
    if not body.isascii() or not body.isdigit():
        raise ParameterError(name, _("Must be a whole number."))
    # Cut before int(): a thousand-digit number is out of range anyway and costly to convert.
    value = int(raw[:21])
    if not minimum <= value <= maximum or len(body) > 20:
        raise ParameterError(
            name, _("Must be between %(min)s and %(max)s.") % {"min": minimum, "max": maximum}
        )
    return value


def id_param(params: Mapping[str, Any], name: str) -> int | None:
    """A record id: a positive 64-bit integer."""
    try:
        return int_param(params, name, minimum=1)
    except ParameterError:
        raise ParameterError(name, _("Not a valid record id.")) from None


def date_param(
    params: Mapping[str, Any], name: str, *, minimum: dt.date = MIN_DATE, maximum: dt.date = MAX_DATE
) -> dt.date | None:
    raw = _raw(params, name)
    if raw is None:
        return None
    try:
        value = dt.date.fromisoformat(raw) if raw.isascii() and len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None:
        raise ParameterError(name, _("Not a valid date (YYYY-MM-DD): %(value)s.") % {"value": _shown(raw)})
    if not minimum <= value <= maximum:
        raise ParameterError(
            name,
            _("The date must be between %(min)s and %(max)s.")
            % {"min": minimum.isoformat(), "max": maximum.isoformat()},
        )
    return value


def datetime_param(params: Mapping[str, Any], name: str) -> dt.datetime | None:
    """An ISO 8601 timestamp (a "before" cursor); naive values are taken as UTC."""
    raw = _raw(params, name)
    if raw is None:
        return None
    try:
        value = dt.datetime.fromisoformat(raw) if raw.isascii() and len(raw) <= 40 else None
    except ValueError:
        value = None
    if value is None or not MIN_DATE <= value.date() <= MAX_DATE:
        raise ParameterError(name, _("Not a valid time: %(value)s.") % {"value": _shown(raw)})
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def choice_param(params: Mapping[str, Any], name: str, values: Iterable[str]) -> str:
    raw = _raw(params, name)
    if raw is None:
        return ""
    if raw not in set(values):
        raise ParameterError(name, _("Unknown value %(value)s.") % {"value": _shown(raw)})
    return raw


def bool_param(params: Mapping[str, Any], name: str) -> bool | None:
    raw = _raw(params, name)
    if raw is None:
        return None
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ParameterError(name, _("Must be true or false."))


def text_param(params: Mapping[str, Any], name: str, *, max_length: int = MAX_TEXT) -> str:
    """Free text (a search): trimmed, cut to ``max_length``, without the NUL characters PostgreSQL
    refuses in a string."""
    raw = _raw(params, name)
    if raw is None:
        return ""
    return raw.replace("\x00", "")[:max_length].strip()


def note_ignored(request: HttpRequest, error: ValidationError) -> None:
    """Tell the reader which filter was ignored and why (shown with the page's messages)."""
    for name, errors in error.message_dict.items() if hasattr(error, "error_dict") else []:
        messages.warning(
            request,
            _("Filter “%(name)s” ignored: %(reason)s") % {"name": _shown(name), "reason": " ".join(errors)},
        )
