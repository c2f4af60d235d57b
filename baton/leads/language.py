"""Which language to write to a customer in: the language set on the lead, else Korean for a Korean
name or company or a Korean phone number, else the organisation's default (``LANGUAGE_CODE``).

Customer-facing text follows the customer, never the language of the rep's screen.
"""

from __future__ import annotations

import re

from django.conf import settings

from baton.leads.models import Lead

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def is_korean_phone(phone: str) -> bool:
    """+82 numbers, and domestic numbers (0 then 8 to 10 digits) as Koreans write them."""
    raw = (phone or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        return digits.startswith("82")
    return digits.startswith("0") and 9 <= len(digits) <= 11


def guess_language(*, name: str = "", company: str = "", phone: str = "") -> str:
    if HANGUL.search(name or "") or HANGUL.search(company or "") or is_korean_phone(phone):
        return "ko"
    return settings.LANGUAGE_CODE


def lead_language(lead: Lead) -> str:
    """The language to write to this lead in (their own setting first)."""
    return lead.language or guess_language(name=lead.name, company=lead.company, phone=lead.phone)
