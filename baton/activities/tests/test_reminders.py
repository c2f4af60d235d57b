"""Reminders and overdue alerts are delivered once, even with two workers claiming at once."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone

from baton.activities import reminders, services, tasks
from baton.activities.models import Notification, Reminder


def test_before_event_reminder_delivered_once(db, alice, bob, world):
    start = timezone.now() + dt.timedelta(minutes=20)
    services.create_activity(
        actor=alice,
        record=world["account"],
        kind="event",
        subject="Visit",
        start_at=start,
        remind_minutes=30,
        assignees=[bob],
    )
    assert reminders.run_once("w1") == 2
    assert reminders.run_once("w2") == 0
    assert Notification.objects.filter(kind="reminder").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@baton.test", "bob@baton.test"]


def test_not_yet_due_and_done_tasks(db, alice, world):
    services.create_activity(
        actor=alice,
        record=world["account"],
        kind="event",
        subject="Later",
        start_at=timezone.now() + dt.timedelta(days=2),
        remind_minutes=30,
    )
    done = services.create_activity(
        actor=alice,
        record=world["account"],
        subject="Was late",
        due_at=timezone.now() - dt.timedelta(hours=1),
    )
    services.complete_activity(done, actor=alice)
    assert reminders.run_once() == 0
    assert not Notification.objects.filter(kind__in=["reminder", "overdue"]).exists()


def test_overdue_alert_once_per_task(db, alice, world):
    services.create_activity(
        actor=alice,
        record=world["account"],
        subject="Send quote",
        due_at=timezone.now() - dt.timedelta(hours=3),
    )
    assert reminders.run_once("a") == 1
    assert reminders.run_once("b") == 1 - 1
    n = Notification.objects.get(kind="overdue")
    assert "Send quote" in n.text and n.recipient == alice


def test_claim_is_exclusive(db, alice, world):
    services.create_activity(
        actor=alice, record=world["account"], subject="x", due_at=timezone.now() - dt.timedelta(hours=1)
    )
    reminders.ensure_overdue_reminders()
    rid = Reminder.objects.get().pk
    # Both workers saw the same candidate list; only one claim succeeds.
    assert reminders.due_reminder_ids() == [rid]
    assert reminders.claim(rid, "A") is True
    assert reminders.claim(rid, "B") is False
    # A claim abandoned for longer than STALE_CLAIM is taken over.
    later = timezone.now() + reminders.STALE_CLAIM + dt.timedelta(seconds=1)
    assert reminders.claim(rid, "B", now=later) is True


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_deliver_each_reminder_once(personas, world):
    alice, bob = personas["alice"], personas["bob"]
    start = timezone.now() + dt.timedelta(minutes=5)
    for i in range(10):
        services.create_activity(
            actor=alice,
            record=world["account"],
            kind="event",
            subject=f"E{i}",
            start_at=start,
            remind_minutes=10,
            assignees=[bob],
        )
    for i in range(5):
        services.create_activity(
            actor=alice,
            record=world["account"],
            subject=f"T{i}",
            due_at=timezone.now() - dt.timedelta(hours=1),
        )
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(name):
        try:
            barrier.wait(timeout=10)
            results[name] = 0
            # A pass may defer rows it could not lock (SQLite's shared test cache locks whole tables);
            # keep passing until nothing is due, as the worker's timer would.
            for _ in range(50):
                results[name] += tasks.sweep_reminders.call()  # the task each worker runs
                try:
                    if not reminders.due_reminder_ids():
                        break
                except OperationalError:
                    time.sleep(0.01)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    expected = 10 * 2 + 5
    assert results["w1"] + results["w2"] == expected
    assert Notification.objects.filter(kind__in=["reminder", "overdue"]).count() == expected
    assert Reminder.objects.filter(sent_at__isnull=False).count() == expected
    assert len(mail.outbox) == expected


def test_worker_command_once(db, alice, world):
    services.create_activity(
        actor=alice, record=world["account"], subject="late", due_at=timezone.now() - dt.timedelta(hours=1)
    )
    call_command("activities_worker", "--once")
    assert Notification.objects.filter(kind="overdue").count() == 1
