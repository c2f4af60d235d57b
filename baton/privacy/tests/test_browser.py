"""In a real browser: the consent panel loads on a lead's page, a statement recorded there shows at
once (htmx swaps the panel), and the administrator's data-subject search finds the person."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from baton.privacy.models import Consent
from conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_consent_panel_and_subject_search(browser_page, personas, world):
    page = browser_page
    lead = world["lead"]
    sign_in(page, "alice")
    page.goto(f"/leads/{lead.pk}/")
    panel = page.get_by_test_id("consent-panel")
    expect(panel).to_contain_text("not asked")
    form = page.get_by_test_id("consent-form")
    form.locator("#id_purpose").select_option("marketing_email")
    form.locator("#id_channel").select_option("event")
    form.locator("#id_source").fill("Seminar 2026")
    form.get_by_role("button").click()
    expect(page.get_by_test_id("consent-history")).to_contain_text("Seminar 2026", timeout=10_000)
    assert Consent.objects.get(lead=lead).granted is True

    sign_in(page, "root")
    page.goto("/privacy/?q=seoyeon")
    expect(page.get_by_test_id("subject-candidates")).to_contain_text("이서연")
    page.get_by_test_id("open-subject").click()
    expect(page.get_by_test_id("subject-summary")).to_contain_text("privacy.consent")
