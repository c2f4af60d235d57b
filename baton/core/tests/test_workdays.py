"""One working-day calendar for every deadline: weekends and Korean public holidays are not working days."""

import datetime as dt
from zoneinfo import ZoneInfo

from baton.core.workdays import add_working_days, is_working_day

SEOUL = ZoneInfo("Asia/Seoul")


def test_seollal_and_chuseok_are_not_working_days():
    assert not is_working_day(dt.date(2026, 2, 16))  # 설날 연휴
    assert not is_working_day(dt.date(2026, 2, 17))  # 설날
    assert not is_working_day(dt.date(2026, 2, 18))  # 설날 연휴
    assert is_working_day(dt.date(2026, 2, 19))
    assert not is_working_day(dt.date(2025, 10, 6))  # 추석
    assert not is_working_day(dt.date(2025, 10, 8))  # 추석 대체공휴일


def test_add_working_days_skips_the_seollal_week():
    friday = dt.datetime(2026, 2, 13, 10, 0, tzinfo=SEOUL)
    # Mon–Wed 16–18 February 2026 are 설날; two working days after Friday are Thursday and Friday.
    assert add_working_days(friday, 2) == dt.datetime(2026, 2, 20, 10, 0, tzinfo=SEOUL)
    # 추석 2025: Fri 3 Oct (개천절), Mon 6 – Wed 8 (추석 and its substitute), Thu 9 (한글날).
    thursday = dt.datetime(2025, 10, 2, 9, 30, tzinfo=SEOUL)
    assert add_working_days(thursday, 1) == dt.datetime(2025, 10, 10, 9, 30, tzinfo=SEOUL)
