"""Korean business data: 사업자등록번호 checksums, company-name variants, phone numbers."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def brn_check_digit(first_nine: str) -> int:
    """The tenth digit of a business registration number, from the National Tax Service's weights."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _BRN_WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def is_valid_brn(value: str) -> bool:
    digits = brn_digits(value)
    return len(digits) == 10 and brn_check_digit(digits[:9]) == int(digits[9])


def format_brn(value: str) -> str:
    d = brn_digits(value)
    return f"{d[:3]}-{d[3:5]}-{d[5:]}" if len(d) == 10 else value


def validate_brn(value: str) -> None:
    if not value:
        return
    digits = brn_digits(value)
    if len(digits) != 10 or re.search(r"[^\d\s-]", value):
        raise ValidationError(
            _("A business registration number has 10 digits, e.g. 123-45-67890."), code="brn_format"
        )
    if not is_valid_brn(digits):
        raise ValidationError(_("This business registration number fails its checksum."), code="brn_checksum")


# Legal-form words that do not distinguish one company from another, in Korean and English.
_LEGAL_FORMS = [
    r"\(주\)",
    "㈜",
    r"주식회사",
    r"\(유\)",
    r"유한회사",
    r"유한책임회사",
    r"\(사\)",
    r"사단법인",
    r"재단법인",
    r"\(재\)",
    r"합자회사",
    r"합명회사",
    r"\bincorporated\b",
    r"\binc\b\.?",
    r"\bcorporation\b",
    r"\bcorp\b\.?",
    r"\bco\b\.?",
    r"\bltd\b\.?",
    r"\blimited\b",
    r"\bllc\b",
    r"\bplc\b",
    r"\bgmbh\b",
    r"\bcompany\b",
]
_LEGAL_RE = re.compile("|".join(_LEGAL_FORMS), re.IGNORECASE)


def normalize_company(name: str) -> str:
    """A comparison key: legal forms, punctuation, spacing and case removed.

    "(주)한빛소프트", "한빛소프트 주식회사" and "Hanbit Soft Co., Ltd." -> "한빛소프트" / "hanbitsoft".
    """
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _LEGAL_RE.sub(" ", text)
    return re.sub(r"[\W_]+", "", text)


FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "naver.com",
        "daum.net",
        "hanmail.net",
        "kakao.com",
        "nate.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "yahoo.com",
        "yahoo.co.kr",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "korea.com",
        "empas.com",
        "paran.com",
        "dreamwiz.com",
    }
)


def email_domain(email: str) -> str:
    if not email or "@" not in email:
        return ""
    return email.rsplit("@", 1)[1].strip().lower()


def company_domain(email: str) -> str:
    """The company's web domain from an e-mail address, or "" for free-mail providers."""
    domain = email_domain(email)
    return "" if domain in FREE_MAIL_DOMAINS else domain


def normalize_domain(website: str) -> str:
    text = (website or "").strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.split("/", 1)[0].split(":", 1)[0]
    return text.removeprefix("www.")


def normalize_phone(value: str) -> str:
    """Format a Korean phone number with dashes (010-1234-5678, 02-123-4567); leave others as typed."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+82"):
        digits = "0" + digits[2:]
    if not digits.startswith("0"):
        return raw
    if digits.startswith("02"):
        head, rest = digits[:2], digits[2:]
    elif len(digits) >= 10:
        head, rest = digits[:3], digits[3:]
    else:
        return raw
    if len(rest) == 7:
        return f"{head}-{rest[:3]}-{rest[3:]}"
    if len(rest) == 8:
        return f"{head}-{rest[:4]}-{rest[4:]}"
    return raw
