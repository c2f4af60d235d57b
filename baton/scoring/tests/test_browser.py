"""In a real browser: qualify a lead with BANT evidence, see its score and reasons, and route it to
the rep who has capacity."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from baton.scoring.models import Assignment
from baton.scoring.routing import save_routing_rule, set_capacity
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_qualify_score_and_route(browser_page, personas, world):
    page = browser_page
    root, alice, bob = personas["root"], personas["alice"], personas["bob"]
    lead = world["lead"]
    # Bob has room this week; alice is away: the rule must pick bob and say why.
    set_capacity(bob, actor=root, values={"weekly_capacity": 3})
    set_capacity(alice, actor=root, values={"weekly_capacity": 3, "opted_out": True})
    save_routing_rule(None, actor=root, values={"name": "Field sales 1"}, members=[alice, bob])

    sign_in(page, "alice")
    page.goto(f"/scoring/leads/{lead.pk}/")
    row = page.get_by_test_id("qual-budget")
    row.get_by_role("checkbox").check()
    row.get_by_placeholder("Evidence: who said what, where").fill(
        "CFO confirmed 200M KRW for next year (call 3/2)"
    )
    row.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("qual-budget").get_by_role("checkbox")).to_be_checked()
    expect(page.get_by_test_id("qual-budget").locator("input[name=evidence]")).to_have_value(
        re.compile(re.escape("CFO confirmed"))
    )

    panel = page.get_by_test_id("score-panel")
    expect(panel.get_by_test_id("score-total")).to_have_text("5")
    expect(panel.get_by_test_id("score-reasons")).to_contain_text("Reachable by phone")
    expect(panel.get_by_test_id("score-qualification")).to_contain_text(
        "Qualification 12% (1 of 8 confirmed)"
    )
    expect(panel.get_by_test_id("score-predicted")).to_contain_text("Not enough history")

    page.get_by_test_id("route").click()
    page.wait_for_load_state()
    assignment = page.get_by_test_id("score-assignment")
    expect(assignment).to_contain_text("Routed to Bob")
    expect(assignment).to_contain_text("Alice opted out of routing.")
    assert Assignment.objects.get(lead=lead).assignee == bob
