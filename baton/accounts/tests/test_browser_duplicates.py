"""In a real browser: a look-alike account is caught on the form, created only when confirmed; two
accounts are merged field by field and the merge is undone; phone and e-mail are links."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from baton.accounts.models import Account, Merge
from baton.accounts.services import create_account, create_contact
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("BATON_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_duplicate_warning_then_create_anyway(browser_page, personas, world):
    page = browser_page
    sign_in(page, "bob")
    page.goto("/accounts/new/")
    page.get_by_label("Company name").fill("한빛소프트 주식회사")
    page.get_by_label("Phone").fill("02 1234 5678")
    page.get_by_test_id("save-button").click()
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("(주)한빛소프트")
    expect(warning).to_contain_text("same company name")
    _shot(page, "duplicate-warning")
    assert Account.objects.count() == 1
    page.get_by_test_id("create-anyway").click()
    expect(page.locator("h1")).to_contain_text("한빛소프트 주식회사")
    expect(page.locator('a[href="tel:+82212345678"]')).to_have_text("02-1234-5678")
    assert Account.objects.count() == 2


def test_merge_side_by_side_and_undo(browser_page, personas, world):
    page = browser_page
    alice = personas["alice"]
    kept = world["account"]
    dup = create_account(actor=alice, name="한빛소프트", phone="02-555-1234")
    create_contact(actor=alice, account=dup, name="박지훈", email="jh@hanbit.co.kr", mobile="010-2222-3333")
    sign_in(page, "alice")
    page.goto(f"/accounts/{kept.pk}/merge/?other={dup.pk}")
    table = page.get_by_test_id("merge-table")
    expect(table).to_contain_text("한빛소프트")
    expect(page.get_by_test_id("take-phone")).to_be_checked()
    page.get_by_test_id("take-name").check()
    _shot(page, "merge-page")
    page.get_by_test_id("merge-submit").click()
    expect(page.get_by_test_id("merge-summary")).to_contain_text("Contacts: 1")
    kept.refresh_from_db()
    assert kept.name == "한빛소프트" and kept.phone == "+8225551234"
    _shot(page, "merge-summary")
    page.get_by_test_id("merge-undo").click()
    expect(page.get_by_test_id("merge-undone")).to_contain_text("Alice")
    kept.refresh_from_db()
    assert kept.name == "(주)한빛소프트" and Merge.objects.get().is_undone
    page.goto(f"/accounts/{dup.pk}/")
    contacts = page.get_by_test_id("panel-contacts")
    expect(contacts.locator('a[href="mailto:jh@hanbit.co.kr"]')).to_be_visible()
    expect(contacts.locator('a[href="tel:+821022223333"]')).to_have_text("010-2222-3333")
