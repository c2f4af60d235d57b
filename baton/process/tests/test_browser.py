"""In a real browser: an admin edits a stage's criterion, a rep logs the interactions that meet it and
watches the lead move, and the factory floor counts the arrival."""

from __future__ import annotations

import pytest

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
    assert page.get_by_test_id(f"expr-{criterion.pk}").input_value() == "call_30d >= 2"
    criterion.refresh_from_db()
    assert criterion.expression == "call_30d >= 2"

    # The rep sees nobody arrived in MQL yet, and the lead in nurturing.
    sign_in(page, "alice")
    page.goto("/process/?days=30")
    assert page.get_by_test_id("arrivals-mql").inner_text().strip() == "0"
    page.goto(f"/leads/{lead.pk}/")
    stage = page.get_by_test_id("process-panel").get_by_test_id("current-stage")
    assert "Nurturing" in stage.inner_text()

    log_call(page, "First call: interested, asked for a demo")
    assert "Nurturing" in page.get_by_test_id("process-panel").get_by_test_id("current-stage").inner_text()
    log_call(page, "Second call: demo booked")
    panel = page.get_by_test_id("process-panel")
    assert "MQL" in panel.get_by_test_id("current-stage").inner_text()
    assert "waiting for acceptance" in panel.inner_text()
    assert "Automatic" in panel.get_by_test_id("stage-history").inner_text()

    page.goto("/process/?days=30")
    assert page.get_by_test_id("arrivals-mql").inner_text().strip() == "1"
    page.get_by_test_id("arrivals-mql").click()
    page.wait_for_load_state()
    assert "Kim Browser" in page.content()
