"""Phone numbers: validated with Google's libphonenumber, stored as E.164, shown the way people dial.

A number without a country code is read as Korean ("010-1234-5678", "02-123-4567", "1588-1234");
international numbers start with "+". Stored values are E.164 ("+821012345678") so that the same
number typed two ways compares equal (duplicate matching) and a ``tel:`` link always works; pages
show Korean numbers in the national format ("010-1234-5678") and others in the international one.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "KR"
# Longest plausible input: E.164 has at most 15 digits; people add spaces, dashes, brackets.
MAX_INPUT_LENGTH = 40


def parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    """The number ``value`` denotes, or None when it is not a valid phone number."""
    text = (value or "").strip()
    if not text or len(text) > MAX_INPUT_LENGTH:
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def validate_phone(value: str) -> None:
    """Model/form validator: blank, or a valid Korean or international number."""
    if not (value or "").strip():
        return
    if parse_phone(value) is None:
        raise ValidationError(
            _("Enter a valid phone number, e.g. 010-1234-5678, 02-123-4567 or +1 650 253 0000."),
            code="phone",
        )


def normalize_phone(value: str) -> str:
    """E.164 for a valid number; anything else is returned stripped (the validator reports it)."""
    number = parse_phone(value)
    if number is None:
        return (value or "").strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """For reading: national format for Korean numbers, international for others, else as stored."""
    number = parse_phone(value)
    if number is None:
        return value or ""
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_uri(value: str) -> str:
    """A ``tel:`` link for the number, or "" when it is not a valid number."""
    number = parse_phone(value)
    if number is None:
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
