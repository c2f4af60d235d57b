"""In a real browser: a manager opens the forecast, adjusts a rep's commit, drills into a number and
downloads it as CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from baton.accounts.services import create_account
from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity
from baton.insights.models import ForecastAdjustment
from baton.insights.periods import period_containing
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_adjusts_drills_and_exports(browser_page, personas):
    page = browser_page
    alice, mina = personas["alice"], personas["mina"]
    period = period_containing("quarter", timezone.localdate())
    account = create_account(actor=alice, name="(주)한빛소프트")
    stages = {s.key: s for s in Stage.objects.filter(pipeline__is_default=True)}
    create_opportunity(
        actor=alice,
        name="한빛 ERP",
        account=account,
        amount=Decimal(50_000_000),
        stage=stages["purchasing"],
        expected_close_date=period.last_day,
    )
    won = create_opportunity(
        actor=alice,
        name="한빛 유지보수",
        account=account,
        amount=Decimal(12_000_000),
        stage=stages["won"],
        expected_close_date=period.start,
    )
    Opportunity.objects.filter(pk=won.pk).update(
        closed_at=timezone.make_aware(dt.datetime.combine(period.start, dt.time(10)))
    )

    sign_in(page, "mina")
    page.goto("/insights/forecast/")
    expect(page.get_by_test_id(f"commit-user-{alice.pk}")).to_have_text("₩50,000,000")
    page.get_by_test_id(f"adjust-toggle-{alice.pk}").click()
    form = page.get_by_test_id(f"adjust-form-{alice.pk}")
    expect(form).to_be_visible()
    form.get_by_label("Amount (KRW)").fill("40000000")
    form.get_by_label("Note").fill("Legal review may push it out")
    form.get_by_role("button", name="Save my call").click()
    expect(page.get_by_test_id(f"commit-call-user-{alice.pk}")).to_contain_text("₩40,000,000")
    expect(page.get_by_test_id(f"commit-user-{alice.pk}")).to_have_text("₩50,000,000")
    adj = ForecastAdjustment.objects.get()
    assert (adj.subject_id, adj.adjusted_by_id, adj.amount) == (alice.pk, mina.pk, 40_000_000)

    fs1 = personas["teams"]["fs1"].pk
    page.get_by_test_id(f"won-team-{fs1}").click()
    expect(page.get_by_test_id("drill-table")).to_contain_text("한빛 유지보수")
    with page.expect_download() as download:
        page.get_by_test_id("drill-csv").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "한빛 유지보수" in content and "12000000" in content
