"""Custom fields end to end in Chromium: an administrator adds a choice field on opportunities and a
validation rule, switches the rule on; a rep fills the field in the deal form and the board refuses a
move that breaks the rule."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from baton.core.customfields.models import CustomField, ValidationRule
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_defines_field_and_rule_rep_fills_it(browser_page, personas, world):
    page = browser_page
    page.set_default_timeout(30_000)  # the live server shares a loaded machine; nothing here is timed
    deal = world["opportunity"]

    sign_in(page, "root")
    page.goto("/settings/custom-fields/")
    page.get_by_test_id("add-field-opportunity").click()
    page.fill("#id_key", "deal_size_band")
    page.fill("#id_label_ko", "규모 구간")
    page.fill("#id_label_en", "Size band")
    page.select_option("#id_type", "choice")
    page.fill("#id_choices", "small|소형|Small\nlarge|대형|Large")
    page.get_by_test_id("save-button").click()
    page.wait_for_url("**/settings/custom-fields/")
    definition = CustomField.objects.get(key="deal_size_band")
    assert [c["value"] for c in definition.choices] == ["small", "large"]

    page.get_by_test_id("add-rule").click()
    page.select_option("#id_object", "opportunity")
    page.fill("#id_name", "평가 단계는 규모 필수")
    page.fill("#id_expression", 'stage_key != "evaluating" || cf_deal_size_band != ""')
    page.fill("#id_message_ko", "평가 단계에서는 규모 구간을 고르세요.")
    page.fill("#id_message_en", "Choose a size band while evaluating.")
    page.fill("#id_error_field", "deal_size_band")
    page.get_by_test_id("save-button").click()
    page.wait_for_url("**/settings/custom-fields/")
    rule = ValidationRule.objects.get()
    page.get_by_test_id(f"activate-{rule.pk}").click()
    page.wait_for_url("**/settings/custom-fields/")
    rule.refresh_from_db()
    assert rule.is_active

    # The rep: the board's move is refused by the rule until the field is filled in the form.
    sign_in(page, "alice")
    response = page.request.post(
        f"/deals/{deal.pk}/move/",
        form={"stage": str(deal.pipeline.stages.get(key="evaluating").pk), "version": str(deal.version)},
        headers={"Accept": "application/json", "X-CSRFToken": _csrf(page)},
    )
    assert response.status == 400 and "Choose a size band while evaluating." in response.json()["error"]
    page.goto(f"/deals/{deal.pk}/edit/")
    page.select_option("#id_cf_deal_size_band", "large")
    page.get_by_test_id("save-button").click()
    page.wait_for_url(re.compile(rf"/deals/{deal.pk}/$"))
    expect(page.locator("body")).to_contain_text("Size band")
    deal.refresh_from_db()
    assert deal.custom_field_data == {"deal_size_band": "large"}


def _csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
