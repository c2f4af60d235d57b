"""Channel reports against figures worked out by hand: win rate and cycle with vs without a partner,
and delivery quality per SI partner; the page, its CSVs and who may read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity
from baton.delivery.models import DeliveryProject, HandoffPackage
from baton.partners import reports, services
from baton.partners.models import PartnerKind

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def closed(owner, account, name, outcome, days, partner=None, role=PartnerKind.SI):
    """A deal created at T0 and closed ``days`` later with ``outcome`` (fixture rows: stage and dates)."""
    deal = create_opportunity(actor=owner, owner=owner, account=account, name=name, amount=1_000_000)
    stage = Stage.objects.filter(pipeline=deal.pipeline, outcome=outcome).first()
    Opportunity.objects.filter(pk=deal.pk).update(
        stage=stage, created_at=T0, closed_at=T0 + dt.timedelta(days=days)
    )
    if partner is not None:
        services.link_partner(deal, partner, actor=None, role=role, influenced=True)
    return Opportunity.objects.get(pk=deal.pk)


def test_win_rate_cycle_and_delivery_quality_by_hand(client, channel, world):
    alice, mina, nuri, daon = channel["alice"], channel["mina"], channel["nuri"], channel["daon"]
    account = world["account"]
    won, lost = Stage.Outcome.WON, Stage.Outcome.LOST
    a = closed(alice, account, "A", won, 30, nuri)
    b = closed(alice, account, "B", won, 45, nuri)
    closed(alice, account, "C", lost, 10, daon)
    closed(alice, account, "D", won, 60)
    for name in ("E", "F", "G"):
        closed(alice, account, name, lost, 5)
    # with a partner: 2 won, 1 lost → 67 %; cycle (30 + 45) / 2 = 37.5 days
    # without: 1 won, 3 lost → 25 %; cycle 60.0 days (world's open deal is not closed: not counted)
    split = reports.with_and_without(mina)
    assert (split["with"].won, split["with"].lost, split["with"].win_rate) == (2, 1, 67)
    assert split["with"].cycle_days == Decimal("37.5")
    assert (split["without"].won, split["without"].lost, split["without"].win_rate) == (1, 3, 25)
    assert split["without"].cycle_days == Decimal("60.0")
    # a period that ends before the deals closed counts nothing
    early = reports.with_and_without(mina, until=dt.date(2026, 3, 5))
    assert early["with"].won == 0 and early["without"].lost == 0
    # charlie sees none of alice's deals: nothing
    assert reports.with_and_without(channel["charlie"])["with"].won == 0

    # delivery: A accepted first time (project done), B accepted after two send-backs (project active)
    for deal, backs, status in ((a, 0, DeliveryProject.Status.DONE), (b, 2, DeliveryProject.Status.ACTIVE)):
        package = HandoffPackage.objects.create(
            opportunity=deal, status=HandoffPackage.Status.ACCEPTED, send_backs=backs, submissions=backs + 1
        )
        DeliveryProject.objects.create(
            name=deal.name, account=account, opportunity=deal, package=package, pm=alice, status=status
        )
    rows = {row.partner.pk: row for row in reports.delivery_quality(mina)}
    n = rows[nuri.pk]
    assert (n.deals, n.handoffs, n.first_time_right, n.first_time_right_rate) == (2, 2, 1, 50)
    assert (n.send_backs, n.projects, n.projects_done) == (2, 2, 1)
    d = rows[daon.pk]
    assert (d.deals, d.handoffs, d.first_time_right_rate, d.projects) == (1, 0, None, 0)

    client.force_login(mina)
    page = client.get("/partners/reports/").content.decode()
    assert "37.5" in page and "60.0" in page and "누리시스템" in page
    win_csv = client.get("/partners/reports/?csv=win").content.decode("utf-8-sig").splitlines()
    assert win_csv[1].split(",")[1:] == ["2", "1", "67", "37.5"]
    assert win_csv[2].split(",")[1:] == ["1", "3", "25", "60.0"]
    delivery_csv = client.get("/partners/reports/?csv=delivery").content.decode("utf-8-sig")
    assert "누리시스템 주식회사,2,2,1,50,2,2,1" in delivery_csv
    # a bad date is a note, not a 500
    assert client.get("/partners/reports/?since=2026-13-01").status_code == 200
    for user in (alice, channel["paul"]):
        client.force_login(user)
        assert client.get("/partners/reports/").status_code == 403


def test_delivery_quality_counts_cases_after_go_live_and_renewals_by_hand(client, channel, world):
    """Cases opened on a delivered customer within the window from go-live (the start of the contract
    made from the deal) and the customer's renewals decided since, summed per SI partner with each case
    and renewal counted once, as worked out by hand below; asked of the success app through
    ``core.providers`` (partners may not import it)."""
    from baton.accounts.services import create_account
    from baton.core.providers import customer_outcomes
    from baton.success.cases.services import open_case
    from baton.success.models import Renewal
    from baton.success.services.contracts import LineSpec, create_contract

    alice, mina, nuri, daon = channel["alice"], channel["mina"], channel["nuri"], channel["daon"]
    x = world["account"]
    y = create_account(actor=alice, owner=alice, name="와이상사")
    z = create_account(actor=alice, owner=alice, name="제트물산")
    won = Stage.Outcome.WON
    a = closed(alice, x, "A", won, 30, nuri)
    b = closed(alice, y, "B", won, 30, nuri)
    b2 = closed(alice, y, "B2", won, 30, nuri)
    closed(alice, z, "C", won, 30, daon)  # no contract: not live, its cases do not count
    closed(alice, x, "R", won, 30, nuri, role=PartnerKind.RESELLER)  # not a delivery partner

    def contract(account, number, start, end=None, deal=None):
        line = LineSpec("erp-seat", "ERP 사용자", Decimal(10), Decimal(120_000), True)
        return create_contract(
            actor=alice,
            account=account,
            name=number,
            number=number,
            start_date=start,
            end_date=end,
            lines=[line],
            owner=alice,
            opportunity=deal,
        )

    contract_a = contract(x, "C-A", dt.date(2026, 1, 1), deal=a)
    contract_b = contract(y, "C-B", dt.date(2026, 3, 1), deal=b)
    contract(y, "C-B2", dt.date(2026, 3, 15), deal=b2)
    old = contract(x, "C-OLD", dt.date(2024, 7, 1), dt.date(2025, 6, 30))

    def case(account, day, hour=10):
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        return open_case(actor=alice, account=account, subject=f"문의 {day}", now=at)

    # X went live 2026-01-01. Days 0 and 29 fall in a 30-day window; day 30 and the day before do not.
    for day in (dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 30), dt.date(2026, 1, 31)):
        case(x, day)
    # Y: B live 03-01 (window to 03-30), B2 live 03-15 (to 04-13). 03-10 is B's, 03-20 both deals'
    # (counted once), 04-10 B2's: three cases.
    for day in (dt.date(2026, 3, 10), dt.date(2026, 3, 20), dt.date(2026, 4, 10)):
        case(y, day)
    case(z, dt.date(2026, 3, 10))
    # Renewals: X's term ending 2026-12-31 renewed (won), Y's churned (lost), an open one, and X's old
    # contract renewed before X went live (not counted).
    Renewal.objects.create(contract=contract_a, term_end=dt.date(2026, 12, 31), outcome="renewed")
    Renewal.objects.create(contract=contract_b, term_end=dt.date(2027, 2, 28), outcome="churned")
    Renewal.objects.create(contract=contract_b, term_end=dt.date(2028, 2, 29), outcome="open")
    Renewal.objects.create(contract=old, term_end=dt.date(2025, 6, 30), outcome="renewed")

    rows = {row.partner.pk: row for row in reports.delivery_quality(mina, window_days=30)}
    n, d = rows[nuri.pk], rows[daon.pk]
    # nuri: deals A, B, B2 live; cases 2 (X) + 3 (Y) = 5 (per deal it would be 2 + 2 + 2 = 6)
    assert (n.deals, n.live, n.cases, n.renewals_won, n.renewals_lost) == (3, 3, 5, 1, 1)
    assert (d.deals, d.live, d.cases, d.renewals_won, d.renewals_lost) == (1, 0, 0, 0, 0)
    # a 90-day window also takes X's case of day 30: 6
    assert {r.partner.pk: r.cases for r in reports.delivery_quality(mina, window_days=90)}[nuri.pk] == 6
    # charlie sees none of these deals: no rows
    assert reports.delivery_quality(channel["charlie"]) == []

    client.force_login(mina)
    page = client.get("/partners/reports/?days=30").content.decode()
    assert 'data-testid="delivery-cases">5<' in page
    csv = client.get("/partners/reports/?csv=delivery&days=30").content.decode("utf-8-sig").splitlines()
    assert csv[0].endswith("Live customers,Cases within 30 days of go-live,Renewals won,Renewals lost")
    assert "누리시스템 주식회사,3,0,0,,0,0,0,3,5,1,1" in csv
    assert client.get("/partners/reports/?days=0").status_code == 200  # out of range: a note, the default

    # The deal page's partner suggestion weighs the same outcomes (default 90-day window), as mina sees
    # them. Nuri covers the customer's industry (+20) and region (+15) = 35 points before outcomes; then
    # 1 renewal won (+10), 1 lost (-10) and 6 early cases (-5 each, capped at -20): 35 + 10 - 10 - 20 = 15.
    from baton.accounts.models import Account
    from baton.core.choices import Industry, Region
    from baton.partners.models import Partner
    from baton.partners.suggest import suggest_partners

    deal = create_opportunity(actor=alice, owner=alice, account=z, name="New", amount=1_000_000)
    Account.objects.filter(pk=z.pk).update(industry=Industry.values[1], region=Region.values[1])
    Partner.objects.filter(pk=nuri.pk).update(industries=[Industry.values[1]], regions=[Region.values[1]])
    deal.account.refresh_from_db()
    ranked = {s.partner.pk: s for s in suggest_partners(deal, user=mina)}
    assert ranked[nuri.pk].score == 15
    assert "6 support cases within 90 days of go-live" in ranked[nuri.pk].reasons
    assert "1 renewals won at customers they delivered to" in ranked[nuri.pk].reasons
    assert {s.partner.pk: s.score for s in suggest_partners(deal)}[nuri.pk] == 35  # no reader: no outcomes
    # charlie sees none of nuri's delivered deals: nothing is taken off
    assert {s.partner.pk: s.score for s in suggest_partners(deal, user=channel["charlie"])}[nuri.pk] == 35

    # without the success app's answer the figures are not known (shown as –), not zero
    customer_outcomes.withdraw()
    try:
        unknown = {r.partner.pk: r for r in reports.delivery_quality(mina)}[nuri.pk]
        assert (unknown.live, unknown.cases, unknown.renewals_won) == (None, None, None)
        assert client.get("/partners/reports/").status_code == 200
    finally:
        from baton.success.outcomes import delivered_outcomes

        customer_outcomes.provide(delivered_outcomes)
