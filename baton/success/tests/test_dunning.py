"""Dunning of overdue invoices, with the days worked out by hand.

An annual contract of alice's from 1 January 2026 is invoiced at once: one invoice dated 1 January,
due 30 days later on 31 January 2026. The default ladder is D+1 e-mail, D+15 task, D+30 escalation:
- D+1 is 1 February (the reminder e-mail to the billing contact, 김민준);
- D+15 is 15 February (a task for the follow-up owner, alice);
- D+30 is 2 March (January has 31 days: 31 Jan + 28 days of February = 28 Feb is D+28, so 2 March is
  D+30): the CSM (cara), alice's manager (dana) and alice are told.
Each step happens once per invoice however often (and by however many workers) the sweep runs; a paid
or voided invoice stops; a sweep that comes late does the step the invoice is at, not the ones missed."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from baton.accounts.services import create_account, create_contact
from baton.activities.models import Activity, EmailMessage, Notification
from baton.core.models import ChangeLog
from baton.core.tests.test_api_support import ApiClient
from baton.success import services
from baton.success.billing import dunning
from baton.success.billing import services as billing
from baton.success.billing.models import DunningRun, DunningStep, Invoice
from baton.success.services import LineSpec
from conftest import login

D = dt.date


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    # The reminder e-mail is sent by the activities' send_email task after the commit.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _invoice(alice, account, number="C-DN", *, csm=None) -> Invoice:
    contract = services.create_contract(
        actor=alice,
        account=account,
        name="ERP 구독",
        number=number,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 12, 31),
        billing_frequency="annual",
        csm=csm,
        lines=[LineSpec("erp-seat", "ERP 사용자", Decimal(10), Decimal(120_000), True)],
    )
    (invoice,) = billing.schedule_invoices(contract, actor=alice)
    assert invoice.due_date == D(2026, 1, 31)
    return invoice


@pytest.fixture
def overdue(world, alice, cara):
    invoice = _invoice(alice, world["account"], csm=cara)
    billing.set_billing_contact(invoice.contract, actor=alice, contact=world["contact"])
    return invoice


def _runs(invoice):
    return list(DunningRun.objects.filter(invoice=invoice).values_list("days", "action", "done_on"))


@pytest.mark.django_db
def test_steps_fire_on_their_day_once(overdue, alice, cara, personas, django_capture_on_commit_callbacks):
    assert dunning.sweep_dunning(D(2026, 1, 31))["done"] == 0  # due today: not late yet
    with django_capture_on_commit_callbacks(execute=True):
        assert dunning.sweep_dunning(D(2026, 2, 1)) == {"done": 1, "email": 1, "task": 0, "escalate": 0}
    assert dunning.sweep_dunning(D(2026, 2, 1))["done"] == 0  # the same day again: nothing
    (sent,) = mail.outbox
    assert sent.to == ["minjun@hanbit.co.kr"] and sent.reply_to == ["alice@baton.test"]
    assert sent.subject == "Payment reminder: invoice C-DN-20260101 (due 2026-01-31)"
    assert "due on 2026-01-31; 1,320,000 KRW of it is still outstanding." in sent.body
    stored = EmailMessage.objects.get()
    assert stored.status == "sent" and stored.activity.contact == overdue.contract.billing_contact

    assert dunning.sweep_dunning(D(2026, 2, 14))["done"] == 0
    assert dunning.sweep_dunning(D(2026, 2, 15))["task"] == 1
    task = Activity.objects.get(kind=Activity.Kind.TASK)
    assert task.subject.startswith("Overdue 15 days: call about invoice C-DN-20260101")
    assert list(task.assignees.all()) == [alice] and task.account == overdue.contract.account

    assert dunning.sweep_dunning(D(2026, 3, 1))["done"] == 0  # D+29
    assert dunning.sweep_dunning(D(2026, 3, 2))["escalate"] == 1  # D+30
    told = set(Notification.objects.filter(kind="overdue").values_list("recipient__username", flat=True))
    assert told == {"cara", "dana", "alice"}
    assert dunning.sweep_dunning(D(2026, 3, 20))["done"] == 0
    assert _runs(overdue) == [
        (1, "email", D(2026, 2, 1)),
        (15, "task", D(2026, 2, 15)),
        (30, "escalate", D(2026, 3, 2)),
    ]
    overdue.refresh_from_db()
    assert overdue.last_dunning.days == 30
    rows = ChangeLog.objects.filter(action="dunning", object_id=overdue.pk).order_by("id")
    assert [r.after["last_dunning"] for r in rows] == [
        "D+1 · Reminder e-mail to the billing contact",
        "D+15 · Follow-up task for the follow-up owner",
        "D+30 · Escalate to the CSM and the owner's manager",
    ]


@pytest.mark.django_db
def test_payment_and_void_stop_the_ladder(overdue, world, alice):
    voided = _invoice(alice, create_account(actor=alice, name="다온테크"), "C-DV")
    billing.void_invoice(voided, actor=alice, reason="중복 발행")
    assert dunning.sweep_dunning(D(2026, 2, 1))["email"] == 1
    billing.record_payment(overdue, actor=alice, amount="320000", paid_on=D(2026, 2, 10))
    assert dunning.sweep_dunning(D(2026, 2, 15))["task"] == 1  # part-paid: still owed, still chased
    billing.record_payment(overdue, actor=alice, amount="1000000", paid_on=D(2026, 2, 20))
    for day in (D(2026, 3, 2), D(2026, 4, 1)):
        assert dunning.sweep_dunning(day)["done"] == 0
    assert [r[0] for r in _runs(overdue)] == [1, 15]
    assert not DunningRun.objects.filter(invoice=voided).exists()


@pytest.mark.django_db
def test_a_late_sweep_does_the_current_step_only(overdue):
    # The worker was down all February: on 10 March (D+38) only the escalation is due and done.
    assert dunning.sweep_dunning(D(2026, 3, 10)) == {"done": 1, "email": 0, "task": 0, "escalate": 1}
    assert dunning.sweep_dunning(D(2026, 3, 11))["done"] == 0
    assert _runs(overdue) == [(30, "escalate", D(2026, 3, 10))]


@pytest.mark.django_db
def test_no_billing_contact_is_said_and_owner_told(world, alice):
    invoice = _invoice(alice, world["account"])
    assert dunning.sweep_dunning(D(2026, 2, 1))["email"] == 1
    run = DunningRun.objects.get(invoice=invoice)
    assert run.outcome == "Not sent: the contract has no billing contact with an e-mail address."
    assert not EmailMessage.objects.exists()
    assert Notification.objects.filter(recipient=alice, kind="overdue").count() == 1


@pytest.mark.django_db
def test_admin_edits_the_ladder(overdue, alice, root):
    dunning.ladder()
    with pytest.raises(PermissionDenied):
        dunning.save_step(actor=alice, days=7, action="task")
    with pytest.raises(ValidationError) as exc:
        dunning.save_step(actor=root, days=30, action="task")  # D+30 is taken by the escalation
    assert "days" in exc.value.message_dict
    with pytest.raises(ValidationError):
        dunning.save_step(actor=root, days=0, action="nothing")
    dunning.save_step(actor=root, days=7, action="task")
    d15 = DunningStep.objects.get(days=15)
    dunning.save_step(actor=root, step=d15, days=15, action="task", is_active=False)
    assert ChangeLog.objects.filter(action="update", object_id=d15.pk, after__is_active=False).exists()
    for day in (D(2026, 2, 1), D(2026, 2, 7), D(2026, 2, 15), D(2026, 3, 2)):
        dunning.sweep_dunning(day)
    assert [r[:2] for r in _runs(overdue)] == [(1, "email"), (7, "task"), (30, "escalate")]


@pytest.mark.django_db
def test_pages_show_the_last_step(overdue, world, alice, root, client):
    dunning.sweep_dunning(D(2026, 2, 1))
    dunning.sweep_dunning(D(2026, 2, 15))
    login(client, alice)
    page = client.get(f"/success/invoices/{overdue.pk}/").content.decode()
    assert "2026-02-15 · D+15 · Follow-up task for the follow-up owner" in page
    assert "D+1 · Reminder e-mail to the billing contact · Reminder e-mailed to minjun@hanbit.co.kr." in page
    page = client.get("/success/collections/").content.decode()
    assert "D+15 · Follow-up task for the follow-up owner</a> · 2026-02-15" in page
    csv = client.get("/success/collections/?format=csv").content.decode("utf-8-sig").splitlines()
    assert csv[0].endswith(",Last dunning step")
    assert csv[1].endswith(",D+15 · Follow-up task for the follow-up owner (2026-02-15)")
    got = ApiClient(alice).get(f"/success/invoices/{overdue.pk}").json()["last_dunning"]
    assert (got["days"], got["action"], got["done_on"]) == (15, "task", "2026-02-15")
    # Everyone reads the ladder; only an administrator changes it.
    page = client.get("/success/dunning/")
    assert page.status_code == 200 and "D+30" in page.content.decode()
    assert (
        client.post("/success/dunning/", {"days": 7, "action": "task", "is_active": "on"}).status_code == 403
    )
    login(client, root)
    bad = client.post("/success/dunning/", {"days": 15, "action": "email", "is_active": "on"})
    assert bad.status_code == 400 and "Another active step already runs on that day." in bad.content.decode()
    assert (
        client.post("/success/dunning/", {"days": 7, "action": "task", "is_active": "on"}).status_code == 302
    )
    assert DunningStep.objects.filter(days=7, is_active=True).exists()


@pytest.mark.django_db
def test_billing_contact_is_a_contact_of_the_account(world, alice, charlie, client):
    invoice = _invoice(alice, world["account"])
    contract = invoice.contract
    other = create_account(actor=alice, name="다온테크")
    stranger = create_contact(actor=alice, account=other, name="박서준", email="sj@daon.kr")
    with pytest.raises(ValidationError):
        billing.set_billing_contact(contract, actor=alice, contact=stranger)
    with pytest.raises(PermissionDenied):
        billing.set_billing_contact(contract, actor=charlie, contact=world["contact"])
    login(client, alice)
    contract.refresh_from_db()
    response = client.post(
        f"/success/contracts/{contract.pk}/billing-contact/",
        {"billing_contact": world["contact"].pk, "version": contract.version},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.billing_contact == world["contact"]
    assert (
        "김민준 &lt;minjun@hanbit.co.kr&gt;"
        in client.get(f"/success/contracts/{contract.pk}/").content.decode()
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers need a server database")
def test_two_workers_do_each_step_once(world, alice):
    invoice = _invoice(alice, world["account"])
    dunning.ladder()
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            results.append(dunning.sweep_dunning(D(2026, 2, 15))["done"])
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
    assert _runs(invoice) == [(15, "task", D(2026, 2, 15))]
    assert Activity.objects.filter(kind=Activity.Kind.TASK).count() == 1
