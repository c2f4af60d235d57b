"""The forecast reads through the same visibility as every list (core.records): a deal of another team
counts for the reader exactly when an organisation-wide default or a share lets them read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from baton.accounts.services import create_account
from baton.core.models import RecordShare, ShareAccess, SharingDefault, SharingMode
from baton.core.tests.test_api_support import make_api
from baton.deals.models import Stage
from baton.deals.services import create_opportunity
from baton.insights.forecast import compute_forecast, find_row, opportunities_behind, owners_of
from baton.insights.models import PeriodKind, Quota
from baton.insights.periods import Period

Q4 = Period(PeriodKind.QUARTER, dt.date(2026, 10, 1))
TODAY = dt.date(2026, 11, 15)
M = 1_000_000


@pytest.fixture
def deals(personas):
    alice, charlie = personas["alice"], personas["charlie"]
    commit = Stage.objects.get(pipeline__is_default=True, key="purchasing")
    mine = create_account(actor=alice, name="(주)한빛소프트")
    theirs = create_account(actor=charlie, name="새봄물산")
    a1 = create_opportunity(
        actor=alice,
        name="A1",
        account=mine,
        amount=Decimal(40 * M),
        stage=commit,
        expected_close_date=dt.date(2026, 11, 20),
    )
    c1 = create_opportunity(
        actor=charlie,
        name="C1",
        account=theirs,
        amount=Decimal(7 * M),
        stage=commit,
        expected_close_date=dt.date(2026, 12, 1),
    )
    # Charlie's quota is not Alice's to see, even when his deals are.
    Quota.objects.create(user=charlie, period_kind="quarter", period_start=Q4.start, amount=90 * M)
    return {"a1": a1, "c1": c1}


def _open_total(user) -> Decimal:
    forecast = compute_forecast(user, Q4, today=TODAY)
    return forecast.total.open


def test_another_teams_deal_counts_only_where_visibility_lets_the_reader_read_it(personas, deals):
    alice, charlie = personas["alice"], personas["charlie"]
    # Team default: Charlie (Field Sales 2) is outside Alice's team: his deal is not hers to see.
    assert _open_total(alice) == 40 * M
    assert find_row(compute_forecast(alice, Q4, today=TODAY), "shared", 0) is None
    assert find_row(compute_forecast(alice, Q4, today=TODAY), "user", charlie.pk) is None

    # Read-all on opportunities: every internal user reads every deal, so it counts for Alice too,
    # under "Shared with you", without Charlie's quota.
    SharingDefault.objects.create(record_type="deals.opportunity", mode=SharingMode.READ_ALL)
    forecast = compute_forecast(alice, Q4, today=TODAY)
    assert forecast.total.open == 47 * M
    shared = find_row(forecast, "shared", 0)
    assert shared is not None and shared.numbers.commit == 7 * M
    row = find_row(forecast, "user", charlie.pk)
    assert row is not None and row.numbers.quota is None and not row.can_adjust
    assert forecast.total.quota is None
    drill = opportunities_behind(alice, Q4, measure="commit", owner_ids=owners_of(shared))
    assert [o.name for o in drill] == ["C1"]

    # The same on the page (and its drill-down) and the API.
    from django.test import Client

    client = Client()
    client.force_login(alice)
    page = client.get(reverse("insights:forecast") + "?period=2026-Q4").content.decode()
    assert 'data-testid="forecast-row-shared-0"' in page
    deals_page = client.get(
        reverse("insights:forecast_deals") + "?period=2026-Q4&kind=shared&id=0&measure=commit"
    )
    assert deals_page.status_code == 200 and "C1" in deals_page.content.decode()
    body = make_api(personas)("alice").get("/insights/forecast", {"period": "2026-Q4"}).json()
    assert any(r["kind"] == "shared" for r in body["rows"])

    # Private: back to nothing of Charlie's (and Alice's own deal still counts).
    SharingDefault.objects.filter(record_type="deals.opportunity").update(mode=SharingMode.PRIVATE)
    assert _open_total(alice) == 40 * M

    # An explicit share of Charlie's deal with Alice makes it count again; an expired one does not.
    share = RecordShare.objects.create(
        record_type="deals.opportunity", record_id=deals["c1"].pk, user=alice, access=ShareAccess.READ
    )
    assert _open_total(alice) == 47 * M
    share.expires_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    share.save()
    assert _open_total(alice) == 40 * M
