"""Whole numbers in Korean words, as a Korean quote or receipt writes an amount ("금 일억이천만원정").

Sino-Korean numerals grouped by four digits (만, 억, 조, 경). Within a group "일" is dropped before
십, 백 and 천 (십일, 백, 천오백); before the large units it is kept (일만, 일억), as amounts on
Korean quotes, receipts and cheques are written.
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = "영일이삼사오육칠팔구"
SMALL_UNITS = ("", "십", "백", "천")
LARGE_UNITS = ("", "만", "억", "조", "경")


def _group_words(group: int) -> str:
    """A number from 1 to 9999 in words (십일, 천오백, 구천구백구십구)."""
    words = []
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            continue
        if digit == 1 and position > 0:
            words.append(SMALL_UNITS[position])
        else:
            words.append(DIGITS[digit] + SMALL_UNITS[position])
    return "".join(words)


def korean_number_words(number: int | Decimal) -> str:
    """``number`` (a whole number from 0 below 10**20) in Sino-Korean words: 120000000 → 일억이천만."""
    value = int(number)
    if value != number or value < 0:
        raise ValueError("Only whole numbers of zero or more are written in words.")
    if value >= 10 ** (4 * len(LARGE_UNITS)):
        raise ValueError("The number is too large to write in words.")
    if value == 0:
        return DIGITS[0]
    parts = []
    for index in range(len(LARGE_UNITS) - 1, -1, -1):
        group = value // 10 ** (4 * index) % 10**4
        if group:
            parts.append(_group_words(group))
            parts.append(LARGE_UNITS[index])
    return "".join(parts)


def won_in_words(amount: int | Decimal) -> str:
    """A won amount as a Korean quote states it: 120000000 → "금 일억이천만원정"."""
    return f"금 {korean_number_words(amount)}원정"
