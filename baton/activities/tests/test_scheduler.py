"""The worker's scheduler enqueues the other apps' periodic tasks on their own clocks."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from baton.activities import periodic
from baton.activities.management.commands.activities_worker import Scheduler
from baton.activities.models import PeriodicRun
from baton.process.tasks import sweep_process


def _fake_tasks(calls):
    def fake_import(module):
        class Task:
            def __init__(self, name):
                self.name = name

            def enqueue(self):
                calls.append(self.name)

        return mock.Mock(
            sweep_process=Task(f"{module}.sweep_process"),
            rescore_all=Task(f"{module}.rescore_all"),
            retrain_and_rescore=Task(f"{module}.retrain_and_rescore"),
        )

    return mock.patch("importlib.import_module", side_effect=fake_import)


@pytest.mark.django_db
def test_periodic_tasks_run_once_per_period_across_workers_and_restarts(world):
    first, second = Scheduler(interval=30, worker="w1"), Scheduler(interval=30, worker="w2")
    calls: list[str] = []
    with _fake_tasks(calls):
        first._enqueue_periodic()
        second._enqueue_periodic()
        assert calls == ["baton.process.tasks.sweep_process"]  # heavy jobs wait a full period
        restarted = Scheduler(interval=30, worker="w1-again")
        restarted._enqueue_periodic()
        first._enqueue_periodic()
        assert calls == ["baton.process.tasks.sweep_process"]  # not again within the hour, restart or not
        PeriodicRun.objects.update(next_run_at=F("next_run_at") - dt.timedelta(days=8))
        second._enqueue_periodic()
        first._enqueue_periodic()
        restarted._enqueue_periodic()
    assert sorted(calls[1:]) == [
        "baton.process.tasks.sweep_process",
        "baton.scoring.tasks.rescore_all",
        "baton.scoring.tasks.retrain_and_rescore",
    ]
    assert set(PeriodicRun.objects.values_list("last_worker", flat=True)) == {"w2"}


@pytest.mark.django_db
def test_claim_is_a_conditional_update(world):
    now = timezone.now()
    hour = dt.timedelta(hours=1)
    assert periodic.claim("job", hour, now=now, worker="a")
    assert not periodic.claim("job", hour, now=now, worker="b")
    assert not periodic.claim("job", hour, now=now + hour - dt.timedelta(seconds=1), worker="b")
    assert periodic.claim("job", hour, now=now + hour, worker="b")
    row = PeriodicRun.objects.get(job="job")
    assert row.next_run_at == now + 2 * hour and row.last_worker == "b"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_workers_claim_a_period_once():
    now = timezone.now()
    PeriodicRun.objects.create(job="race", next_run_at=now)
    workers = 6
    barrier = threading.Barrier(workers)
    results: list[bool] = []

    def work(name):
        try:
            barrier.wait()
            results.append(periodic.claim("race", dt.timedelta(hours=1), now=now, worker=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * (workers - 1) + [True]


@pytest.mark.django_db
def test_process_sweep_task_runs(world):
    result = sweep_process.call()
    # The world's lead waits in a stage with automatic successors, so the sweep looks at it.
    assert set(result) == {"checked", "moved", "handoffs"} and result["checked"] >= 1
    again = sweep_process.call()  # idempotent: nothing left to move on a second run
    assert again["checked"] >= 1 and again["moved"] == 0 and again["handoffs"] == 0
