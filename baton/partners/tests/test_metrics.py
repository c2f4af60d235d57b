"""Channel figures, checked against numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from baton.deals.models import Stage
from baton.deals.services import move_opportunity
from baton.partners import metrics, services
from baton.partners.models import Partner, PartnerKind, Registration, Tier

pytestmark = pytest.mark.django_db


def _register(user, customer, amount):
    return services.submit_registration(
        actor=user,
        customer=customer,
        contact_name="담당자",
        product_interest="ERP",
        amount=amount,
        close_date=timezone.localdate() + dt.timedelta(days=30),
        evidence="워크숍",
    )


def test_sourced_influenced_won_and_approval_figures(channel, world):
    paul, pat, alice = channel["paul"], channel["pat"], channel["alice"]
    nuri = channel["nuri"]
    first = _register(paul, "가온바이오", "80000000")
    second = _register(paul, "바른유통", "30000000")
    # submitted three days ago: approving it now takes 3.0 days
    Registration.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    first = services.approve_registration(first, actor=pat, owner=alice)
    services.reject_registration(second, actor=pat, reason="직판 진행 중")
    _register(paul, "세움정밀", "10000000")  # still waiting: counted, not decided
    # nuri also influenced alice's own deal (120,000,000)
    services.link_partner(world["opportunity"], nuri, actor=alice, role=PartnerKind.SI, influenced=True)

    perf = metrics.performance(nuri)
    assert perf.sourced_pipeline == Decimal("80000000")
    assert perf.sourced_won == 0
    assert perf.influenced_pipeline == Decimal("120000000")
    assert (perf.registrations, perf.approved, perf.rejected, perf.approval_rate) == (3, 1, 1, 50)
    assert perf.days_to_approve == Decimal("3.0")

    won = Stage.objects.filter(pipeline=first.opportunity.pipeline, outcome=Stage.Outcome.WON).first()
    deal = first.opportunity
    move_opportunity(deal, actor=alice, stage=won, expected_version=deal.version)
    perf = metrics.performance(nuri)
    assert (perf.sourced_pipeline, perf.sourced_won) == (0, Decimal("80000000"))
    # per tier: only the silver partner has figures; gold's (daon) are empty
    assert metrics.performance(Partner.objects.filter(tier=Tier.SILVER)).sourced_won == Decimal("80000000")
    assert metrics.performance(Partner.objects.filter(tier=Tier.GOLD)).registrations == 0
    # a period before anything happened counts nothing
    assert metrics.performance(nuri, until=timezone.now() - dt.timedelta(days=10)).registrations == 0
