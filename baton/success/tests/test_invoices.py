"""Invoice pages, API and collections, with numbers computed by hand.

Two accounts of alice's on 15 June 2026 (the frozen today):
- 한빛 (quarterly, ARR 1,200,000): each quarter 300,000 + VAT 30,000 = 330,000, due 30 days after the
  period's first day. Q1 (due 31 Jan, 135 days late: 90+) paid 100,000 → 230,000 owed; Q2 (due 1 May,
  45 days: 31-60) credited 30,000 → 300,000; Q3 dated 1 July is not owed yet; Q4 voided.
- 다온 (monthly from 1 March, ARR 1,200,000): each month 100,000 + 10,000 = 110,000. March (due 31 Mar,
  76 days: 61-90), April (due 1 May: 31-60), May (due 31 May, 15 days: 1-30), June (due 1 July: current).
Totals: current 110,000; 1-30 110,000; 31-60 410,000; 61-90 110,000; 90+ 230,000; overdue 860,000.
DSO = outstanding ÷ invoiced (합계) in the 90 days to 15 June (17 Mar - 15 Jun) × 90:
한빛 530,000 ÷ 330,000 (Q2) × 90 = 144.5 → 145; 다온 440,000 ÷ 330,000 (Apr, May, Jun) × 90 = 120.
A contract of charlie's (another team) owes too but is not alice's to see."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.accounts.services import create_account
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.success import services
from baton.success.billing import queries
from baton.success.billing import services as billing
from baton.success.billing.models import Invoice
from baton.success.services import LineSpec

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 15)


def _contract(actor, account, number, start, end, frequency):
    return services.create_contract(
        actor=actor,
        account=account,
        name="ERP 구독",
        number=number,
        start_date=start,
        end_date=end,
        billing_frequency=frequency,
        lines=[LineSpec("erp-seat", "ERP 사용자", Decimal(10), Decimal(120_000), True)],
    )


@pytest.fixture
def books(world, alice, charlie):
    hanbit = _contract(alice, world["account"], "C-HB", D(2026, 1, 1), D(2026, 12, 31), "quarterly")
    q1, q2, q3, q4 = billing.schedule_invoices(hanbit, actor=alice)
    billing.record_payment(q1, actor=alice, amount="100000", paid_on=D(2026, 2, 20))
    billing.credit_invoice(q2, actor=alice, amount="30000", reason="장애 보상", issued_on=D(2026, 5, 2))
    billing.void_invoice(q4, actor=alice, reason="중복 발행")
    daon = create_account(actor=alice, name="다온테크", brn="120-81-47521")
    monthly = _contract(alice, daon, "C-DO", D(2026, 3, 1), D(2027, 2, 28), "monthly")
    billing.schedule_invoices(monthly, actor=alice)
    theirs = create_account(actor=charlie, name="찰리상사")
    billing.schedule_invoices(
        _contract(charlie, theirs, "C-CH", D(2026, 1, 1), D(2026, 12, 31), "annual"), actor=charlie
    )
    return {"hanbit": hanbit, "daon": daon, "q1": q1, "q2": q2, "q3": q3, "q4": q4, "monthly": monthly}


def test_collections_by_bucket_and_dso(books, world, alice, charlie):
    result = queries.collections(alice, TODAY)
    assert [(r.account.name, r.follow_up, r.dso) for r in result.rows] == [
        ("(주)한빛소프트", alice, 145),
        ("다온테크", alice, 120),
    ]
    hanbit, daon = result.rows
    assert hanbit.totals == {"current": 0, "1-30": 0, "31-60": 300_000, "61-90": 0, "90+": 230_000}
    assert daon.totals == {"current": 110_000, "1-30": 110_000, "31-60": 110_000, "61-90": 110_000, "90+": 0}
    assert result.totals == {
        "current": 110_000,
        "1-30": 110_000,
        "31-60": 410_000,
        "61-90": 110_000,
        "90+": 230_000,
    }
    assert (result.overdue, result.outstanding) == (860_000, 970_000)
    # Charlie sees only his own: 1,200,000 + 120,000 VAT, due 31 Jan (135 days late).
    (only,) = queries.collections(charlie, TODAY).rows
    assert (only.account.name, only.totals["90+"], only.dso) == ("찰리상사", 1_320_000, None)
    # Drill-down: the bucket filter lists exactly the invoices behind a cell.
    behind = queries.filtered_invoices(alice, {"bucket": "31-60", "account": world["account"].pk}, TODAY)
    assert list(behind) == [books["q2"]]
    overdue = queries.filtered_invoices(alice, {"bucket": "overdue"}, TODAY)
    assert sum(i.outstanding for i in overdue) == 860_000


def test_draft_issue_credit_void_rules(world, alice, charlie):
    c = _contract(alice, world["account"], "C-DR", D(2026, 1, 1), D(2026, 12, 31), "annual")
    (draft,) = billing.schedule_invoices(c, actor=alice, draft=True, payment_terms_days=14)
    assert (draft.status, draft.issued_at) == ("draft", None)
    with pytest.raises(ValidationError):  # a draft takes no money
        billing.record_payment(draft, actor=alice, amount="1000", paid_on=D(2026, 1, 5))
    with pytest.raises(PermissionDenied):
        billing.issue_invoice(draft, actor=charlie, issue_date=D(2026, 1, 10))
    issued = billing.issue_invoice(draft, actor=alice, issue_date=D(2026, 1, 10))
    assert (issued.status, issued.tax_invoice_date, issued.due_date, issued.buyer_brn) == (
        "open",
        D(2026, 1, 10),
        D(2026, 1, 24),
        "220-81-62517",
    )
    assert_audited(issued, "issue", actor=alice, status="open")
    with pytest.raises(ValidationError):
        billing.issue_invoice(issued, actor=alice, issue_date=D(2026, 1, 11))
    # 1,320,000 owed: 1,000,000 paid, then more credit than the 320,000 left is refused.
    billing.record_payment(issued, actor=alice, amount="1000000", paid_on=D(2026, 1, 20))
    with pytest.raises(ValidationError):
        billing.void_invoice(issued, actor=alice, reason="취소")  # money was received
    with pytest.raises(ValidationError):
        billing.credit_invoice(issued, actor=alice, amount="320001", reason="할인", issued_on=D(2026, 1, 21))
    with pytest.raises(ValidationError):
        billing.credit_invoice(issued, actor=alice, amount="1000", reason=" ", issued_on=D(2026, 1, 21))
    billing.credit_invoice(issued, actor=alice, amount="320000", reason="할인", issued_on=D(2026, 1, 21))
    issued.refresh_from_db()
    assert (issued.status, issued.outstanding, issued.credited_amount) == ("paid", 0, 320_000)
    assert_audited(issued, "credit", actor=alice, status="paid")


def test_a_draft_without_the_buyers_brn_is_not_issued(alice):
    account = create_account(actor=alice, name="번호없음")
    c = _contract(alice, account, "C-NB", D(2026, 1, 1), D(2026, 12, 31), "annual")
    (draft,) = billing.schedule_invoices(c, actor=alice, draft=True)
    with pytest.raises(ValidationError):
        billing.issue_invoice(draft, actor=alice, issue_date=D(2026, 1, 2))
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_pages(client, books, alice, charlie, monkeypatch):
    monkeypatch.setattr(queries, "today", lambda: TODAY)
    client.force_login(alice)
    page = client.get("/success/collections/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "다온테크" in body and "찰리상사" not in body
    assert [r.account.name for r, _cells in page.context["rows"]] == ["(주)한빛소프트", "다온테크"]
    csv = client.get("/success/collections/?format=csv").content.decode("utf-8-sig").splitlines()
    assert csv[1].split(",")[3:] == [
        "0",
        "0",
        "300000.00",
        "0",
        "230000.00",
        "530000.00",
        "530000.00",
        "145",
        "",
    ]
    assert client.get("/success/collections/?format=xls").status_code == 400
    listing = client.get(f"/success/invoices/?bucket=90%2B&account={books['hanbit'].account_id}")
    assert [i for i, _b in listing.context["rows"]] == [books["q1"]]
    assert client.get("/success/invoices/?bucket=nope").status_code == 400
    q1 = books["q1"]
    assert client.get(f"/success/invoices/{q1.pk}/").status_code == 200
    client.force_login(charlie)
    assert client.get(f"/success/invoices/{q1.pk}/").status_code == 404
    assert (
        client.post(
            f"/success/invoices/{q1.pk}/payment/", {"amount": "1", "paid_on": "2026-06-15"}
        ).status_code
        == 404
    )
    client.force_login(alice)
    # Too much: a field error, nothing saved.
    bad = client.post(f"/success/invoices/{q1.pk}/payment/", {"amount": "230001", "paid_on": "2026-06-15"})
    assert bad.status_code == 400 and bad.context["payment_form"].errors["amount"]
    q1.refresh_from_db()
    assert q1.paid_amount == 100_000
    ok = client.post(
        f"/success/invoices/{q1.pk}/payment/",
        {"amount": "230000", "paid_on": "2026-06-15", "reference": "입금"},
    )
    assert ok.status_code == 302
    q1.refresh_from_db()
    assert (q1.status, q1.paid_amount) == ("paid", 330_000)
    # From the contract page: drafts for the periods without an invoice, then issued one by one.
    c = _contract(alice, books["daon"], "C-NEW", D(2026, 7, 1), D(2026, 12, 31), "quarterly")
    assert 'data-testid="schedule-form"' in client.get(f"/success/contracts/{c.pk}/").content.decode()
    assert (
        client.post(f"/success/contracts/{c.pk}/invoices/", {"payment_terms_days": "400"}).status_code == 302
    )
    assert not Invoice.objects.filter(contract=c).exists()
    client.post(f"/success/contracts/{c.pk}/invoices/", {"payment_terms_days": "20"})
    drafts = list(Invoice.objects.filter(contract=c).order_by("period_start"))
    assert [(d.status, d.total_amount) for d in drafts] == [("draft", 330_000), ("draft", 330_000)]
    issued = client.post(f"/success/invoices/{drafts[0].pk}/issue/", {"issue_date": "2026-07-01"})
    assert issued.status_code == 302
    drafts[0].refresh_from_db()
    assert (drafts[0].status, drafts[0].due_date) == ("open", D(2026, 7, 21))
    void = client.post(f"/success/invoices/{drafts[1].pk}/void/", {"reason": ""})
    assert void.status_code == 400
    client.post(f"/success/invoices/{drafts[1].pk}/void/", {"reason": "계약 변경"})
    drafts[1].refresh_from_db()
    assert (drafts[1].status, drafts[1].void_reason) == ("void", "계약 변경")
    assert_audited(drafts[1], "void", actor=alice, status="void")


def test_api(books, alice, charlie, monkeypatch):
    monkeypatch.setattr(queries, "today", lambda: TODAY)
    api = ApiClient(alice)
    got = api.get("/success/collections").json()
    assert [
        (a["account"]["name"], Decimal(a["days_90_plus"]), Decimal(a["overdue"]), a["dso"])
        for a in got["accounts"]
    ] == [
        ("(주)한빛소프트", 230_000, 530_000, 145),
        ("다온테크", 0, 330_000, 120),
    ]
    assert Decimal(got["overdue"]) == 860_000
    listed = api.get("/success/invoices", {"bucket": "overdue"}).json()
    assert sum(Decimal(i["outstanding"]) for i in listed) == 860_000
    assert api.get("/success/invoices", {"bucket": "soon"}).status_code == 422
    q2 = books["q2"]
    detail = api.get(f"/success/invoices/{q2.pk}").json()
    assert [Decimal(detail[k]) for k in ("supply_amount", "vat_amount", "total_amount", "outstanding")] == [
        300_000,
        30_000,
        330_000,
        300_000,
    ]
    assert [Decimal(c["amount"]) for c in detail["credit_notes"]] == [30_000]
    # The ERP pushes a payment; more than is owed is a 422 with nothing saved.
    too_much = api.post(f"/success/invoices/{q2.pk}/payments", {"amount": "300001", "paid_on": "2026-06-15"})
    assert too_much.status_code == 422
    paid = api.post(
        f"/success/invoices/{q2.pk}/payments",
        {"amount": "300000", "paid_on": "2026-06-15", "reference": "ERP-778"},
    )
    assert paid.status_code == 201 and paid.json()["status"] == "paid"
    assert [p["reference"] for p in paid.json()["payments"]] == ["ERP-778"]
    made = api.post(f"/success/contracts/{books['monthly'].pk}/invoices", {})
    assert made.status_code == 201 and made.json() == []  # every period already has its invoice
    other = ApiClient(charlie)
    assert other.get(f"/success/invoices/{q2.pk}").status_code == 404
    assert other.post(f"/success/invoices/{books['q3'].pk}/void", {"reason": "x"}).status_code == 404
    voided = api.post(f"/success/invoices/{books['q3'].pk}/void", {"reason": "계약 해지"})
    assert voided.status_code == 200 and voided.json()["status"] == "void"
