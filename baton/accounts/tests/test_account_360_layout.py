"""Account 360° (issue 9): the timeline and feed sit in the main column, and the process panel marks a
stage with a check only when its criteria are really met (no "온보딩 ✓" for a stage without any)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_timeline_and_feed_are_in_the_main_column(client, alice, world):
    client.force_login(alice)
    page = client.get(f"/accounts/{world['account'].pk}/").content.decode()
    main, side = page.index('data-testid="account-main"'), page.index('data-testid="account-side"')
    assert main < page.index('data-testid="activity-panel-loader"') < side


def test_a_stage_without_criteria_is_not_shown_as_met(client, alice, world):
    client.force_login(alice)
    body = client.get(
        f"/process/records/account/{world['account'].pk}/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    step = re.search(r'<li [^>]*data-stage="onboarding"[^>]*>.*?</li>', body, re.S)
    assert step is not None
    assert "bi-check-circle-fill" not in step.group(0) and "✓" not in step.group(0)
