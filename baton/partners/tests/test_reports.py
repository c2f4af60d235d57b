"""Channel reports against figures worked out by hand: win rate and cycle with vs without a partner,
and delivery quality per SI partner; the page, its CSVs and who may read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

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
