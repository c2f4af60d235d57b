"""In a real browser: a partner registers a deal, the partner manager approves it for a rep, the rep
sees the partner stamped on the deal, the partner moves it a stage, the rep sees the move in the feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from baton.deals.models import Stage
from baton.partners.models import Registration
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patient_page(browser_page):
    # The shared CI machine can be slow: wait longer for pages and for the retrying assertions.
    browser_page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    yield browser_page
    expect.set_options(timeout=5_000)


def test_register_approve_stamp_move_feed(patient_page, channel):
    page = patient_page
    sign_in(page, "paul")
    expect(page.get_by_test_id("portal-title")).to_contain_text("누리시스템")
    page.get_by_test_id("portal-register").click()
    page.locator("#id_customer").fill("새한물산 주식회사")
    page.locator("#id_contact_name").fill("박지훈")
    page.locator("#id_product_interest").fill("ERP")
    page.locator("#id_amount").fill("80000000")
    page.locator("#id_close_date").fill((timezone.localdate() + dt.timedelta(days=60)).isoformat())
    page.locator("#id_evidence").fill("Two workshops with the IT team.")
    page.get_by_test_id("registration-submit").click()
    expect(page.get_by_test_id("registration-status")).to_have_text("Submitted")
    reg = Registration.objects.get()

    sign_in(page, "pat")
    page.goto("/partners/registrations/")
    page.get_by_test_id("registration-link").first.click()
    page.locator("#id_owner").select_option(label="Alice")
    page.get_by_test_id("approve-submit").click()
    expect(page.get_by_test_id("registration-status")).to_have_text("Approved")
    reg.refresh_from_db()
    deal = reg.opportunity

    sign_in(page, "alice")
    page.goto(f"/deals/{deal.pk}/")
    expect(page.get_by_test_id("partner-stamp")).to_contain_text("누리시스템")
    expect(page.get_by_test_id("sourced-by")).to_have_text("Partner-sourced")

    sign_in(page, "paul")
    page.goto(f"/portal/deals/{deal.pk}/")
    nxt = (
        Stage.objects.filter(pipeline=deal.pipeline, sequence__gt=deal.stage.sequence)
        .order_by("sequence")
        .first()
    )
    page.locator("#id_stage").select_option(value=str(nxt.pk))
    page.locator("#id_next_step").fill("PoC 일정 확정")
    page.get_by_test_id("portal-deal-save").click()
    expect(page.get_by_test_id("portal-deal-stage")).to_have_text(str(nxt))

    sign_in(page, "alice")
    page.goto("/activities/feed/")
    expect(page.get_by_test_id("my-feed")).to_contain_text("Paul")
    expect(page.get_by_test_id("my-feed")).to_contain_text("PoC 일정 확정")
