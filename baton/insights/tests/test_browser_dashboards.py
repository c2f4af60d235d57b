"""In a real browser: a marketer's home is the marketing dashboard; a number opens the leads behind it,
which download as CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from baton.leads.models import LeadSource, LeadStatus
from baton.leads.services import create_campaign, create_lead
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marketer_drills_from_home_into_the_mqls_and_exports(browser_page, cast):
    page = browser_page
    mark, alice = cast["mark"], cast["alice"]
    seminar = create_campaign(actor=mark, name="가을 세미나")
    create_lead(actor=alice, name="김하나", company="하나상사", source=LeadSource.EVENT, campaign=seminar)
    qualified = create_lead(
        actor=alice, name="이두리", company="두리물산", source=LeadSource.EVENT, campaign=seminar
    )
    type(qualified).objects.filter(pk=qualified.pk).update(status=LeadStatus.QUALIFIED)

    sign_in(page, "mark")
    page.goto("/")
    expect(page.get_by_test_id("marketing-dashboard")).to_be_visible()
    expect(page.get_by_test_id("mkt-leads")).to_have_text("2")
    expect(page.get_by_test_id("mkt-mql")).to_have_text("1")
    page.get_by_test_id("mkt-mql").click()
    table = page.get_by_test_id("drill-table")
    expect(table).to_contain_text("이두리")
    expect(table).not_to_contain_text("김하나")
    with page.expect_download() as download:
        page.get_by_test_id("drill-csv").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "이두리" in content and "김하나" not in content
