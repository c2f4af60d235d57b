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


@pytest.mark.parametrize("brn", ["220-81-62517", "2208162517", "124-81-00998"])
def test_valid_business_registration_numbers(brn):
    assert is_valid_brn(brn)
    validate_brn(brn)


@pytest.mark.parametrize("brn", ["220-81-62518", "123-45-67890", "220-81-6251"])
def test_invalid_business_registration_numbers(brn):
    assert not is_valid_brn(brn)
    with pytest.raises(ValidationError):
        validate_brn(brn)


def test_letters_in_brn_are_rejected_even_when_digits_pass():
    with pytest.raises(ValidationError) as exc:
        validate_brn("220-81-62517x")
    assert exc.value.code == "brn_format"


def test_check_digit_covers_the_ninth_digit_carry():
    # The ninth digit times 5 contributes its tens digit as well; 9*5=45 adds 4 + 45.
    first_nine = "123456789"
    digits = [int(c) for c in first_nine]
    weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    total = sum(d * w for d, w in zip(digits, weights, strict=True)) + (9 * 5) // 10
    assert brn_check_digit(first_nine) == (10 - total % 10) % 10


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
