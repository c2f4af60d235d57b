"""Validators shared by the models of several apps (web addresses; phone numbers are in phones.py)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)")
_HTTP_URL = URLValidator(schemes=["http", "https"])


def normalize_web_url(value: str) -> str:
    """A web address as stored: stripped, with ``https://`` in front when no scheme was typed."""
    text = (value or "").strip()
    if text and not _SCHEME.match(text) and not text.startswith("//"):
        text = "https://" + text
    return text


def validate_web_url(value: str) -> None:
    """Blank, or an http(s) address ("hanbit.co.kr" counts as https://hanbit.co.kr).

    Other schemes (javascript:, data:, ftp:, file:) are refused: the address is shown as a link.
    """
    if not (value or "").strip():
        return
    text = normalize_web_url(value)
    match = _SCHEME.match(text)
    if match and match.group(1).lower() not in ("http", "https"):
        raise ValidationError(_("Only http:// and https:// web addresses are allowed."), code="url_scheme")
    try:
        _HTTP_URL(text)
    except ValidationError:
        raise ValidationError(
            _("Enter a valid web address, e.g. https://example.co.kr."), code="url"
        ) from None
