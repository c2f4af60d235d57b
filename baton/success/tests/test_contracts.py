"""Contracts from a won deal's primary quote, amendments as dated rows, MRR reconstructed at past dates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.core.models import ChangeLog
from baton.core.services import ServiceError
from baton.core.testing import audit_rows
from baton.success import revenue, services
from baton.success.models import Contract, ContractChange, ContractLine
from baton.success.services import LineSpec

pytestmark = pytest.mark.django_db

D = dt.date


def test_contract_from_won_deal_keeps_one_time_apart(won_deal, alice, cat):
    contract = services.create_contract_from_opportunity(
        won_deal, actor=alice, start_date=D(2026, 1, 1), recurring_codes={"erp-seat"}
    )
    # Seats are recurring: 7 × 99,999 = 699,993 a year; the core licence is one-time: 10,000,000.
    assert contract.arr == Decimal("699993.00")
    assert contract.mrr == Decimal("58332.75")  # 699,993 / 12 = 58,332.75
    assert contract.one_time_total == Decimal("10000000.00")
    assert contract.end_date == D(2026, 12, 31)
    assert contract.owner == alice and contract.number == f"C-{won_deal.pk:06d}"
    lines = {line.product_code: line for line in contract.lines.all()}
    assert lines["erp-seat"].is_recurring and not lines["erp-core"].is_recurring
    assert lines["erp-seat"].family == cat["families"]["erp"]
    start_rows = ContractChange.objects.filter(contract=contract, kind="start")
    assert [(r.line.product_code, r.arr_delta) for r in start_rows] == [("erp-seat", Decimal("699993.00"))]
    assert audit_rows(contract, ChangeLog.Action.CREATE).count() == 1
    with pytest.raises(ServiceError):
        services.create_contract_from_opportunity(won_deal, actor=alice)
    assert Contract.objects.count() == 1


def test_only_a_won_deal_with_a_primary_quote_and_only_by_its_people(world, alice, charlie, cat):
    opp = world["opportunity"]
    with pytest.raises(ServiceError):
        services.create_contract_from_opportunity(opp, actor=alice)
    with pytest.raises(PermissionDenied):
        services.create_contract_from_opportunity(opp, actor=charlie)
    assert not Contract.objects.exists()


def _contract(alice, account, cat, *, start, end, seats, price, number="C-T1"):
    return services.create_contract(
        actor=alice,
        account=account,
        name="ERP 구독",
        number=number,
        start_date=start,
        end_date=end,
        lines=[LineSpec("erp-seat", "ERP 사용자", Decimal(seats), Decimal(price), True, cat["seat"])],
    )


def test_amendments_are_dated_rows_and_mrr_is_reconstructed_at_past_dates(world, alice, cat):
    c = _contract(
        alice, world["account"], cat, start=D(2026, 1, 1), end=D(2026, 12, 31), seats=10, price=120_000
    )
    seat = c.lines.get()
    # 10 seats × 120,000 a year = ARR 1,200,000 → MRR 100,000 from 1 January.
    services.amend(c, actor=alice, kind="upsell", effective_date=D(2026, 3, 1), line=seat, quantity=15)
    # +5 seats × 120,000 = +600,000 from 1 March → ARR 1,800,000, MRR 150,000.
    services.amend(c, actor=alice, kind="price", effective_date=D(2026, 6, 1), line=seat, unit_price=100_000)
    # 15 × (100,000 − 120,000) = −300,000 from 1 June → ARR 1,500,000, MRR 125,000.
    services.amend(
        c,
        actor=alice,
        kind="upsell",
        effective_date=D(2026, 7, 1),
        product=cat["cloud"],
        quantity=2,
        unit_price=60_000,
    )
    # a new product: 2 × 60,000 = +120,000 from 1 July → ARR 1,620,000, MRR 135,000.
    services.amend(c, actor=alice, kind="downsell", effective_date=D(2026, 9, 1), line=seat, quantity=12)
    # −3 seats × 100,000 = −300,000 from 1 September → ARR 1,320,000, MRR 110,000.
    c.refresh_from_db()
    seat.refresh_from_db()
    assert (seat.quantity, seat.unit_price) == (Decimal(12), Decimal(100_000))  # the latest state
    assert c.arr == Decimal(1_320_000)
    expected_mrr = {
        D(2025, 12, 31): 0,  # before the term
        D(2026, 1, 1): 100_000,
        D(2026, 2, 28): 100_000,
        D(2026, 3, 1): 150_000,
        D(2026, 5, 31): 150_000,
        D(2026, 6, 1): 125_000,
        D(2026, 7, 1): 135_000,
        D(2026, 8, 31): 135_000,
        D(2026, 9, 1): 110_000,
        D(2026, 12, 31): 110_000,
        D(2027, 1, 1): 0,  # after the term (no renewal)
    }
    for day, mrr in expected_mrr.items():
        assert revenue.mrr_on(Contract.objects.filter(pk=c.pk), day) == Decimal(mrr), day
        assert revenue.monthly(revenue.contract_arr_on(c, day)) == Decimal(mrr), day
    kinds = list(ContractChange.objects.filter(contract=c).values_list("kind", flat=True))
    assert kinds == ["start", "upsell", "price", "upsell", "downsell"]
    assert audit_rows(c, ChangeLog.Action.UPDATE).filter(note="").count() >= 4


def test_bad_amendments_are_refused_and_leave_nothing(world, alice, charlie, cat):
    c = _contract(
        alice, world["account"], cat, start=D(2026, 1, 1), end=D(2026, 12, 31), seats=10, price=120_000
    )
    seat = c.lines.get()
    services.amend(c, actor=alice, kind="upsell", effective_date=D(2026, 5, 1), line=seat, quantity=12)
    before = ContractChange.objects.count()
    cases = [
        dict(kind="upsell", effective_date=D(2026, 6, 1), line=seat, quantity=11),  # not up
        dict(kind="downsell", effective_date=D(2026, 6, 1), line=seat, quantity=13),  # not down
        dict(kind="upsell", effective_date=D(2026, 4, 1), line=seat, quantity=20),  # before a later change
        dict(kind="upsell", effective_date=D(2027, 1, 5), line=seat, quantity=20),  # outside the term
        dict(kind="price", effective_date=D(2026, 6, 1), line=seat, unit_price="abc"),
        dict(kind="cancel", effective_date=D(2026, 6, 1), line=seat, quantity=1),
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            services.amend(c, actor=alice, **case)
    with pytest.raises(PermissionDenied):
        services.amend(c, actor=charlie, kind="upsell", effective_date=D(2026, 6, 1), line=seat, quantity=20)
    assert ContractChange.objects.count() == before
    seat.refresh_from_db()
    assert seat.quantity == 12


def test_early_termination(world, alice, cat):
    c = _contract(
        alice, world["account"], cat, start=D(2026, 1, 1), end=D(2026, 12, 31), seats=10, price=120_000
    )
    with pytest.raises(ValidationError):
        services.terminate(c, actor=alice, effective_date=D(2026, 7, 1), reason="")
    services.terminate(c, actor=alice, effective_date=D(2026, 7, 1), reason="예산 삭감")
    c.refresh_from_db()
    assert c.status == Contract.Status.TERMINATED and c.end_date == D(2026, 6, 30) and c.arr == 0
    assert revenue.contract_arr_on(c, D(2026, 6, 30)) == Decimal(1_200_000)
    assert revenue.contract_arr_on(c, D(2026, 7, 1)) == 0
    # The termination is a row (−1,200,000 on the line) plus the term change; nothing was overwritten.
    rows = ContractChange.objects.filter(contract=c, kind="termination").order_by("id")
    assert [r.arr_delta for r in rows] == [Decimal(-1_200_000), Decimal(0)]
    assert rows[1].end_date_before == D(2026, 12, 31) and rows[1].end_date_after == D(2026, 6, 30)
    with pytest.raises(ServiceError):
        services.amend(
            c,
            actor=alice,
            kind="upsell",
            effective_date=D(2026, 6, 1),
            line=ContractLine.objects.get(),
            quantity=20,
        )
