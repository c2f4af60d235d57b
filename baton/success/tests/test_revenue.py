"""Revenue movements, GRR/NRR and logo churn on a hand-built set of contracts with amendments; every
expected value is computed by hand in the comments."""

import datetime as dt
from decimal import Decimal

import pytest

from baton.accounts.services import create_account
from baton.success import revenue, services
from baton.success.models import Contract
from baton.success.services import LineSpec

pytestmark = pytest.mark.django_db

D = dt.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))  # opening ARR at the end of 2025-12-31, closing at 2026-03-31


@pytest.fixture
def book(personas, cat):
    """Seven customers (accounts A–G). ERP seats (family erp) or cloud (family cloud), prices per year.

    A (bob's): 10 seats × 120,000 = 1,200,000 from 2025-01-01 to 2026-12-31; upsell to 15 on 2026-02-01
       → +600,000 (expansion).
    B: 1 seat × 2,400,000 from 2025-06-01 to 2026-05-31; price to 1,800,000 on 2026-03-01 → −600,000
       (contraction).
    C: cloud 1 × 600,000 from 2025-01-01 to 2025-12-31, not renewed → churn 600,000 (in the opening,
       gone at the close).
    D: cloud 1 × 1,200,000 from 2025-03-01 to 2027-02-28, terminated from 2026-02-15 → churn 1,200,000.
    E: cloud 1 × 960,000 from 2026-02-01 → new 960,000.
    F: seats 1 × 300,000 in 2024 (ended), again 1 × 360,000 from 2026-03-01 → reactivation 360,000.
    G: 5 seats × 100,000 = 500,000 from 2025-01-01 to 2026-12-31 with a one-time 1,000,000 line (not
       ARR); downsell to 4 on 2026-04-15, after the period → no movement in Q1.
    """
    alice, bob = personas["alice"], personas["bob"]
    seat, cloud = cat["seat"], cat["cloud"]

    def make(name, owner, rows, start, end, *, number):
        account = create_account(actor=owner, name=f"{name} 주식회사")
        return services.create_contract(
            actor=owner,
            account=account,
            name=name,
            number=number,
            start_date=start,
            end_date=end,
            lines=[LineSpec(p.code, p.name, Decimal(q), Decimal(u), rec, p) for p, q, u, rec in rows],
        )

    a = make("A", bob, [(seat, 10, 120_000, True)], D(2025, 1, 1), D(2026, 12, 31), number="A")
    services.amend(a, actor=bob, kind="upsell", effective_date=D(2026, 2, 1), line=a.lines.get(), quantity=15)
    b = make("B", alice, [(seat, 1, 2_400_000, True)], D(2025, 6, 1), D(2026, 5, 31), number="B")
    services.amend(
        b, actor=alice, kind="price", effective_date=D(2026, 3, 1), line=b.lines.get(), unit_price=1_800_000
    )
    c = make("C", alice, [(cloud, 1, 600_000, True)], D(2025, 1, 1), D(2025, 12, 31), number="C")
    d = make("D", alice, [(cloud, 1, 1_200_000, True)], D(2025, 3, 1), D(2027, 2, 28), number="D")
    services.terminate(d, actor=alice, effective_date=D(2026, 2, 15), reason="예산 삭감")
    e = make("E", alice, [(cloud, 1, 960_000, True)], D(2026, 2, 1), D(2027, 1, 31), number="E")
    f_old = make("F", alice, [(seat, 1, 300_000, True)], D(2024, 1, 1), D(2024, 12, 31), number="F1")
    f_new = services.create_contract(
        actor=alice,
        account=f_old.account,
        name="F again",
        number="F2",
        start_date=D(2026, 3, 1),
        end_date=D(2027, 2, 28),
        lines=[LineSpec(seat.code, seat.name, Decimal(1), Decimal(360_000), True, seat)],
    )
    g = make(
        "G",
        alice,
        [(seat, 5, 100_000, True), (cat["erp"], 1, 1_000_000, False)],
        D(2025, 1, 1),
        D(2026, 12, 31),
        number="G",
    )
    services.amend(
        g,
        actor=alice,
        kind="downsell",
        effective_date=D(2026, 4, 15),
        line=g.lines.get(is_recurring=True),
        quantity=4,
    )
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F1": f_old, "F2": f_new, "G": g}


def test_movements_grr_nrr_and_logo_churn(book):
    total, groups = revenue.movements(None, *Q1)
    assert groups == []
    # Opening: A 1,200,000 + B 2,400,000 + C 600,000 + D 1,200,000 + G 500,000 = 5,900,000
    assert total.opening == Decimal(5_900_000)
    assert total.new == Decimal(960_000)  # E
    assert total.reactivation == Decimal(360_000)  # F
    assert total.expansion == Decimal(600_000)  # A
    assert total.contraction == Decimal(600_000)  # B
    assert total.churn == Decimal(1_800_000)  # C 600,000 + D 1,200,000
    # Closing: 5,900,000 + 960,000 + 360,000 + 600,000 − 600,000 − 1,800,000 = 5,420,000
    #        = A 1,800,000 + B 1,800,000 + E 960,000 + F 360,000 + G 500,000
    assert total.closing == Decimal(5_420_000)
    # GRR = (5,900,000 − 600,000 − 1,800,000) / 5,900,000 = 3,500,000 / 5,900,000 = 59.32… % → 59.3
    assert total.grr == Decimal("59.3")
    # NRR = (5,900,000 + 600,000 − 600,000 − 1,800,000) / 5,900,000 = 4,100,000 / 5,900,000 = 69.49… → 69.5
    assert total.nrr == Decimal("69.5")
    # Logo churn: C and D of the five customers with opening ARR (A, B, C, D, G) = 2 / 5 = 40 %
    assert (total.logos_churned, total.logos_opening, total.logo_churn) == (2, 5, Decimal("40.0"))


def test_movements_by_product_family_and_owner(book, cat, personas):
    _total, groups = revenue.movements(None, *Q1, by="family")
    by = {g.group: g for g in groups}
    erp, cloud = by[cat["families"]["erp"].pk], by[cat["families"]["cloud"].pk]
    # ERP (seats): opening A 1,200,000 + B 2,400,000 + G 500,000 = 4,100,000; expansion 600,000 (A),
    # contraction 600,000 (B), reactivation 360,000 (F); no churn.
    assert (erp.opening, erp.expansion, erp.contraction, erp.churn, erp.reactivation) == (
        Decimal(4_100_000),
        Decimal(600_000),
        Decimal(600_000),
        0,
        Decimal(360_000),
    )
    # GRR = (4,100,000 − 600,000) / 4,100,000 = 85.36… → 85.4; NRR = 4,100,000 / 4,100,000 = 100.0
    assert (erp.grr, erp.nrr) == (Decimal("85.4"), Decimal("100.0"))
    # Cloud: opening C 600,000 + D 1,200,000 = 1,800,000, all churned; E new 960,000.
    # GRR = NRR = 0 / 1,800,000 = 0; logo churn 2 / 2 = 100 %.
    assert (cloud.opening, cloud.churn, cloud.new) == (
        Decimal(1_800_000),
        Decimal(1_800_000),
        Decimal(960_000),
    )
    assert (cloud.grr, cloud.nrr, cloud.logo_churn) == (Decimal("0.0"), Decimal("0.0"), Decimal("100.0"))
    _total, groups = revenue.movements(None, *Q1, by="owner")
    bob = next(g for g in groups if g.group == personas["bob"].pk)
    # Bob's only customer A: opening 1,200,000, expansion 600,000.
    # GRR = 1,200,000 / 1,200,000 = 100 (capped); NRR = 1,800,000 / 1,200,000 = 150.0
    assert (bob.grr, bob.nrr) == (Decimal("100.0"), Decimal("150.0"))


def test_mrr_of_the_book_at_a_past_date(book):
    # On 2026-02-20: A 1,800,000 (upsold on 02-01) + B 2,400,000 (price cut only on 03-01) + E 960,000
    # + G 500,000; C ended 2025-12-31, D's last day was 02-14, F not yet back. ARR 5,660,000.
    # MRR = 5,660,000 / 12 = 471,666.666… → 471,666.67
    assert revenue.arr_on(None, D(2026, 2, 20)) == Decimal(5_660_000)
    assert revenue.mrr_on(None, D(2026, 2, 20)) == Decimal("471666.67")
    # On 2026-02-14 D still counts: + 1,200,000 → 6,860,000; MRR 571,666.67
    assert revenue.mrr_on(None, D(2026, 2, 14)) == Decimal("571666.67")
    # One contract's MRR on two past dates: A 100,000 (1,200,000 / 12) on 01-31, 150,000 on 02-01.
    a = Contract.objects.filter(number="A")
    assert (revenue.mrr_on(a, D(2026, 1, 31)), revenue.mrr_on(a, D(2026, 2, 1))) == (100_000, 150_000)


def test_cohorts(book):
    rows = {c.label: c for c in revenue.cohorts(None, D(2026, 3, 31), quarters=3)}
    # Q1 2026 cohort: E (first contract 2026-02-01) only; F started in 2024 so it is no new cohort.
    # ARR at the end of 2026-Q1 = 960,000; retention 100 %.
    q1 = rows["2026-Q1"]
    assert (q1.accounts, q1.base, q1.retention) == (1, Decimal(960_000), [Decimal("100.0")])


def test_nrr_page_and_drill_down(client, book, personas, django_assert_max_num_queries):
    client.force_login(personas["alice"])
    url = "/success/revenue/?first=2026-01-01&last=2026-03-31"
    response = client.get(url)
    assert response.status_code == 200
    # Alice sees her own customers and bob's (her teammate): the whole book.
    assert response.context["total"].nrr == Decimal("69.5")
    response = client.get(url + "&movement=churn")
    numbers = sorted(k.number for _c, rows in response.context["drill"] for k in rows)
    assert numbers == ["C", "D"]
    response = client.get(url + "&by=family&movement=expansion&group=" + str(book["A"].lines.get().family_id))
    assert [k.number for _c, rows in response.context["drill"] for k in rows] == ["A"]
    # An outsider sees none of these contracts, so nothing moves for them.
    client.force_login(personas["charlie"])
    response = client.get(url)
    assert response.context["total"].opening == 0
    assert client.get("/success/revenue/?first=2026-13-01").status_code in (200, 400)
    assert client.get("/success/revenue/?by=nonsense").status_code == 400


def test_a_change_is_seen_at_once_by_the_cached_page(client, book, personas):
    client.force_login(personas["root"])
    url = "/success/revenue/?first=2026-01-01&last=2026-03-31"
    assert client.get(url).context["total"].expansion == Decimal(600_000)
    e = book["E"]
    services.amend(
        e,
        actor=personas["alice"],
        kind="upsell",
        effective_date=D(2026, 3, 15),
        line=e.lines.get(),
        quantity=2,
    )
    # E is new in the period: its new ARR 1,920,000 counts as new, not expansion.
    total = client.get(url).context["total"]
    assert (total.new, total.expansion) == (Decimal(1_920_000), Decimal(600_000))
