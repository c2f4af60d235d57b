"""In a real browser: an admin edits a stage's criterion, a rep logs the interactions that meet it and
watches the lead move, and the factory floor counts the arrival."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from baton.leads.models import LeadInteraction
from baton.leads.services import create_lead, log_interaction
from baton.process.models import StageCriterion
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_call(page, note):
    card = page.get_by_test_id("interactions")
    card.locator("select[name=kind]").select_option("call")
    card.locator("[name=note]").fill(note)
    card.get_by_test_id("add-interaction").click()
    page.wait_for_load_state()


def test_edit_criteria_watch_a_lead_move_and_the_floor_update(browser_page, personas):
    page = browser_page
    alice = personas["alice"]
    lead = create_lead(actor=alice, name="Kim Browser", company="(주)브라우저", email="kim@browser.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.WEB_VISIT)
    criterion = StageCriterion.objects.get(stage__key="mql")

    # The admin makes MQL mean "two calls in 30 days".
    sign_in(page, "root")
    page.goto("/process/design/")
    page.get_by_test_id(f"expr-{criterion.pk}").fill("call_30d >= 2")
    page.locator(f"#criterion-{criterion.pk}").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id(f"expr-{criterion.pk}")).to_have_value("call_30d >= 2")
    criterion.refresh_from_db()
    assert criterion.expression == "call_30d >= 2"

    # The rep sees nobody arrived in MQL yet, and the lead in nurturing.
    sign_in(page, "alice")
    page.goto("/process/?days=30")
    expect(page.get_by_test_id("arrivals-mql")).to_have_text("0")
    page.goto(f"/leads/{lead.pk}/")
    stage = page.get_by_test_id("process-panel").get_by_test_id("current-stage")
    expect(stage).to_contain_text("Nurturing")

    log_call(page, "First call: interested, asked for a demo")
    expect(page.get_by_test_id("process-panel").get_by_test_id("current-stage")).to_contain_text("Nurturing")
    log_call(page, "Second call: demo booked")
    panel = page.get_by_test_id("process-panel")
    expect(panel.get_by_test_id("current-stage")).to_contain_text("MQL")
    expect(panel).to_contain_text("waiting for acceptance")
    expect(panel.get_by_test_id("stage-history")).to_contain_text("Automatic")

    page.goto("/process/?days=30")
    expect(page.get_by_test_id("arrivals-mql")).to_have_text("1")
    page.get_by_test_id("arrivals-mql").click()
    page.wait_for_load_state()
    assert "Kim Browser" in page.content()
