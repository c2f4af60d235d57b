"""The action builder in Chromium: an administrator builds a rule without writing JSON; each row shows
only the chosen type's settings; the dry run lists the record it would act on; the saved rule runs."""

from __future__ import annotations

import pytest

from baton.automation.models import Rule
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_builds_a_rule_with_rows(browser_page, personas, world):
    page = browser_page
    page.set_default_timeout(30_000)  # a loaded machine; nothing here is timed
    sign_in(page, "root")
    page.goto("/automation/new/")
    page.fill("#id_name", "새 리드 첫 통화")
    page.select_option("#id_object_kind", "lead")
    page.select_option("#id_trigger", "created")
    first = page.get_by_test_id("action-row").first
    assert first.locator('[data-action-group="create_task"]').is_hidden()
    page.select_option("#a0-type", "create_task")
    assert first.locator('[data-action-group="create_task"]').is_visible()
    assert first.locator('[data-action-group="notify"]').is_hidden()
    page.fill("#a0-create_task-subject", "첫 통화 하기")
    page.select_option("#a0-create_task-assignee", "owner")
    page.fill("#a0-create_task-due_in_days", "1")
    page.get_by_test_id("dry-run-rule").click()
    page.get_by_test_id("dry-hit").first.wait_for()
    assert not Rule.objects.exists()
    page.check("#id_enabled")
    page.get_by_test_id("save-rule").click()
    page.wait_for_url("**/automation/*/")
    rule = Rule.objects.get()
    assert rule.actions == [
        {"type": "create_task", "subject": "첫 통화 하기", "assignee": "owner", "due_in_days": 1}
    ]
    assert rule.enabled
