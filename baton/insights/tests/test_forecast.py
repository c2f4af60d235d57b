"""The forecast's numbers against values worked out by hand from a small world (three levels: people,
their teams, the parent team), managers' calls kept apart from reps' numbers, and who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from baton.accounts.services import create_account
from baton.deals.models import ForecastCategory, Opportunity, Stage
from baton.deals.services import create_opportunity, move_opportunity, update_opportunity
from baton.insights import services
from baton.insights.forecast import compute_forecast, find_row, opportunities_behind, owners_of
from baton.insights.models import ExchangeRate, PeriodKind, Quota
from baton.insights.periods import Period, parse_period

Q4 = Period(PeriodKind.QUARTER, dt.date(2026, 10, 1))
TODAY = dt.date(2026, 11, 15)
M = 1_000_000


def stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, key=key)


def closed_on(opp: Opportunity, day: dt.date) -> None:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)))
    Opportunity.objects.filter(pk=opp.pk).update(closed_at=at)


@pytest.fixture
def deals(personas):
    alice, bob, charlie = personas["alice"], personas["bob"], personas["charlie"]
    account = create_account(actor=alice, name="(주)한빛소프트")
    other = create_account(actor=charlie, name="새봄물산")

    def deal(owner, name, amount, key, close, currency="KRW", account=account, **extra):
        return create_opportunity(
            actor=owner,
            name=name,
            account=account,
            amount=Decimal(amount),
            currency=currency,
            stage=stage(key),
            expected_close_date=close,
            **extra,
        )

    lost = Stage.objects.get(pipeline__is_default=True, key="lost")
    from baton.deals.models import LostReason

    reason = LostReason.objects.first()
    d = {
        "A1": deal(alice, "A1", 100 * M, "won", dt.date(2026, 10, 15)),
        "A2": deal(alice, "A2", 50 * M, "purchasing", dt.date(2026, 12, 10)),
        "A3": deal(alice, "A3", 30 * M, "evaluating", dt.date(2026, 11, 20), forecast_category="best_case"),
        "A4": deal(alice, "A4", 20 * M, "considering", dt.date(2027, 1, 10)),
        "A5": deal(alice, "A5", 10_000, "deciding", dt.date(2026, 12, 1), currency="USD"),
        "A6": deal(alice, "A6", 70 * M, "considering", dt.date(2026, 10, 20)),
        "B1": deal(bob, "B1", 40 * M, "won", dt.date(2026, 11, 1)),
        "B2": deal(bob, "B2", 60 * M, "considering", dt.date(2026, 12, 31)),
        "B3": deal(bob, "B3", 30 * M, "considering", dt.date(2026, 11, 10), forecast_category="omitted"),
        "C1": deal(charlie, "C1", 25 * M, "won", dt.date(2026, 12, 5), account=other),
        "C2": deal(charlie, "C2", 10 * M, "purchasing", dt.date(2026, 10, 31), account=other),
        "W0": deal(bob, "W0", 99 * M, "won", dt.date(2026, 9, 1)),
    }
    d["A6"] = move_opportunity(d["A6"], actor=alice, stage=lost, expected_version=None, lost_reason=reason)
    closed_on(d["A1"], dt.date(2026, 10, 15))
    closed_on(d["A6"], dt.date(2026, 10, 20))
    closed_on(d["B1"], dt.date(2026, 11, 1))
    closed_on(d["C1"], dt.date(2026, 12, 5))
    closed_on(d["W0"], dt.date(2026, 9, 30))  # won in Q3: not this quarter's
    ExchangeRate.objects.create(currency="USD", valid_from=dt.date(2026, 1, 1), krw_per_unit=Decimal("1400"))
    teams = personas["teams"]
    Quota.objects.create(user=alice, period_kind="quarter", period_start=Q4.start, amount=200 * M)
    Quota.objects.create(user=bob, period_kind="quarter", period_start=Q4.start, amount=100 * M)
    for month in (10, 11, 12):
        Quota.objects.create(
            user=charlie, period_kind="month", period_start=dt.date(2026, month, 1), amount=20 * M
        )
    Quota.objects.create(team=teams["sales"], period_kind="quarter", period_start=Q4.start, amount=500 * M)
    return d


def numbers(forecast, kind, pk):
    row = find_row(forecast, kind, pk)
    assert row is not None, (kind, pk)
    return row.numbers


def test_a_reps_numbers_are_the_hand_computed_ones(personas, deals):
    alice = personas["alice"]
    forecast = compute_forecast(alice, Q4, today=TODAY)
    n = numbers(forecast, "user", alice.pk)
    assert n.won == 100 * M  # A1 (A6 lost, A4 closes next quarter)
    assert n.commit == 50 * M  # A2: purchasing's default call
    assert n.best_case == 30 * M + 14 * M  # A3 by the rep's call; A5 = 10,000 USD x 1,400
    assert n.pipeline == 0
    # 50M x 85 % + 30M x 30 % + 14M x 60 %
    assert n.weighted == Decimal("42500000") + Decimal("9000000") + Decimal("8400000")
    assert n.quota == 200 * M
    assert n.attainment == Decimal("0.5")
    assert n.gap == 100 * M
    assert n.coverage == Decimal("0.94")  # (50M + 44M) / (200M - 100M)


def test_teams_roll_up_three_levels(personas, deals):
    mina, teams = personas["mina"], personas["teams"]
    forecast = compute_forecast(mina, Q4, today=TODAY)
    bob = numbers(forecast, "user", personas["bob"].pk)
    assert (bob.won, bob.pipeline, bob.weighted, bob.quota) == (40 * M, 60 * M, 6 * M, 100 * M)
    assert bob.coverage == 1  # 60M open / (100M - 40M)
    fs1 = numbers(forecast, "team", teams["fs1"].pk)
    assert fs1.won == 140 * M
    assert (fs1.commit, fs1.best_case, fs1.pipeline) == (50 * M, 44 * M, 60 * M)
    assert fs1.weighted == Decimal("65900000")
    assert fs1.quota == 300 * M  # no quota of its own: alice 200M + bob 100M
    assert fs1.coverage == Decimal(154) / Decimal(160)
    charlie = numbers(forecast, "user", personas["charlie"].pk)
    assert charlie.quota == 60 * M  # three monthly quotas make the quarter's
    assert (charlie.won, charlie.commit) == (25 * M, 10 * M)
    sales = numbers(forecast, "team", teams["sales"].pk)
    assert sales.won == 165 * M
    assert (sales.commit, sales.best_case, sales.pipeline) == (60 * M, 44 * M, 60 * M)
    assert sales.weighted == Decimal("74400000")
    assert sales.quota == 500 * M  # its own quota wins over the sum below
    assert sales.attainment == Decimal(165) / Decimal(500)
    assert forecast.total.won == 165 * M


def test_each_reader_sees_their_own_part_of_the_tree(personas, deals):
    alice_view = compute_forecast(personas["alice"], Q4, today=TODAY)
    assert find_row(alice_view, "team", personas["teams"]["fs1"].pk) is not None
    assert find_row(alice_view, "user", personas["charlie"].pk) is None
    assert find_row(alice_view, "team", personas["teams"]["sales"].pk) is None
    assert alice_view.total.won == 140 * M
    charlie_view = compute_forecast(personas["charlie"], Q4, today=TODAY)
    assert charlie_view.total.won == 25 * M
    assert find_row(charlie_view, "user", personas["alice"].pk) is None
    root_view = compute_forecast(personas["root"], Q4, today=TODAY)
    assert root_view.total.won == 165 * M


def test_drill_down_lists_exactly_the_deals_of_a_number(personas, deals):
    alice = personas["alice"]
    forecast = compute_forecast(alice, Q4, today=TODAY)
    row = find_row(forecast, "team", personas["teams"]["fs1"].pk)
    names = lambda measure: sorted(  # noqa: E731
        o.name for o in opportunities_behind(alice, Q4, measure=measure, owner_ids=owners_of(row))
    )
    assert names("won") == ["A1", "B1"]
    assert names("commit") == ["A2"]
    assert names("best_case") == ["A3", "A5"]
    assert names("pipeline") == ["B2"]
    assert names("open") == ["A2", "A3", "A5", "B2"]


def test_a_managers_call_is_kept_apart_from_the_reps_number(personas, deals):
    alice, dana, mina = (personas[k] for k in ("alice", "dana", "mina"))
    services.adjust_forecast(
        actor=dana, subject=alice, period=Q4, category="commit", amount=Decimal(40 * M), note="A2 may slip"
    )
    forecast = compute_forecast(mina, Q4, today=TODAY)
    a = numbers(forecast, "user", alice.pk)
    assert a.commit == 50 * M and a.commit_call == 40 * M and a.adjusted
    assert numbers(forecast, "team", personas["teams"]["fs1"].pk).commit_call == 40 * M
    assert numbers(forecast, "team", personas["teams"]["sales"].pk).commit_call == 50 * M  # 40M + charlie 10M
    assert numbers(forecast, "team", personas["teams"]["sales"].pk).commit == 60 * M
    # A second call replaces the first in the numbers; both stay on record.
    services.adjust_forecast(
        actor=mina, subject=alice, period=Q4, category="commit", amount=Decimal(45 * M), note="talked to CFO"
    )
    assert numbers(compute_forecast(mina, Q4, today=TODAY), "user", alice.pk).commit_call == 45 * M
    from baton.insights.models import ForecastAdjustment

    assert ForecastAdjustment.objects.filter(subject=alice).count() == 2
    assert Opportunity.objects.get(pk=deals["A2"].pk).forecast_category == ForecastCategory.COMMIT


@pytest.mark.parametrize(
    ("who", "subject"), [("bob", "alice"), ("alice", "alice"), ("dana", "charlie"), ("charlie", "alice")]
)
def test_only_the_managers_above_may_adjust(personas, deals, who, subject):
    with pytest.raises(PermissionDenied):
        services.adjust_forecast(
            actor=personas[who],
            subject=personas[subject],
            period=Q4,
            category="commit",
            amount=Decimal(1),
            note="x",
        )


def test_a_stage_change_never_overwrites_the_reps_own_call(personas, deals):
    alice = personas["alice"]
    a4 = deals["A4"]  # considering: pipeline by default
    assert a4.forecast_category == ForecastCategory.PIPELINE
    a4 = move_opportunity(a4, actor=alice, stage=stage("purchasing"), expected_version=None)
    assert a4.forecast_category == ForecastCategory.COMMIT  # the stage's default while nobody chose
    a4 = update_opportunity(
        a4, actor=alice, changes={"forecast_category": "best_case"}, expected_version=None
    )
    assert a4.forecast_category_by_rep
    a4 = move_opportunity(a4, actor=alice, stage=stage("deciding"), expected_version=None)
    a4 = move_opportunity(a4, actor=alice, stage=stage("purchasing"), expected_version=None)
    assert a4.forecast_category == ForecastCategory.BEST_CASE
    a3 = deals["A3"]  # created with the rep's call
    a3 = move_opportunity(a3, actor=alice, stage=stage("purchasing"), expected_version=None)
    assert a3.forecast_category == ForecastCategory.BEST_CASE
    a3 = move_opportunity(a3, actor=alice, stage=stage("won"), expected_version=None)
    assert a3.forecast_category == ForecastCategory.CLOSED  # won comes from the stage


def test_quotas_are_set_by_managers_for_their_people_only(personas):
    dana, alice, charlie = personas["dana"], personas["alice"], personas["charlie"]
    q = services.set_quota(actor=dana, period=Q4, amount=Decimal(150 * M), user=alice)
    assert q.amount == 150 * M
    q = services.set_quota(actor=dana, period=Q4, amount=Decimal(160 * M), user=alice)
    assert Quota.objects.filter(user=alice).count() == 1 and q.amount == 160 * M
    with pytest.raises(PermissionDenied):
        services.set_quota(actor=dana, period=Q4, amount=Decimal(1), user=charlie)
    with pytest.raises(PermissionDenied):
        services.set_quota(actor=alice, period=Q4, amount=Decimal(1), user=alice)
    from baton.core.models import ChangeLog

    assert ChangeLog.objects.filter(content_type__model="quota", object_id=q.pk, action="update").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12", Period("month", dt.date(2026, 12, 1))),
        ("2026-q4", Period("quarter", dt.date(2026, 10, 1))),
        ("2026", Period("year", dt.date(2026, 1, 1))),
        ("2026-13", None),
        ("2026-Q5", None),
        ("99999", None),
        ("", None),
    ],
)
def test_period_keys(text, expected):
    assert parse_period(text, today=TODAY) == expected


def test_period_bounds():
    assert Q4.end == dt.date(2027, 1, 1) and Q4.last_day == dt.date(2026, 12, 31)
    assert Q4.previous() == Period("quarter", dt.date(2026, 7, 1))
    assert Period("month", dt.date(2026, 12, 1)).next() == Period("month", dt.date(2027, 1, 1))
