"""core/params.py: the one validated path for page query parameters, and the rule that views use it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from baton.core.params import (
    MAX_INT,
    ParameterError,
    bool_param,
    choice_param,
    date_param,
    datetime_param,
    id_param,
    int_param,
    text_param,
)

BATON = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw", ["abc", "1.5", "１２", "²", "1_000", "0x10", " ", "--1"])
def test_int_param_takes_plain_ascii_integers_only(raw):
    if raw.strip() == "":
        assert int_param({"n": raw}, "n") is None
        return
    with pytest.raises(ParameterError) as exc:
        int_param({"n": raw}, "n")
    assert exc.value.name == "n"


def test_int_param_ranges():
    assert int_param({"n": "-5"}, "n") == -5
    assert int_param({"n": str(MAX_INT)}, "n") == MAX_INT
    for raw in (str(MAX_INT + 1), "9" * 5000, f"-{MAX_INT + 1}"):
        with pytest.raises(ParameterError, match="between"):
            int_param({"n": raw}, "n")
    for raw in ("0", "-3", "abc", str(MAX_INT + 1)):
        with pytest.raises(ParameterError, match="Not a valid record id"):
            id_param({"owner": raw}, "owner")
    assert id_param({}, "owner") is None


@pytest.mark.parametrize(
    "raw", ["2026-13-45", "0000-00-00", "9999-12-31", "2026-02-30", "20260101x", "٢٠٢٦-٠١-٠١"]
)
def test_impossible_or_unusable_dates(raw):
    with pytest.raises(ParameterError):
        date_param({"d": raw}, "d")


def test_dates_times_choices_bools_text():
    assert date_param({"d": "2026-02-28"}, "d") == dt.date(2026, 2, 28)
    assert datetime_param({"t": "2026-02-28T10:00:00"}, "t") == dt.datetime(2026, 2, 28, 10, tzinfo=dt.UTC)
    with pytest.raises(ParameterError):
        datetime_param({"t": "9999-12-31T23:59:59"}, "t")
    assert choice_param({"c": "week"}, "c", ["day", "week"]) == "week"
    with pytest.raises(ParameterError):
        choice_param({"c": "year"}, "c", ["day", "week"])
    assert bool_param({"b": "1"}, "b") is True and bool_param({"b": "no"}, "b") is False
    with pytest.raises(ParameterError):
        bool_param({"b": "maybe"}, "b")
    assert text_param({"q": " a\x00b "}, "q") == "ab"
    assert len(text_param({"q": "x" * 5000}, "q", max_length=100)) == 100


def test_views_read_the_query_string_only_through_core_params():
    """``request.GET.get(...)``/``[...]``/``getlist`` in a view bypasses the validation; copying the
    query string to build links (``.copy()``, ``.urlencode()``) is fine."""
    pattern = re.compile(r"request\.GET(\.get\(|\[|\.getlist\()")
    offenders = [
        f"{path.relative_to(BATON)}:{n}"
        for path in BATON.rglob("*.py")
        if "tests" not in path.parts and path.name != "params.py"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not offenders, f"parse these with baton.core.params: {offenders}"
