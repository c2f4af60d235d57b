"""In a real browser: a channel user passes a lead to a partner from the lead page, the partner signs
in, accepts it on the portal's lead list and sees the lead's contact details. Waits on elements only
(Playwright's retrying ``expect``), with patient timeouts for a loaded machine."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from baton.leads.services import create_lead
from baton.partners.models import LeadPass
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patient_page(browser_page):
    # The shared machine can be slow: wait longer for pages and for the retrying assertions.
    browser_page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    yield browser_page
    expect.set_options(timeout=5_000)


def test_channel_passes_a_lead_and_the_partner_accepts_it(patient_page, channel):
    page = patient_page
    pat = channel["pat"]
    lead = create_lead(
        actor=pat, owner=pat, name="최유진", company="미래식품", email="yujin@mirae.kr", region="busan"
    )

    sign_in(page, "pat")
    page.goto(f"/leads/{lead.pk}/")
    form = page.get_by_test_id("lead-pass-form")
    form.locator("input[name=to][value=partner]").check()
    form.locator("select[name=partner]").select_option(label=str(channel["nuri"]))
    form.get_by_test_id("lead-pass-submit").click()
    expect(page.get_by_test_id("lead-pass")).to_contain_text("누리시스템")

    sign_in(page, "paul")
    page.goto("/portal/leads/")
    offer = page.get_by_test_id(f"portal-pass-{lead.pk}")
    expect(offer).to_contain_text("미래식품")
    offer.get_by_test_id("portal-accept").click()
    expect(page.get_by_test_id("lead-pass-status")).to_have_text("Accepted")
    expect(page.get_by_text("yujin@mirae.kr")).to_be_visible()
    assert LeadPass.objects.get(lead=lead).status == LeadPass.Status.ACCEPTED
