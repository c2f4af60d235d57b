"""The home page by role, with its numbers checked against values worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from baton.accounts.services import create_account
from baton.activities.models import Activity
from baton.core.services import create_api_token
from baton.deals import catalog
from baton.deals.models import LostReason, Opportunity, Stage
from baton.deals.services import create_opportunity, update_opportunity
from baton.deals.tests.factories import make_catalog
from baton.insights import dashboards
from baton.insights.home import month_bounds
from baton.insights.models import ActivityTarget, ExchangeRate, Quota
from baton.insights.periods import period_containing

M = 1_000_000


def stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, key=key)


def test_home_shows_my_pipeline_leads_closing_deals_and_changes(
    client, world, alice, django_assert_num_queries
):
    opp = world["opportunity"]
    today = timezone.localdate()
    update_opportunity(opp, actor=alice, changes={"expected_close_date": today}, expected_version=opp.version)
    client.force_login(alice)
    # Pinned: session and user (2), the forecast of the quarter (10), my pipeline, closing deals, leads,
    # changes (4), deals at risk (2), this week's activity and targets (2), open questions (2).
    # (sec16: the forecast counts the deals the reader may read, so it no longer reads the scope's
    # people to filter them by owner: one query fewer.)
    with django_assert_num_queries(22):
        response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "₩120,000,000" in body  # the stage total
    assert "한빛 ERP 교체" in body  # closing this month
    assert "이서연" in body  # my newest lead
    assert 'data-testid="home-changes"' in body
    changes = response.context["changes"]
    assert {c.object_repr for c in changes} >= {"한빛 ERP 교체", "(주)한빛소프트"}
    assert [s["count"] for s in response.context["stages"]] == [1]
    assert "manager" not in response.context and "executive" not in response.context


def test_home_of_outsider_shows_nothing_of_alice(client, world, charlie):
    client.force_login(charlie)
    response = client.get("/")
    body = response.content.decode()
    assert "한빛 ERP 교체" not in body
    assert "이서연" not in body
    assert response.context["changes"] == []


def test_deals_at_risk_name_their_reasons(personas):
    alice = personas["alice"]
    now = timezone.now()
    account = create_account(actor=alice, name="새봄물산")
    stale = create_opportunity(actor=alice, name="stale", account=account, stage=stage("considering"))
    Opportunity.objects.filter(pk=stale.pk).update(stage_changed_at=now - dt.timedelta(days=40))
    busy = create_opportunity(
        actor=alice,
        name="busy",
        account=account,
        stage=stage("evaluating"),
        expected_close_date=timezone.localdate() + dt.timedelta(days=30),
    )
    Activity.objects.create(
        owner=alice,
        opportunity=busy,
        kind=Activity.Kind.TASK,
        subject="call back",
        due_at=now + dt.timedelta(days=2),
    )
    late = create_opportunity(
        actor=alice,
        name="late",
        account=account,
        stage=stage("evaluating"),
        expected_close_date=timezone.localdate() - dt.timedelta(days=1),
    )
    risks = {
        r.opportunity.name: r.reasons for r in dashboards.deals_at_risk(Opportunity.objects.all(), now=now)
    }
    assert "busy" not in risks
    assert risks["stale"][0].startswith("40 days in")  # considering allows 30
    assert "no next activity" in risks["stale"]
    assert risks["late"] == ["no next activity", "close date passed"]
    assert late.pk  # keeps the linter from calling the variable unused


def test_my_week_counts_done_activities_against_my_targets(personas):
    alice = personas["alice"]
    today = dt.date(2026, 11, 18)  # a Wednesday: the week runs 16–22 November
    at = lambda d: timezone.make_aware(dt.datetime(2026, 11, d, 10))  # noqa: E731
    for day in (16, 17, 22):
        Activity.objects.create(owner=alice, kind="call", subject="c", status="done", completed_at=at(day))
    Activity.objects.create(
        owner=alice, kind="call", subject="c", status="done", completed_at=at(15)
    )  # last week
    Activity.objects.create(owner=alice, kind="call", subject="c", status="open")
    Activity.objects.create(owner=alice, kind="event", subject="m", status="done", completed_at=at(18))
    ActivityTarget.objects.create(role="field_sales", kind="call", per_week=10)
    ActivityTarget.objects.create(user=alice, kind="call", per_week=3)  # hers wins over the role's
    ActivityTarget.objects.create(role="field_sales", kind="event", per_week=4)
    counts = {c.kind: (c.done, c.target) for c in dashboards.activity_counts(alice, today=today)}
    assert counts == {"call": (3, 3), "event": (1, 4), "minutes": (0, None), "email": (0, None)}


@pytest.fixture
def closed_world(personas):
    """alice won 2 (cycles 10 and 20 days, 30M and 50M), lost 1; bob won 1 (cycle 4 days, 20M) and had
    1 no decision; one won deal 200 days ago is outside the 90-day window."""
    alice, bob = personas["alice"], personas["bob"]
    now = timezone.now()
    account = create_account(actor=alice, name="한빛")
    reason = LostReason.objects.first()

    def closed(owner, name, key, amount, cycle_days, ago_days=5):
        opp = create_opportunity(
            actor=owner, name=name, account=account, amount=Decimal(amount), stage=stage("considering")
        )
        closed_at = now - dt.timedelta(days=ago_days)
        Opportunity.objects.filter(pk=opp.pk).update(
            stage=stage(key),
            closed_at=closed_at,
            created_at=closed_at - dt.timedelta(days=cycle_days),
            lost_reason=reason if key != "won" else None,
        )
        return opp

    closed(alice, "a-won-1", "won", 30 * M, 10)
    closed(alice, "a-won-2", "won", 50 * M, 20)
    closed(alice, "a-lost", "lost", 10 * M, 7)
    closed(bob, "b-won", "won", 20 * M, 4)
    closed(bob, "b-nd", "no_decision", 5 * M, 3)
    closed(bob, "b-old", "won", 99 * M, 30, ago_days=200)
    for i in range(3):
        create_opportunity(
            actor=alice, name=f"open-{i}", account=account, amount=Decimal(M), stage=stage("evaluating")
        )
    return {"now": now}


def test_win_rate_cycle_and_velocity_by_hand(personas, closed_world):
    now = closed_world["now"]
    start = now - dt.timedelta(days=90)
    stats = dashboards.win_stats_by_owner(Opportunity.objects.all(), start=start, end=now)
    a, b = stats[personas["alice"].pk], stats[personas["bob"].pk]
    assert (a.won, a.lost, a.no_decision) == (2, 1, 0)
    assert a.win_rate == Decimal(2) / Decimal(3)
    assert a.cycle_days == Decimal(15)  # (10 + 20) / 2
    assert (b.won, b.no_decision, b.cycle_days) == (1, 1, Decimal(4))
    total = dashboards.total_stats(stats)
    assert total.win_rate == Decimal(3) / Decimal(5)
    assert total.no_decision_rate == Decimal(1) / Decimal(5)
    # velocity = 3 open × (100M / 3 won) × (3/5) ÷ ((10 + 20 + 4) / 3 days) = 60M ÷ 11.333 = 5,294,118 per day
    assert dashboards.sales_velocity(3, total) == Decimal(5_294_118)


def test_manager_and_admin_homes_show_their_sections(client, personas, closed_world):
    quarter = period_containing("quarter", timezone.localdate())
    Quota.objects.create(
        user=personas["alice"], period_kind="quarter", period_start=quarter.start, amount=160 * M
    )
    client.force_login(personas["dana"])
    page = client.get("/")
    assert page.status_code == 200
    manager = page.context["manager"]
    rows = {r["user"].username: r for r in manager["rep_rows"]}
    assert rows["alice"]["stats"].won == 2 and rows["bob"]["stats"].closed == 2
    assert "charlie" not in rows  # another team
    matrix = manager["matrix"]
    assert [r["user"].username for r in matrix["rows"]] == ["alice"]
    assert matrix["rows"][0]["total"] == 3 * M
    assert "executive" not in page.context
    client.force_login(personas["alice"])
    me = client.get("/").context["my_numbers"]
    assert me.quota == 160 * M
    client.force_login(personas["root"])
    page = client.get("/")
    assert page.context["executive"]["win"].won == 3
    assert 'data-testid="home-velocity"' in page.content.decode()


def test_revenue_trend_this_year_against_last(personas):
    alice = personas["alice"]
    account = create_account(actor=alice, name="한빛")
    today = dt.date(2026, 6, 15)

    def won(amount, day):
        opp = create_opportunity(
            actor=alice, name=str(day), account=account, amount=Decimal(amount), stage=stage("won")
        )
        Opportunity.objects.filter(pk=opp.pk).update(
            closed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        )

    won(10 * M, dt.date(2026, 1, 10))
    won(5 * M, dt.date(2026, 6, 1))
    won(7 * M, dt.date(2025, 1, 20))
    won(9 * M, dt.date(2025, 9, 1))  # after the same day last year: in the monthly chart, not the split
    trend = dashboards.revenue_trend(Opportunity.objects.all(), today=today)
    assert trend.months[0] == {"month": 1, "this": 10 * M, "last": 7 * M}
    assert trend.months[5]["this"] == 5 * M and trend.months[8]["last"] == 9 * M
    industry = trend.by_industry[0]
    assert (industry["this"], industry["last"]) == (15 * M, 7 * M)
    assert industry["growth"] == Decimal(8) / Decimal(7)


def test_month_bounds():
    assert month_bounds(dt.date(2026, 2, 14)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert month_bounds(dt.date(2026, 12, 31)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_revenue_trend_converts_each_day_and_splits_line_items_by_family(personas):
    """Grouped in SQL: a USD deal converted at its close day's rate, line items' rounded nets by family."""
    alice = personas["alice"]
    account = create_account(actor=alice, name="한빛")
    cat = make_catalog()
    today = dt.date(2026, 6, 15)
    ExchangeRate.objects.create(currency="USD", valid_from=dt.date(2026, 1, 1), krw_per_unit=Decimal("1400"))
    ExchangeRate.objects.create(currency="USD", valid_from=dt.date(2026, 3, 1), krw_per_unit=Decimal("1300"))

    def won(amount, day, currency="KRW"):
        opp = create_opportunity(
            actor=alice, name=str(day), account=account, amount=Decimal(amount), currency=currency
        )
        return opp, timezone.make_aware(dt.datetime.combine(day, dt.time(12)))

    usd_feb, feb = won(1000, dt.date(2026, 2, 10), "USD")
    usd_mar, mar = won(2000, dt.date(2026, 3, 10), "USD")
    krw_jan, jan = won(3 * M, dt.date(2026, 1, 5))
    # ERP core at 10,000,000 less 3.5% = 9,650,000; 7 seats at 99,999 less 3.5% = 675,493.245 → 675,493.
    catalog.add_line_item(krw_jan, actor=alice, product=cat["erp"], quantity=1, discount_percent="3.5")
    catalog.add_line_item(krw_jan, actor=alice, product=cat["seat"], quantity=7, discount_percent="3.5")
    catalog.add_line_item(krw_jan, actor=alice, product=cat["seat"], quantity=7, discount_percent="3.5")
    for opp, closed in ((usd_feb, feb), (usd_mar, mar), (krw_jan, jan)):
        Opportunity.objects.filter(pk=opp.pk).update(stage=stage("won"), closed_at=closed, amount=opp.amount)
    trend = dashboards.revenue_trend(Opportunity.objects.all(), today=today)
    assert trend.months[1]["this"] == 1000 * 1400
    assert trend.months[2]["this"] == 2000 * 1300
    families = {r["key"]: r["this"] for r in trend.by_family}
    assert families["ERP"] == 9_650_000 + 2 * 675_493
    assert sum(m["this"] for m in trend.months) == 1_400_000 + 2_600_000 + 3 * M


def _api(client, user, url):
    _token, secret = create_api_token(user, name="test")
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_role_dashboards_api_by_hand(client, personas, closed_world):
    """The rep, manager and executive dashboards in /api/v1: the numbers of closed_world worked out by hand,
    scoped like the home page (charlie's team is not dana's; only administrators get the executive's)."""
    alice, bob, dana, root = (personas[n] for n in ("alice", "bob", "dana", "root"))
    quarter = period_containing("quarter", timezone.localdate())
    Quota.objects.create(user=alice, period_kind="quarter", period_start=quarter.start, amount=160 * M)
    mine = _api(client, alice, "/api/v1/insights/dashboards/rep").json()
    assert mine["period"] == quarter.key
    assert Decimal(mine["numbers"]["quota"]) == 160 * M
    # alice's open pipeline: three deals of 1M in "evaluating".
    [evaluating] = mine["pipeline_by_stage"]
    assert evaluating["count"] == 3
    [(currency, amount)] = [(x["currency"], Decimal(x["amount"])) for x in evaluating["amounts"]]
    assert (currency, amount) == ("KRW", 3 * M)
    assert {r["name"] for r in mine["deals_at_risk"]} == {"open-0", "open-1", "open-2"}
    assert [c["kind"] for c in mine["activity_this_week"]] == ["call", "event", "minutes", "email"]
    assert mine["open_question_count"] == 0

    team = _api(client, dana, "/api/v1/insights/dashboards/manager").json()
    reps = {r["user_id"]: r["win"] for r in team["reps"]}
    assert personas["charlie"].pk not in reps
    # alice: won 2 (30M + 50M), lost 1 → 2/3; cycles 10 and 20 days → 15.
    # bob: won 1 (20M, 4 days), 1 no decision.
    a, b = reps[alice.pk], reps[bob.pk]
    assert (a["won"], a["lost"], a["no_decision"]) == (2, 1, 0)
    assert Decimal(a["win_rate"]) == pytest.approx(Decimal(2) / Decimal(3))
    assert Decimal(a["cycle_days"]) == 15 and Decimal(a["won_amount_krw"]) == 80 * M
    assert (b["won"], b["no_decision"], Decimal(b["cycle_days"])) == (1, 1, 4)
    [row] = team["pipeline_by_rep_and_stage"]
    assert row["user_id"] == alice.pk and Decimal(row["total_krw"]) == 3 * M
    assert [c["count"] for c in row["cells"]] == [3]
    assert _api(client, alice, "/api/v1/insights/dashboards/manager").status_code == 403
    assert _api(client, dana, "/api/v1/insights/dashboards/executive").status_code == 403

    company = _api(client, root, "/api/v1/insights/dashboards/executive").json()
    win = company["win"]
    # 3 won of 5 closed in the window, 1 no decision; velocity 3 open × 100M/3 × 3/5 ÷ 34/3 days.
    assert (win["won"], win["lost"], win["no_decision"]) == (3, 1, 1)
    assert Decimal(win["win_rate"]) == Decimal("0.6") and Decimal(win["no_decision_rate"]) == Decimal("0.2")
    assert company["open_count"] == 3
    assert Decimal(company["sales_velocity_krw_per_day"]) == 5_294_118
    assert len(company["revenue_by_month"]) == 12
