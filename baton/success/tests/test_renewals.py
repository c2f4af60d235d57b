"""Renewals: opened once per contract term (also with two workers at once), with the current lines and
ARR, in the renewal pipeline; the outcome closes the loop to the contract; D-90/-30/-7 reminders."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from baton.activities.models import Activity, Notification
from baton.deals.models import Opportunity
from baton.success import revenue, services
from baton.success.models import Contract, ContractChange, Renewal, RenewalPipeline, RenewalReminder
from baton.success.services import LineSpec

D = dt.date


def _contract(alice, account, cat, *, end, csm=None):
    return services.create_contract(
        actor=alice,
        account=account,
        name="ERP 구독",
        number=f"C-R{end:%Y%m%d}",
        start_date=D(2025, 7, 1),
        end_date=end,
        csm=csm,
        lines=[
            LineSpec("erp-seat", "ERP 사용자", Decimal(10), Decimal(120_000), True, cat["seat"]),
            LineSpec("cloud-std", "클라우드", Decimal(1), Decimal(600_000), True, cat["cloud"]),
        ],
    )


@pytest.mark.django_db
def test_renewal_opened_once_with_the_current_lines(world, alice, cat, cara, settings):
    settings.BATON_RENEWAL_LEAD_DAYS = 120
    c = _contract(alice, world["account"], cat, end=D(2026, 6, 30), csm=cara)
    # 2026-03-01 is 121 days before the end: not yet; 2026-03-02 is 120 days before: due.
    assert services.sweep_renewals(D(2026, 3, 1))["opened"] == 0
    assert services.sweep_renewals(D(2026, 3, 2))["opened"] == 1
    assert services.sweep_renewals(D(2026, 3, 3))["opened"] == 0  # once
    assert services.open_renewal(c) is None  # a second claim of the same term loses
    renewal = Renewal.objects.get()
    opp = renewal.opportunity
    assert opp.pipeline_id == RenewalPipeline.objects.get().pipeline_id
    assert opp.stage.key == "renewal_due" and opp.owner == alice
    # ARR 10 × 120,000 + 600,000 = 1,800,000; the lines at their current prices.
    assert opp.amount == Decimal(1_800_000)
    assert sorted((li.product.code, li.quantity, li.list_price) for li in opp.line_items.all()) == [
        ("cloud-std", Decimal(1), Decimal(600_000)),
        ("erp-seat", Decimal(10), Decimal(120_000)),
    ]
    assert Notification.objects.filter(recipient=cara).exists()


@pytest.mark.django_db
def test_outcome_renewed_with_changes_extends_the_term_with_dated_rows(world, alice, cat):
    c = _contract(alice, world["account"], cat, end=D(2026, 6, 30))
    renewal = services.open_renewal(c)
    seat = c.lines.get(product_code="erp-seat")
    with pytest.raises(ValidationError):
        services.record_renewal_outcome(renewal, actor=alice, outcome="changed")  # no line given
    services.record_renewal_outcome(
        renewal, actor=alice, outcome="changed", line_changes={seat.pk: (12, None)}, reason="2석 추가"
    )
    c.refresh_from_db()
    renewal.refresh_from_db()
    assert renewal.outcome == Renewal.Outcome.CHANGED and renewal.opportunity.stage.key == "renewed"
    assert c.end_date == D(2027, 6, 30)
    # Until 2026-06-30: 1,800,000; from 2026-07-01: + 2 × 120,000 = 2,040,000.
    assert revenue.contract_arr_on(c, D(2026, 6, 30)) == Decimal(1_800_000)
    assert revenue.contract_arr_on(c, D(2026, 7, 1)) == Decimal(2_040_000)
    assert ContractChange.objects.filter(contract=c, kind="renewal").count() == 2  # the line and the term
    with pytest.raises(services.ServiceError):
        services.record_renewal_outcome(renewal, actor=alice, outcome="renewed")


@pytest.mark.django_db
def test_outcome_churned_needs_a_reason_and_ends_revenue_with_the_term(world, alice, cat):
    c = _contract(alice, world["account"], cat, end=D(2026, 6, 30))
    renewal = services.open_renewal(c)
    with pytest.raises(ValidationError):
        services.record_renewal_outcome(renewal, actor=alice, outcome="churned", reason="")
    services.record_renewal_outcome(renewal, actor=alice, outcome="churned", reason="경쟁사로 이전")
    c.refresh_from_db()
    renewal.refresh_from_db()
    assert c.status == Contract.Status.CHURNED and c.churn_reason == "경쟁사로 이전"
    assert renewal.opportunity.stage.key == "churned"
    assert revenue.contract_arr_on(c, D(2026, 6, 30)) == Decimal(1_800_000)
    assert revenue.contract_arr_on(c, D(2026, 7, 1)) == 0


@pytest.mark.django_db
def test_reminders_at_d90_d30_d7_once(world, alice, cat, cara):
    c = _contract(alice, world["account"], cat, end=D(2026, 6, 30), csm=cara)
    assert services.send_reminders(D(2026, 4, 1)) == 1  # 90 days before 2026-06-30
    assert services.send_reminders(D(2026, 4, 1)) == 0  # once
    assert services.send_reminders(D(2026, 5, 31)) == 1  # D-30
    assert services.send_reminders(D(2026, 6, 23)) == 1  # D-7
    assert services.send_reminders(D(2026, 6, 24)) == 0
    assert sorted(RenewalReminder.objects.filter(contract=c).values_list("days_before", flat=True)) == [
        7,
        30,
        90,
    ]
    tasks = Activity.objects.filter(kind="task", subject__contains="갱신")
    assert tasks.count() == 3
    assert set(tasks.first().assignees.values_list("username", flat=True)) == {"alice", "cara"}
    assert Notification.objects.filter(recipient=cara, kind="reminder").count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers need a server database")
def test_two_workers_open_one_renewal(world, alice, cat):
    c = _contract(alice, world["account"], cat, end=D(2026, 6, 30))
    barrier = threading.Barrier(2)
    results: list = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            results.append(services.sweep_renewals(D(2026, 3, 2))["opened"])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(results) == [0, 1]
    assert Renewal.objects.filter(contract=c).count() == 1
    assert Opportunity.objects.filter(renewal__contract=c).count() == 1
    assert Opportunity.objects.filter(account=c.account, name__contains="갱신").count() == 1
