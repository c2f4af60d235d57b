"""What a quote shows its customer, gathered once for the printable page and the PDF.

Only customer-facing facts live here: our company block (from settings), the customer's company and
contact, the lines, 공급가액 / 부가세 / 합계 and the amount in words. Internal numbers (cost, margin,
delivery effort) are deliberately absent, so neither printable form can show them by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from baton.core.korean_numbers import won_in_words
from baton.core.phones import format_phone
from baton.deals.models import Quote, QuoteLine


@dataclass(frozen=True)
class Party:
    """One side of the quote: a company and how to reach it."""

    name: str
    registration_no: str = ""
    representative: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    contact_name: str = ""
    contact_title: str = ""

    @property
    def attention(self) -> str:
        """The person the quote is addressed to, with their title (김민준 IT팀장)."""
        return " ".join(x for x in (self.contact_name, self.contact_title) if x)


@dataclass
class QuoteSheet:
    quote: Quote
    seller: Party
    buyer: Party
    lines: list[QuoteLine]
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    vat_percent: Decimal
    has_exempt_lines: bool
    seal_path: str = ""
    words: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.quote.language


def seller_party(language: str) -> Party:
    """Our company as configured (README "Configuration"); the English name when the quote is English."""
    name = settings.BATON_COMPANY_NAME
    if language == "en" and settings.BATON_COMPANY_NAME_EN:
        name = settings.BATON_COMPANY_NAME_EN
    return Party(
        name=name,
        registration_no=settings.BATON_COMPANY_REGISTRATION_NO,
        representative=settings.BATON_COMPANY_REPRESENTATIVE,
        address=settings.BATON_COMPANY_ADDRESS,
        phone=settings.BATON_COMPANY_PHONE,
        email=settings.BATON_COMPANY_EMAIL,
    )


def seal_path() -> str:
    """The seal (직인) image to print, when one is configured and readable."""
    path = settings.BATON_COMPANY_SEAL_IMAGE
    return path if path and Path(path).is_file() else ""


def build_sheet(quote: Quote, lines: list[QuoteLine] | None = None) -> QuoteSheet:
    """The customer-facing content of ``quote`` (2 queries: the quote's lines and, if set, its contact)."""
    account = quote.opportunity.account
    contact = quote.contact
    buyer = Party(
        name=account.name,
        registration_no=account.brn,
        address=account.address,
        # As the customer dials it (010-1234-5678), not the stored E.164 form.
        phone=format_phone((contact.phone or contact.mobile) if contact else account.phone),
        email=contact.email if contact else "",
        contact_name=contact.name if contact else "",
        contact_title=contact.title if contact else "",
    )
    lines = list(quote.lines.all()) if lines is None else lines
    total = quote.total_with_vat
    return QuoteSheet(
        quote=quote,
        seller=seller_party(quote.language),
        buyer=buyer,
        lines=lines,
        subtotal=quote.net_total,
        vat=quote.vat_total,
        total=total,
        vat_percent=quote.vat_percent.normalize(),
        has_exempt_lines=any(line.vat_exempt for line in lines),
        seal_path=seal_path(),
        # Korean quotes state the amount in words; only whole won can be written that way.
        words=won_in_words(total) if quote.language == "ko" and quote.currency == "KRW" else "",
    )
