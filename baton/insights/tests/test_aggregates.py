"""Monthly pre-aggregates of won revenue: the stored months give the live numbers, number by number, for
several readers, and a month changed since it was summed is read live again."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from baton.accounts.services import create_account, update_account
from baton.core.choices import Industry, Region
from baton.core.models import ChangeLog, RecordShare, SharingDefault, SharingMode
from baton.deals import catalog
from baton.deals.models import Opportunity, Stage
from baton.deals.models_sales import LineItem
from baton.deals.services import create_opportunity, update_opportunity
from baton.deals.tests.factories import make_catalog
from baton.insights.aggregates import trend as agg
from baton.insights.aggregates.build import refresh, window_months
from baton.insights.aggregates.freshness import MARGIN
from baton.insights.aggregates.models import AggregateMonth, WonMonth
from baton.insights.dashboards import revenue_trend
from baton.insights.models import ExchangeRate
from baton.sharing.services import share_record

TODAY = dt.date(2026, 6, 15)
READERS = ("root", "mina", "dana", "alice", "bob", "charlie")


def stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, key=key)


def as_numbers(trend) -> dict:
    """Every figure of a trend, keyed (the split lists are sorted by amount; ties may order differently)."""
    return {
        "months": [(m["month"], m["this"], m["last"]) for m in trend.months],
        "family": {r["key"]: (r["this"], r["last"], r["growth"]) for r in trend.by_family},
        "industry": {r["key"]: (r["this"], r["last"], r["growth"], r["label"]) for r in trend.by_industry},
        "region": {r["key"]: (r["this"], r["last"], r["growth"], r["label"]) for r in trend.by_region},
    }


def live(user) -> dict:
    return as_numbers(revenue_trend(Opportunity.objects.visible_to(user), today=TODAY))


def served(user) -> dict:
    return as_numbers(agg.revenue_trend_for(user, today=TODAY))


@pytest.fixture
def history(personas):
    """Two years of deals for five people in three teams: KRW and USD, won, lost and open, with line
    items, across accounts of different industries and regions; one of charlie's deals shared with alice."""
    rng = random.Random(12)
    cat = make_catalog()
    ExchangeRate.objects.create(
        currency="USD", valid_from=dt.date(2024, 12, 1), krw_per_unit=Decimal("1380.5")
    )
    ExchangeRate.objects.create(
        currency="USD", valid_from=dt.date(2025, 8, 1), krw_per_unit=Decimal("1402.25")
    )
    people = [personas[n] for n in ("alice", "bob", "charlie", "mina", "dana")]
    accounts = [
        create_account(
            actor=owner,
            name=f"집계상사 {i}",
            industry=[Industry.MANUFACTURING, Industry.FINANCE, Industry.IT, ""][i % 4],
            region=[Region.SEOUL, Region.BUSAN, ""][i % 3],
        )
        for i, owner in enumerate(people * 2)
    ]
    won, lost = stage("won"), stage("lost")
    deals = []
    for i in range(90):
        account = accounts[rng.randrange(len(accounts))]
        currency = "USD" if rng.random() < 0.2 else "KRW"
        amount = Decimal(rng.randrange(1, 500) * (10 if currency == "USD" else 100_000))
        opp = create_opportunity(
            actor=account.owner, name=f"집계 {i}", account=account, amount=amount, currency=currency
        )
        if currency == "KRW" and i % 3 == 0:
            product = cat[rng.choice(["erp", "seat", "cloud"])]
            catalog.add_line_item(
                opp,
                actor=account.owner,
                product=product,
                quantity=rng.randrange(1, 9),
                discount_percent="2.5",
            )
        if currency == "USD" and i % 4 == 0:  # set-up, not under test
            LineItem.objects.create(
                opportunity=opp, product=cat["cloud"], quantity=3, list_price=Decimal("999.99")
            )
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange((TODAY - dt.date(2025, 1, 1)).days + 1))
        outcome = rng.random()
        if outcome < 0.85:
            closed = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.choice([0, 9, 23]), 30)))
            Opportunity.objects.filter(pk=opp.pk).update(
                stage=won if outcome < 0.7 else lost, closed_at=closed, amount=opp.amount
            )
        deals.append(opp)
    charlies = Opportunity.objects.filter(owner=personas["charlie"], stage=won).order_by("pk").first()
    share_record(charlies, actor=personas["charlie"], user=personas["alice"])
    # This history was written long ago: its audit rows are older than any sum made in the test.
    ChangeLog.objects.update(time=F("time") - dt.timedelta(days=1))
    return {"deals": deals, "accounts": accounts, "charlies": charlies}


@pytest.mark.parametrize("mode", [None, SharingMode.PRIVATE, SharingMode.READ_ALL])
def test_stored_months_give_the_live_numbers_for_every_reader(personas, history, mode):
    if mode:
        SharingDefault.objects.create(record_type=Opportunity._meta.label_lower, mode=mode)
    done = refresh(TODAY)
    assert done.months == window_months(TODAY)  # January 2025 to May 2026: 17 months
    assert len(done.months) == 17
    assert (
        done.deals
        == Opportunity.objects.filter(
            stage__outcome=Stage.Outcome.WON, closed_at__lt=timezone.make_aware(dt.datetime(2026, 6, 1))
        ).count()
    )
    # 16 usable: last year's June is split at the 15th and read live by day
    assert len(agg.usable_months(TODAY)) == 16
    for name in READERS:
        user = personas[name]
        assert agg.scope_for(user) is not None
        assert served(user) == live(user), name
    # The figures are not all zero, and readers see different sums (unless everyone reads every deal).
    assert (served(personas["root"]) == served(personas["alice"])) == (mode == SharingMode.READ_ALL)
    assert sum(m[1] + m[2] for m in served(personas["root"])["months"]) > 0


def test_alice_gets_the_deal_shared_with_her_on_top_of_her_keys(personas, history):
    """Charlie's deal is outside alice's owner/team keys; shared with her, it is added live."""
    refresh(TODAY)
    alice = personas["alice"]
    assert agg.scope_for(alice).keys is not None
    with_share = served(alice)
    assert with_share == live(alice)
    RecordShare.objects.all().delete()  # set-up: the share is gone
    without = served(alice)
    assert without == live(alice)
    assert with_share != without


def test_a_changed_month_is_read_live_until_summed_again(personas, history, root):
    refresh(TODAY)
    deal = (
        Opportunity.objects.filter(
            stage__outcome=Stage.Outcome.WON,
            currency="KRW",
            closed_at__lt=timezone.make_aware(dt.datetime(2026, 5, 1)),
        )
        .order_by("pk")
        .first()
    )
    month = timezone.localtime(deal.closed_at).date().replace(day=1)
    assert month in agg.usable_months(TODAY)
    update_opportunity(
        deal, actor=root, changes={"amount": deal.amount + Decimal(1_230_000)}, expected_version=deal.version
    )
    assert month not in agg.usable_months(TODAY)
    assert served(root) == live(root)
    # The next refresh sums that month again (and only it); then it is stored and equal again.
    assert refresh(TODAY).months == [month]
    # Summed again within the margin of the change: still live (the change's transaction may have
    # committed after the sum read). Once the change is older than the margin, the month is used.
    assert month not in agg.usable_months(TODAY)
    ChangeLog.objects.update(time=F("time") - 2 * MARGIN)
    assert month in agg.usable_months(TODAY)
    assert served(root) == live(root)


def test_an_account_change_marks_the_months_of_its_won_deals(personas, history, root):
    refresh(TODAY)
    account = history["accounts"][0]
    months = {
        timezone.localtime(c).date().replace(day=1)
        for c in Opportunity.objects.filter(account=account, stage__outcome=Stage.Outcome.WON).values_list(
            "closed_at", flat=True
        )
    }
    update_account(
        account, actor=root, changes={"industry": Industry.RETAIL}, expected_version=account.version
    )
    usable = set(agg.usable_months(TODAY))
    assert not (usable & months)
    assert served(root) == live(root)


def test_the_stored_rows_are_what_is_read(personas, history, root):
    """A write that bypasses the services (no audit row) is not seen until the month is summed again:
    proof that the page reads the stored month, and why every write goes through a service."""
    refresh(TODAY)
    row = WonMonth.objects.filter(currency="KRW", month__lt=dt.date(2026, 5, 1)).order_by("month").first()
    WonMonth.objects.filter(pk=row.pk).update(amount=row.amount + 7)
    assert served(root) != live(root)
    refresh(TODAY, everything=True)
    assert served(root) == live(root)


def test_partner_users_and_empty_stores_are_served_live(personas, history, root):
    assert agg.usable_months(TODAY) == []
    assert served(root) == live(root)  # nothing summed yet: all live
    refresh(TODAY)
    AggregateMonth.objects.filter(month=dt.date(2025, 3, 1)).delete()
    assert dt.date(2025, 3, 1) not in agg.usable_months(TODAY)
    assert served(root) == live(root)


def test_command_and_stage_reconfiguration(personas, history, capsys, root):
    call_command("refresh_insights_aggregates", "--all")
    out = capsys.readouterr().out
    assert "summed" in out and "won deals" in out
    assert len(agg.usable_months(TODAY)) == 16
    # Another stage counted as won (a configuration change, not a deal change): every month is stale.
    Stage.objects.filter(pk=stage("lost").pk).update(outcome=Stage.Outcome.WON)
    assert agg.usable_months(TODAY) == []
    assert served(root) == live(root)
