"""Invoices from a contract's billing schedule, computed by hand: periods by billing frequency (a short
last period prorated by its days), ARR on each period's first day (an upsell included), the one-time
amount on the first invoice, VAT 10 % with won fractions cut off, the buyer's 사업자등록번호 copied,
payments, and aging buckets of what is overdue."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.core.testing import assert_audited
from baton.success import services
from baton.success.billing import services as billing
from baton.success.billing.models import Invoice
from baton.success.services import LineSpec

pytestmark = pytest.mark.django_db
D = dt.date


def _contract(alice, account, *, start, end, billing_frequency, seats=10, one_time=Decimal(0), price=120_000):
    lines = [LineSpec("erp-seat", "ERP 사용자", Decimal(seats), Decimal(price), True)]
    if one_time:
        lines.append(LineSpec("svc-impl", "구축", Decimal(1), one_time, False))
    return services.create_contract(
        actor=alice,
        account=account,
        name="ERP 구독",
        number=f"C-B{start:%m%d}{billing_frequency[:1]}",
        start_date=start,
        end_date=end,
        billing_frequency=billing_frequency,
        lines=lines,
    )


def test_quarterly_schedule_with_an_upsell_and_aging(world, alice, charlie):
    c = _contract(
        alice,
        world["account"],
        start=D(2026, 1, 1),
        end=D(2026, 12, 31),
        billing_frequency="quarterly",
        one_time=Decimal(500_000),
    )
    # From 1 April 15 seats: ARR 1,800,000.
    services.amend(
        c,
        actor=alice,
        kind="upsell",
        effective_date=D(2026, 4, 1),
        line=c.lines.get(product_code="erp-seat"),
        quantity=15,
    )
    with pytest.raises(PermissionDenied):
        billing.schedule_invoices(c, actor=charlie)
    invoices = billing.schedule_invoices(c, actor=alice)
    assert billing.schedule_invoices(c, actor=alice) == []  # once per period
    rows = [
        (
            i.period_start,
            i.period_end,
            i.recurring_amount,
            i.one_time_amount,
            i.supply_amount,
            i.vat_amount,
            i.total_amount,
            i.due_date,
        )
        for i in invoices
    ]
    assert rows == [
        # Q1: 1,200,000 × 3/12 = 300,000 + 500,000 one-time = 800,000; VAT 80,000; due 30 days later.
        (D(2026, 1, 1), D(2026, 3, 31), 300_000, 500_000, 800_000, 80_000, 880_000, D(2026, 1, 31)),
        # Q2-Q4: 1,800,000 × 3/12 = 450,000; VAT 45,000.
        (D(2026, 4, 1), D(2026, 6, 30), 450_000, 0, 450_000, 45_000, 495_000, D(2026, 5, 1)),
        (D(2026, 7, 1), D(2026, 9, 30), 450_000, 0, 450_000, 45_000, 495_000, D(2026, 7, 31)),
        (D(2026, 10, 1), D(2026, 12, 31), 450_000, 0, 450_000, 45_000, 495_000, D(2026, 10, 31)),
    ]
    assert {i.buyer_brn for i in invoices} == {world["account"].brn} and world["account"].brn
    assert invoices[0].tax_invoice_date == D(2026, 1, 1)
    assert_audited(invoices[0], "create", actor=alice)

    q1 = invoices[0]
    with pytest.raises(ValidationError):
        billing.record_payment(q1, actor=alice, amount="900000", paid_on=D(2026, 2, 10))
    billing.record_payment(q1, actor=alice, amount="380000", paid_on=D(2026, 2, 10))
    q1.refresh_from_db()
    assert (q1.paid_amount, q1.status, q1.outstanding) == (380_000, "open", 500_000)
    # On 15 June: Q1 due 31 Jan is 135 days late (90+), Q2 due 1 May 45 days (31-60), Q3 and Q4 current.
    aging = billing.aging(Invoice.objects.filter(contract=c), D(2026, 6, 15))
    assert aging.totals == {
        "current": Decimal(990_000),
        "1-30": 0,
        "31-60": Decimal(495_000),
        "61-90": 0,
        "90+": Decimal(500_000),
    }
    assert aging.overdue_total == 995_000
    assert [(i.pk, bucket, days) for i, bucket, days in aging.overdue] == [
        (q1.pk, "90+", 135),
        (invoices[1].pk, "31-60", 45),
    ]
    billing.record_payment(q1, actor=alice, amount="500000", paid_on=D(2026, 6, 16))
    q1.refresh_from_db()
    assert q1.status == "paid"
    assert_audited(q1, "payment", actor=alice, status="paid")


def test_monthly_vat_cut_off_and_a_short_last_period(world, alice):
    # ARR 1,000,003 a year: a month is 83,333.58 → 83,334 won; VAT 8,333.4 → 8,333 (cut off).
    c = _contract(
        alice,
        world["account"],
        start=D(2026, 1, 1),
        end=D(2026, 1, 31),
        billing_frequency="monthly",
        seats=1,
        price=1_000_003,
    )
    (only,) = billing.schedule_invoices(c, actor=alice, payment_terms_days=14)
    assert (only.supply_amount, only.vat_amount, only.total_amount, only.due_date) == (
        83_334,
        8_333,
        91_667,
        D(2026, 1, 15),
    )
    # 15 Jan - 31 Mar, monthly, ARR 1,200,000: two full months of 100,000; 15-31 Mar is 17 of the 31
    # days of 15 Mar - 14 Apr: 100,000 × 17/31 = 54,838.7 → 54,839.
    c2 = _contract(
        alice, world["account"], start=D(2026, 1, 15), end=D(2026, 3, 31), billing_frequency="monthly"
    )
    amounts = [
        (i.period_start, i.period_end, i.supply_amount) for i in billing.schedule_invoices(c2, actor=alice)
    ]
    assert amounts == [
        (D(2026, 1, 15), D(2026, 2, 14), 100_000),
        (D(2026, 2, 15), D(2026, 3, 14), 100_000),
        (D(2026, 3, 15), D(2026, 3, 31), 54_839),
    ]
    # Up front: one invoice for the whole two-year term: 1,200,000 × 24/12 = 2,400,000.
    c3 = _contract(
        alice, world["account"], start=D(2026, 1, 1), end=D(2027, 12, 31), billing_frequency="upfront"
    )
    (upfront,) = billing.schedule_invoices(c3, actor=alice)
    assert (upfront.supply_amount, upfront.vat_amount) == (2_400_000, 240_000)
