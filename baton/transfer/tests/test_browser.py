"""In a real browser: an administrator uploads a leads file, maps a column, reads the dry-run report,
runs the import, watches it finish and opens an imported lead whose history keeps the file's dates."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from baton.leads.models import Lead
from baton.transfer.tests.conftest import csv_bytes
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    ["Lead ID", "Name", "E-mail", "Owner", "Created"],
    ["L1", "오래된 리드", "old@lead.kr", "alice", "2024-02-03 09:15"],
    ["L2", "두번째 리드", "second@lead.kr", "nobody", "2024-02-04 10:00"],
]


def test_upload_map_dry_run_run_and_open_the_lead(browser_page, personas, tmp_path):
    page = browser_page
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes(ROWS, "cp949"))
    sign_in(page, "root")
    page.goto("/transfer/")
    form = page.get_by_test_id("upload-form")
    form.locator("select[name=kind]").select_option("lead")
    form.locator("input[name=source]").fill("oldcrm")
    form.locator("input[name=file]").set_input_files(str(path))
    page.get_by_test_id("upload").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("mapping-form")).to_be_visible()
    # "Lead ID" is not a name the guess knows: map it by hand.
    page.get_by_test_id("col-Lead ID").select_option("external_id")
    page.get_by_test_id("save-mapping").click()
    page.wait_for_load_state()
    page.get_by_test_id("dry-run").click()
    report = page.get_by_test_id("report")
    expect(report).to_contain_text("Dry run report")
    expect(page.get_by_test_id("row-2")).to_contain_text("Created")
    expect(page.get_by_test_id("row-3")).to_contain_text("nobody")
    assert not Lead.objects.exists()
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Done")
    expect(page.get_by_test_id("progress")).to_contain_text("100%")
    expect(page.get_by_test_id("error-file")).to_be_visible()
    page.get_by_test_id("row-2").get_by_role("link", name="open").click()
    expect(page.locator("h1")).to_contain_text("오래된 리드")
    history = page.get_by_test_id("stage-history")
    expect(history.locator("time").first).to_have_attribute("datetime", "2024-02-03T09:15:00+09:00")
