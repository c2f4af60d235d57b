import pytest
from django.core.exceptions import ValidationError

from baton.core.korean import (
    brn_check_digit,
    company_domain,
    format_brn,
    is_valid_brn,
    normalize_company,
    normalize_domain,
    normalize_phone,
    validate_brn,
)
from baton.core.money import format_money, validate_amount

# Numbers the companies publish (site footers, DART filings): an independent check of the algorithm, with
# ninth digits below and above 2 (the ninth digit times 5 carries into the sum from 2 up).
PUBLISHED_BRNS = [
    "124-81-00998",  # 삼성전자
    "220-81-62517",  # 네이버
    "120-81-47521",  # 카카오
    "107-86-14075",  # LG전자
    "104-81-37225",  # SK텔레콤
    "120-88-00767",  # 쿠팡
]


@pytest.mark.parametrize("brn", [*PUBLISHED_BRNS, "2208162517", "124 81 00998"])
def test_valid_business_registration_numbers(brn):
    assert is_valid_brn(brn)
    validate_brn(brn)


def _with_last_digit(brn: str, shift: int) -> str:
    return brn[:-1] + str((int(brn[-1]) + shift) % 10)


@pytest.mark.parametrize(
    "brn",
    [_with_last_digit(brn, shift) for brn in PUBLISHED_BRNS for shift in (1, 5)]
    + ["123-45-67890", "220-81-6251"],
)
def test_invalid_business_registration_numbers(brn):
    assert not is_valid_brn(brn)
    with pytest.raises(ValidationError):
        validate_brn(brn)


def test_letters_in_brn_are_rejected_even_when_digits_pass():
    with pytest.raises(ValidationError) as exc:
        validate_brn("220-81-62517x")
    assert exc.value.code == "brn_format"


@pytest.mark.parametrize("brn", PUBLISHED_BRNS)
def test_check_digit_of_published_numbers(brn):
    digits = brn.replace("-", "")
    assert brn_check_digit(digits[:9]) == int(digits[9])


def test_format_brn():
    assert format_brn("2208162517") == "220-81-62517"
    assert format_brn("abc") == "abc"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("(주)한빛소프트", "한빛소프트"),
        ("㈜ 한빛 소프트", "한빛소프트"),
        ("한빛소프트 주식회사", "한빛소프트"),
        ("주식회사 한빛소프트", "한빛소프트"),
        ("유한회사 대한정밀", "대한정밀"),
        ("Hanbit Soft Co., Ltd.", "hanbitsoft"),
        ("HANBIT SOFT INC", "hanbitsoft"),
        ("Hanbit-Soft Corporation", "hanbitsoft"),
    ],
)
def test_company_names_normalise_legal_forms_spacing_and_case(name, key):
    assert normalize_company(name) == key


def test_company_domain_ignores_free_mail():
    assert company_domain("kim@hanbit.co.kr") == "hanbit.co.kr"
    assert company_domain("kim@naver.com") == ""
    assert company_domain("not-an-email") == ""
    assert normalize_domain("https://www.Hanbit.co.kr/about") == "hanbit.co.kr"


@pytest.mark.parametrize(
    ("raw", "formatted"),
    [
        ("01012345678", "010-1234-5678"),
        ("010 1234 5678", "010-1234-5678"),
        ("+82 10-1234-5678", "010-1234-5678"),
        ("0212345678", "02-1234-5678"),
        ("021234567", "02-123-4567"),
        ("0311234567", "031-123-4567"),
        ("+1 415 555 0100", "+1 415 555 0100"),
    ],
)
def test_korean_phone_numbers(raw, formatted):
    assert normalize_phone(raw) == formatted


def test_money_formatting_and_krw_has_no_decimals():
    from decimal import Decimal

    assert format_money(Decimal("120000000"), "KRW") == "₩120,000,000"
    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
    validate_amount(Decimal("1000"), "KRW")
    with pytest.raises(ValidationError):
        validate_amount(Decimal("1000.5"), "KRW")
    with pytest.raises(ValidationError):
        validate_amount(Decimal("-1"), "USD")
    validate_amount(Decimal("10.25"), "USD")
    with pytest.raises(ValidationError):
        validate_amount(Decimal("10.255"), "USD")
