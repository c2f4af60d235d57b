"""The same task code on the Redis-backed task backend (RQ), run by a real RQ worker against the
Redis on 127.0.0.1 (as in CI); skipped with a reason only where no Redis answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baton.activities import services, tasks
from baton.activities.models import Notification
from baton.core.testing import redis_url_for_tests

redis = pytest.importorskip("redis")
django_rq = pytest.importorskip("django_rq")

TEST_REDIS = redis_url_for_tests(15)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(TEST_REDIS, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def rq_backend(settings, monkeypatch):
    from django_rq import settings as rq_settings

    monkeypatch.setitem(rq_settings.QUEUES, "default", {"URL": TEST_REDIS, "DEFAULT_TIMEOUT": 60})
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def _work(queue) -> None:
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    worker.work(burst=True, with_scheduler=False)


def test_reminder_sweep_runs_on_an_rq_worker(personas, world, rq_backend):
    alice = personas["alice"]
    services.create_activity(
        actor=alice, record=world["account"], subject="late", due_at=timezone.now() - dt.timedelta(hours=2)
    )
    first = tasks.sweep_reminders.enqueue()
    tasks.sweep_reminders.enqueue()  # twice: the second finds nothing left to deliver
    assert rq_backend.count == 2
    assert not Notification.objects.filter(kind="overdue").exists()  # nothing ran in this process

    _work(rq_backend)

    assert rq_backend.count == 0
    assert Notification.objects.filter(kind="overdue", recipient=alice).count() == 1
    first.refresh()
    assert first.status.name == "SUCCESSFUL"


def test_follower_notification_enqueued_on_commit_runs_on_rq(personas, world, rq_backend):
    """A write commits (transaction=True: real commits), its on-commit enqueue lands in Redis, and the
    RQ worker tells the follower."""
    from baton.deals import services as deals

    alice, bob = personas["alice"], personas["bob"]
    opp = world["opportunity"]
    services.set_following(opp, user=bob, follow=True)
    deals.update_opportunity(opp, actor=alice, changes={"amount": 77_000_000}, expected_version=opp.version)
    assert rq_backend.count == 1
    assert not Notification.objects.filter(recipient=bob).exists()

    _work(rq_backend)

    note = Notification.objects.get(recipient=bob, kind="change")
    assert "amount" in note.text
