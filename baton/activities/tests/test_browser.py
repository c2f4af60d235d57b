"""In a real browser: book a visit, write minutes with a "?" item, resolve it, see it in the feed,
and receive the mention notification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from baton.activities.models import Activity, OpenQuestion
from conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_visit_minutes_question_feed_and_mention(browser_page, personas, world):
    page = browser_page
    account = world["account"]
    sign_in(page, "alice")

    # Book a visit from the account's activity panel.
    page.goto(f"/activities/record/account/{account.pk}/")
    page.get_by_test_id("new-event").click()
    when = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=10, minute=0)
    page.fill("#id_subject", "Visit Hanbit HQ")
    page.fill("#id_start_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_end_at", (when + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_preparation", "Bring the ERP reference list")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/activities/*/")
    assert Activity.objects.get(subject="Visit Hanbit HQ").account_id == account.pk

    # Write minutes with an open question.
    page.goto(f"/activities/new/?kind=minutes&record=account:{account.pk}")
    page.fill("#id_subject", "Visit minutes")
    page.fill("#id_body", "ERP scope agreed.\n? Who signs the contract")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/activities/*/")
    question = page.get_by_test_id("questions")
    expect(question).to_contain_text("Who signs the contract")

    # Resolve it.
    page.get_by_test_id("answer-input").fill("The CFO, 박지훈")
    page.get_by_test_id("answer-submit").click()
    page.wait_for_load_state()
    assert OpenQuestion.objects.get().status == "answered"

    # See it in the account's feed, and mention bob there (htmx swaps the panel).
    page.goto(f"/activities/record/account/{account.pk}/")
    feed = page.get_by_test_id("feed")
    expect(feed).to_contain_text("The CFO")
    page.get_by_test_id("comment-text").fill(
        "@bob please prepare the <b>contract</b><script>alert(1)</script>"
    )
    page.get_by_test_id("comment-submit").click()
    page.get_by_text("please prepare the").wait_for()
    expect(page.locator("[data-testid=feed] b", has_text="contract")).to_have_count(1)

    # Bob gets the mention in his bell.
    sign_in(page, "bob")
    page.goto("/activities/notifications/")
    items = page.get_by_test_id("notification")
    expect(items.first).to_contain_text("mentioned you")
    page.goto("/activities/")
    expect(page.get_by_test_id("notifications")).to_contain_text("mentioned you")
