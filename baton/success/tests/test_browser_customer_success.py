"""In a real browser, the issue's customer success story: the rep wins the deal and makes its contract
from the deal page (a term that began 300 days ago, so it ends within the renewal lead time); the worker's
renewal sweep opens the renewal, which the contract page shows; a support case opened a week ago has
breached its SLA; the CSM signs in to their home page and sees the renewal and the breached case, then the
account with its health score. The sweeps and the old case are set up through the services: the worker
runs them, and the case's age is not what this test is about."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from baton.core.models import Role, User
from baton.deals import quoting
from baton.deals.tests.factories import add_lines, make_catalog
from baton.success import services
from baton.success.cases import services as cases
from baton.success.cases.models import Case, Priority
from baton.success.health import scoring
from baton.success.models import Contract, Renewal
from conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_won_deal_to_contract_renewal_and_the_csm_view(browser_page, personas, world):
    page = browser_page
    # The machine is shared with other test runs; give each navigation time to finish under load.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    alice, opp, account = personas["alice"], world["opportunity"], world["account"]
    cat = make_catalog()
    add_lines(opp, alice, cat)
    quoting.create_quote(opp, actor=alice)
    User.objects.create_user(
        username="cara", password=PASSWORD, role=Role.CUSTOMER_SUCCESS, display_name="Cara"
    )
    today = timezone.localdate()
    start = today - dt.timedelta(days=300)
    end = services.one_year_term(start)

    # The rep wins the deal and makes the contract from the deal page's contract panel.
    sign_in(page, "alice")
    page.goto(f"/deals/{opp.pk}/")
    page.get_by_test_id("move-won").click()
    page.get_by_test_id("contract-create").click()
    page.wait_for_url(f"**/success/deal/{opp.pk}/")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", end.isoformat())
    page.select_option("#id_csm", label="Cara")
    page.get_by_test_id("contract-submit").click()
    page.wait_for_url("**/success/contracts/*/")
    contract = Contract.objects.get(opportunity=opp)
    assert contract.csm.username == "cara" and contract.end_date == end

    # The worker's renewal sweep opens the renewal: the contract page lists it with its deal.
    assert services.sweep_renewals(today)["opened"] == 1
    renewal = Renewal.objects.get(contract=contract)
    page.reload()
    expect(page.get_by_test_id("contract-renewals")).to_contain_text(f"{end:%Y-%m-%d}")
    expect(page.get_by_test_id("contract-renewals").get_by_role("link")).to_have_attribute(
        "href", f"/deals/{renewal.opportunity_id}/"
    )

    # A week-old urgent case on the contract: the SLA sweep flags it breached.
    case = cases.open_case(
        actor=alice,
        account=account,
        contract=contract,
        subject="ERP 접속 불가",
        priority=Priority.URGENT,
        now=timezone.now() - dt.timedelta(days=7),
    )
    cases.sweep_sla()
    assert Case.objects.get(pk=case.pk).breached

    # The CSM signs in to a home page of their own: the renewal and the breached case.
    sign_in(page, "cara")
    home = page.get_by_test_id("csm-home")
    expect(home.get_by_test_id("csm-renewal")).to_contain_text(account.name)
    expect(home.get_by_test_id("csm-cases")).to_contain_text(case.number)
    expect(home.get_by_test_id("csm-cases")).to_contain_text("SLA breached")
    # The account's 360° page: its installed base and health score.
    page.goto(f"/accounts/{account.pk}/")
    panel = page.get_by_test_id("panel-installed-base")
    expect(panel).to_contain_text(contract.number)
    expect(panel.get_by_test_id("renewal-date")).to_contain_text(f"{end:%Y-%m-%d}")
    health = scoring.compute_health(account, today)
    expect(panel.get_by_test_id("health-score")).to_have_text(str(health.score))
    assert health.score < 100  # the open urgent case weighs on it
    # … and the breached case itself.
    page.goto(f"/success/cases/{case.pk}/")
    expect(page.get_by_test_id("case-sla")).to_contain_text("Breached")
